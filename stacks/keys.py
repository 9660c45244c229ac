"""The public key CloudFront checks download signatures with.

A deploy needs the operator's key (context `downloadPublicKeyFile`, see docs/deploy.md): a key made
on the fly would differ on every machine and every clean checkout, and a deploy from there would
silently rotate the key CloudFront trusts away from the private key in Secrets Manager, breaking
every download. Only with `devDownloadKey=true` (what `make synth` and the tests pass) is a
development pair made under .cache/cloudfront/, so that synth works on any machine.
"""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from functions import REPO_ROOT

DEV_KEY_DIR = REPO_ROOT / ".cache/cloudfront"


class MissingDownloadKey(ValueError):
    pass


def public_key_pem(configured: str | None, allow_dev_key: bool = False) -> str:
    if configured:
        path = Path(configured)
        text = (path if path.is_absolute() else REPO_ROOT / path).read_text()
        serialization.load_pem_public_key(text.encode())  # a readable public key, or fail here
        return text
    if not allow_dev_key:
        raise MissingDownloadKey(
            'set -c downloadPublicKeyFile=<public.pem> (docs/deploy.md, "Download signing key"); a made-up key '
            "would rotate CloudFront's key away from the private key in Secrets Manager. For a synth without a "
            "deploy, -c devDownloadKey=true makes a development pair."
        )
    public = DEV_KEY_DIR / "public.pem"
    if not public.is_file():
        DEV_KEY_DIR.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = DEV_KEY_DIR / "private.pem"
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        private.chmod(0o600)
        public.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return public.read_text()
