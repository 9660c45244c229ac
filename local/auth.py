"""The local stack's secrets and what is signed with them.

- Sign-in: HS256 tokens signed by a key kept on this machine, carrying what Cognito's would.
- Download links: `DownloadSigner` makes and checks the links the local stack serves files by,
  the local counterpart of CloudFront's signed URLs (HMAC-SHA256 over bucket, key, file name and
  expiry; expired or altered links are refused).
- The emulator's credentials: every request to it must be signed with them (SigV4).

Everything lives in LOCAL_DIR (`.cache/local`, or FRAMECAST_LOCAL_DIR), created on first use with
owner-only permissions.
"""

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jwt

from functions import REPO_ROOT
from functions.domain.naming import content_disposition

LOCAL_DIR = Path(os.environ.get("FRAMECAST_LOCAL_DIR") or REPO_ROOT / ".cache/local")
ISSUER = "framecast-local"
AUDIENCE = "framecast"
KEY_FILE = LOCAL_DIR / "jwt-key"


def local_secret(name: str, folder: Path | None = None) -> str:
    """A random secret kept in a file of the local folder, made on first use."""
    path = (folder or LOCAL_DIR) / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


# --- sign-in ------------------------------------------------------------------------------------


class BadToken(Exception):
    pass


def signing_key(path: Path = KEY_FILE) -> str:
    return local_secret(path.name, path.parent)


def issue_token(user: str, days: int = 30, path: Path = KEY_FILE) -> str:
    now = int(time.time())
    claims = {
        "sub": user,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + days * 86400,
        "token_use": "access",
        "username": user,
    }
    return jwt.encode(claims, signing_key(path), algorithm="HS256")


def verify(authorization: str | None, path: Path = KEY_FILE) -> dict[str, Any]:
    """The claims of a valid `Bearer <token>`; BadToken otherwise (the adapter answers 401)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise BadToken("a bearer token is required")
    try:
        claims = jwt.decode(
            authorization[7:].strip(),
            signing_key(path),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "exp"]},
        )
    except jwt.PyJWTError as error:
        raise BadToken(f"the token is not valid: {error}") from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise BadToken("the token has no subject")
    return claims


# --- the emulator's credentials -----------------------------------------------------------------


def emulator_credentials(folder: Path | None = None) -> tuple[str, str]:
    """(access key id, secret key) that the local stack signs its AWS calls with."""
    return "FRAMECASTLOCAL" + local_secret("emulator-key-id", folder)[:12].upper(), local_secret(
        "emulator-secret", folder
    )


# --- download links -----------------------------------------------------------------------------


class BadLink(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def attachment(filename: str) -> str:
    """The Content-Disposition of a download (RFC 6266): the same header the CloudFront links ask S3
    for, so a title in any script is saved under its own name on both paths."""
    return content_disposition(filename)


class DownloadSigner:
    """Links of the form {base}/downloads/{bucket}/{key}?filename&expires&signature."""

    def __init__(self, base_url: str, key: str, clock: Callable[[], float] = time.time) -> None:
        self.base_url, self._key, self._clock = base_url.rstrip("/"), key.encode(), clock

    def _signature(self, bucket: str, key: str, filename: str, expires: str) -> str:
        message = "\n".join(["framecast-download-v1", bucket, key, filename, expires]).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def __call__(self, bucket: str, key: str, filename: str, seconds: int) -> str:
        """The url signer of local mode: (bucket, key, filename, seconds) -> url."""
        expires = str(int(self._clock()) + int(seconds))
        query = urlencode(
            {"filename": filename, "expires": expires, "signature": self._signature(bucket, key, filename, expires)}
        )
        return f"{self.base_url}/downloads/{quote(bucket, safe='')}/{quote(key, safe='/')}?{query}"

    def check(self, bucket: str, key: str, filename: str, expires: str, signature: str) -> None:
        if not expires.isdigit() or not signature:
            raise BadLink("forbidden", "this download link is incomplete")
        if not hmac.compare_digest(self._signature(bucket, key, filename, expires), signature):
            raise BadLink("forbidden", "this download link is not valid")
        if int(expires) < self._clock():
            raise BadLink("link_expired", "this download link has expired; ask for a new one")
