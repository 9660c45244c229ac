"""How whoever ends an export asks for its still on AWS: an asynchronous invocation of the
thumbnailer function (Lambda itself is the edge this machine cannot reach: botocore's Stubber)."""

import boto3
import pytest
from botocore.stub import Stubber

from functions.models.thumbnail import ThumbnailRequest
from functions.settings import ServiceSettings
from functions.wiring import SettingsError, thumbnailer_invoker


def _settings(**more: str) -> ServiceSettings:
    return ServiceSettings.model_validate({"TABLE_NAME": "t", "BUCKET_NAME": "b", "RENDER_MODE": "lambda", **more})


def test_a_request_is_an_event_invocation_of_the_thumbnailer_with_the_export_named(monkeypatch):
    client = boto3.client("lambda", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    payload = b'{"userId":"u-1","renderId":"r-1"}'
    stubber.add_response(
        "invoke",
        {"StatusCode": 202},
        {"FunctionName": "framecast-thumbnailer-x", "InvocationType": "Event", "Payload": payload},
    )
    stubber.activate()
    monkeypatch.setattr(boto3, "client", lambda *_, **__: client)
    request = thumbnailer_invoker(_settings(THUMBNAILER_FUNCTION_NAME="framecast-thumbnailer-x"))
    request(ThumbnailRequest(user_id="u-1", render_id="r-1"))
    stubber.assert_no_pending_responses()


def test_without_a_thumbnailer_named_a_request_says_so():
    request = thumbnailer_invoker(_settings())
    with pytest.raises(SettingsError, match="THUMBNAILER_FUNCTION_NAME"):
        request(ThumbnailRequest(user_id="u-1", render_id="r-1"))
