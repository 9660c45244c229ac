"""The composition root: the only place that looks at RENDER_MODE and builds the services.

In Lambda, `get_services()` builds them once per container from the environment. The local stack
builds its own (its render worker, its download links) with `compose(...)` and injects them with
Powertools' dependency overrides (`app.dependency_overrides[get_services]`), so `functions/`
never imports `local/`.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from functions.backends import RenderBackend
from functions.domain.naming import content_disposition
from functions.domain.services import OutputLocator, Services, ThumbnailRequester, UrlSigner
from functions.models.records import RenderRecord
from functions.models.thumbnail import ThumbnailRequest
from functions.settings import RenderMode, ServiceSettings
from functions.store import Store


class SettingsError(RuntimeError):
    """The environment cannot make a working service (a deployment mistake, said at start-up)."""


def _webhook_secret(settings: ServiceSettings) -> str:
    if settings.webhook_secret or not settings.webhook_secret_name:
        return settings.webhook_secret
    from aws_lambda_powertools.utilities.parameters import get_secret

    secret = get_secret(settings.webhook_secret_name, max_age=300)
    if not isinstance(secret, str):
        raise SettingsError(f"the webhook secret {settings.webhook_secret_name} must be a string secret")
    return secret


def _cloudfront_signer(settings: ServiceSettings) -> UrlSigner:
    from aws_lambda_powertools.utilities.parameters import get_secret
    from botocore.signers import CloudFrontSigner
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    def rsa_signer(message: bytes) -> bytes:
        pem = get_secret(settings.cloudfront_private_key_secret_name, max_age=3600)
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey), "the download signing key must be RSA"
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # what CloudFront's signed URLs use

    signer = CloudFrontSigner(settings.cloudfront_key_pair_id, rsa_signer)

    def signed(bucket: str, key: str, filename: str, seconds: int) -> str:
        # CloudFront fronts the render bucket. The file name is asked of S3 in the signed URL
        # (`response-content-disposition`, which S3 honours on the requests CloudFront signs with
        # its origin access control, and the renders' cache policy forwards): RFC 6266 with the
        # title in UTF-8. The object's own header (Remotion's downloadBehavior) has only the ASCII
        # fallback: Remotion percent-encodes any other name into `filename="..."`, which browsers
        # show as it is. The signature covers the query, so the name cannot be changed.
        url = f"https://{settings.cloudfront_domain}/{quote(key)}"
        if filename:
            url += "?" + urlencode({"response-content-disposition": content_disposition(filename)}, quote_via=quote)
        signed_url: str = signer.generate_presigned_url(
            url, date_less_than=datetime.now(UTC) + timedelta(seconds=seconds)
        )
        return signed_url

    return signed


def _output_locator(settings: ServiceSettings) -> OutputLocator:
    def locate(record: RenderRecord) -> str | None:
        if not record.output_key:
            return None
        if settings.render_mode is RenderMode.LAMBDA and settings.cloudfront_domain:
            return f"https://{settings.cloudfront_domain}/{quote(record.output_key)}"
        return f"s3://{record.bucket_name or settings.bucket_name}/{record.output_key}"

    return locate


def thumbnailer_invoker(settings: ServiceSettings) -> ThumbnailRequester:
    """An asynchronous invocation of the thumbnailer function: Lambda queues the event and answers
    at once (202), then runs it, retried on failure, while the caller has long answered."""

    @lru_cache(maxsize=1)
    def client() -> Any:
        import boto3
        from botocore.config import Config

        # Asked from inside Remotion's webhook, which must answer within 10 s: an Event invocation
        # answers as soon as it is queued, so a slow answer is a failure, not a wait.
        config = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})
        return boto3.client("lambda", region_name=settings.region, config=config)

    def request(thumbnail: ThumbnailRequest) -> None:
        if not settings.thumbnailer_function_name:
            raise SettingsError("THUMBNAILER_FUNCTION_NAME names no function: no thumbnail can be made")
        client().invoke(
            FunctionName=settings.thumbnailer_function_name,
            InvocationType="Event",
            Payload=thumbnail.model_dump_json(by_alias=True).encode(),
        )

    return request


def compose(
    settings: ServiceSettings,
    *,
    store: Store | None = None,
    backend: RenderBackend | None = None,
    sign_download: UrlSigner | None = None,
    request_thumbnail: ThumbnailRequester | None = None,
) -> Services:
    """The services for `settings`; what is not handed in is built for AWS."""
    store = store or Store(table_name=settings.table_name, bucket_name=settings.bucket_name)
    if backend is None:
        if settings.render_mode is not RenderMode.LAMBDA:
            raise SettingsError(
                "RENDER_MODE=local renders on this machine: the local stack supplies that "
                "backend (framecast dev); a Lambda function needs RENDER_MODE=lambda"
            )
        from functions.backends.remotion_lambda_backend import RemotionLambdaBackend

        backend = RemotionLambdaBackend(settings)
    if sign_download is None:
        if not (settings.cloudfront_domain and settings.cloudfront_key_pair_id):
            raise SettingsError(
                "downloads need CLOUDFRONT_DOMAIN and CLOUDFRONT_KEY_PAIR_ID, or a signer handed in by the local stack"
            )
        sign_download = _cloudfront_signer(settings)
    return Services(
        store=store,
        backend=backend,
        settings=settings,
        webhook_secret=_webhook_secret(settings),
        sign_download=sign_download,
        locate_output=_output_locator(settings),
        request_thumbnail=request_thumbnail or thumbnailer_invoker(settings),
    )


@lru_cache(maxsize=1)
def get_services() -> Services:
    """The services of this Lambda container, from its environment (a dependency of every route)."""
    return compose(ServiceSettings.from_env())
