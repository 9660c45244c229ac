"""Start-up: the only place that looks at RENDER_MODE (to pick the backend and the URL signer)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote

from functions.backends import RenderBackend
from functions.domain.renders import Services
from functions.models.records import RenderRecord
from functions.settings import RenderMode, ServiceSettings
from functions.store import Store

UrlSigner = Callable[[RenderRecord, str, int], str]


def _secret(settings: ServiceSettings) -> str:
    if settings.webhook_secret or not settings.webhook_secret_name:
        return settings.webhook_secret
    from aws_lambda_powertools.utilities.parameters import get_secret

    return get_secret(settings.webhook_secret_name, max_age=300)


def backend_for(settings: ServiceSettings, store: Store) -> RenderBackend:
    if settings.render_mode is RenderMode.LAMBDA:
        from functions.backends.remotion_lambda_backend import RemotionLambdaBackend

        return RemotionLambdaBackend(settings)
    from local.render_backend import LocalRenderBackend  # only the local stack ships local/

    return LocalRenderBackend.shared(settings, store)


def url_signer(settings: ServiceSettings, store: Store) -> UrlSigner:
    if settings.render_mode is RenderMode.LOCAL:
        def presigned(record: RenderRecord, filename: str, seconds: int) -> str:
            return store.presigned_download(record.bucket_name or store.bucket_name, record.output_key, filename, seconds)

        return presigned
    return _cloudfront_signer(settings)


def _cloudfront_signer(settings: ServiceSettings) -> UrlSigner:
    from aws_lambda_powertools.utilities.parameters import get_secret
    from botocore.signers import CloudFrontSigner
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    def rsa_signer(message: bytes) -> bytes:
        pem = get_secret(settings.cloudfront_private_key_secret_name, max_age=3600)
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # what CloudFront's signed URLs use

    signer = CloudFrontSigner(settings.cloudfront_key_pair_id, rsa_signer)

    def signed(record: RenderRecord, filename: str, seconds: int) -> str:
        url = f"https://{settings.cloudfront_domain}/{quote(record.output_key)}"
        return signer.generate_presigned_url(url, date_less_than=datetime.now(UTC) + timedelta(seconds=seconds))

    return signed


def output_location(settings: ServiceSettings, record: RenderRecord) -> str | None:
    """Where the file is (not a download link: downloads are counted through their own route)."""
    if not record.output_key:
        return None
    if settings.render_mode is RenderMode.LAMBDA and settings.cloudfront_domain:
        return f"https://{settings.cloudfront_domain}/{quote(record.output_key)}"
    return f"s3://{record.bucket_name or settings.bucket_name}/{record.output_key}"


@lru_cache(maxsize=1)
def services_from_env() -> Services:
    from functions.settings import service_settings

    settings = service_settings()
    store = Store(table_name=settings.table_name, bucket_name=settings.bucket_name)
    return Services(store=store, backend=backend_for(settings, store), settings=settings, webhook_secret=_secret(settings))
