"""Local sign-in: HS256 tokens signed by a key kept on this machine, carrying what Cognito's would."""

import secrets
import time
from pathlib import Path

import jwt

ISSUER = "framecast-local"
AUDIENCE = "framecast"
KEY_FILE = Path(__file__).resolve().parents[1] / ".cache/local/jwt-key"


class BadToken(Exception):
    pass


def signing_key(path: Path = KEY_FILE) -> str:
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def issue_token(user: str, days: int = 30, path: Path = KEY_FILE) -> str:
    now = int(time.time())
    claims = {"sub": user, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + days * 86400,
              "token_use": "access", "username": user}
    return jwt.encode(claims, signing_key(path), algorithm="HS256")


def verify(authorization: str | None, path: Path = KEY_FILE) -> dict:
    """The claims of a valid `Bearer <token>`; BadToken otherwise (the adapter answers 401)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise BadToken("a bearer token is required")
    try:
        return jwt.decode(authorization[7:].strip(), signing_key(path), algorithms=["HS256"],
                          audience=AUDIENCE, issuer=ISSUER)
    except jwt.PyJWTError as error:
        raise BadToken(f"the token is not valid: {error}") from None
