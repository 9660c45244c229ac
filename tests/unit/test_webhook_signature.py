import hashlib
import hmac

import pytest

from functions.webhook_signature import InvalidSignature, sign, validate

BODY = b'{"type":"success","renderId":"abc","customData":{"renderId":"rnd_1"}}'


def test_signature_is_remotions_scheme():
    expected = "sha512=" + hmac.new(b"secret", BODY, hashlib.sha512).hexdigest()
    assert sign("secret", BODY) == expected
    validate("secret", BODY, expected)


@pytest.mark.parametrize("header", [None, "", "NO_SECRET_PROVIDED", "sha512=00", "sha512=ünïcode"])
def test_bad_or_missing_signatures_are_rejected(header):
    with pytest.raises(InvalidSignature):
        validate("secret", BODY, header)


def test_a_changed_body_is_rejected():
    with pytest.raises(InvalidSignature):
        validate("secret", BODY.replace(b"abc", b"abd"), sign("secret", BODY))


def test_no_secret_configured_rejects_everything():
    assert sign("", BODY) == "NO_SECRET_PROVIDED"
    with pytest.raises(InvalidSignature):
        validate("", BODY, "NO_SECRET_PROVIDED")
