"""Remotion's webhook signature: "sha512=" + hex HMAC-SHA512 of the raw body, keyed with the secret.

`remotion_lambda.validate_webhook_signature` arrived in a client newer than the 4.0.527 every
Remotion package is pinned to; until the pin moves we use this same scheme (a test checks it
against the client's function where the installed client has it), and the client's own once it does.
"""

import hashlib
import hmac

try:
    from remotion_lambda import validate_webhook_signature as _client_validate
except ImportError:  # remotion-lambda <= 4.0.527
    _client_validate = None


class InvalidSignature(Exception):
    pass


def sign(secret: str, body: bytes) -> str:
    if not secret:
        return "NO_SECRET_PROVIDED"  # what Remotion sends when no secret was set
    return "sha512=" + hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def validate(secret: str, body: bytes, signature_header: str | None) -> None:
    if not secret:
        raise InvalidSignature("no webhook secret is configured")
    if not body:
        raise InvalidSignature("empty body")
    if not signature_header or signature_header == "NO_SECRET_PROVIDED":
        raise InvalidSignature("no webhook signature was provided")
    if _client_validate is not None:
        try:
            _client_validate(secret, body, signature_header)
        except Exception as error:  # the client's RemotionException
            raise InvalidSignature(str(error)) from None
        return
    if not hmac.compare_digest(sign(secret, body).encode(), signature_header.encode("utf-8", "replace")):
        raise InvalidSignature("signatures do not match")
