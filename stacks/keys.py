"""The public key CloudFront checks download signatures with.

Given by the operator (context `downloadPublicKeyFile`, see docs/deploy.md); when it is not, a
development key pair is made under .cache/cloudfront/ so that synth works on any machine.
"""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO_ROOT = Path(__file__).resolve().parents[1]
DEV_KEY_DIR = REPO_ROOT / ".cache/cloudfront"


def public_key_pem(configured: str | None) -> str:
    if configured:
        path = Path(configured)
        return (path if path.is_absolute() else REPO_ROOT / path).read_text()
    public = DEV_KEY_DIR / "public.pem"
    if not public.is_file():
        DEV_KEY_DIR.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = DEV_KEY_DIR / "private.pem"
        private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        private.chmod(0o600)
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return public.read_text()
