"""functions/error_tracking.py: off without a secret name; with one, Sentry starts with the DSN read
from Secrets Manager (moto) by that name."""

import boto3
import pytest
from moto import mock_aws

from functions import error_tracking

DSN = "https://0123456789abcdef@o0.ingest.sentry.io/0"


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(error_tracking, "_initialized", False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    yield
    import sentry_sdk

    sentry_sdk.init()  # no DSN: the client is off again for the other tests


def test_unset_does_nothing(monkeypatch):
    monkeypatch.delenv(error_tracking.SECRET_NAME_VARIABLE, raising=False)

    def never(name):
        raise AssertionError("no secret may be read")

    assert error_tracking.init_error_tracking(never) is False


@mock_aws
def test_set_reads_the_dsn_by_name_and_starts_sentry(monkeypatch):
    import sentry_sdk

    boto3.client("secretsmanager").create_secret(Name="framecast/sentry-dsn", SecretString=DSN)
    monkeypatch.setenv(error_tracking.SECRET_NAME_VARIABLE, "framecast/sentry-dsn")
    assert error_tracking.init_error_tracking() is True
    client = sentry_sdk.get_client()
    assert client.is_active() and client.dsn == DSN
    collected = client.options["data_collection"]
    assert (collected["user_info"], collected["http_bodies"], collected["stack_frame_variables"]) == (False, [], False)


@mock_aws
def test_an_empty_secret_fails_loudly(monkeypatch):
    boto3.client("secretsmanager").create_secret(Name="framecast/sentry-dsn", SecretString=" ")
    monkeypatch.setenv(error_tracking.SECRET_NAME_VARIABLE, "framecast/sentry-dsn")
    with pytest.raises(ValueError, match="holds no Sentry DSN"):
        error_tracking.init_error_tracking()
