"""What the domain works with, handed in by the composition root (functions/wiring.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from functions.backends import RenderBackend
from functions.limits import Limits
from functions.models.records import RenderRecord
from functions.models.thumbnail import ThumbnailRequest
from functions.settings import ServiceSettings
from functions.store import Store

# (bucket, key, download filename, seconds valid) -> a URL the browser can fetch the object from.
UrlSigner = Callable[[str, str, str, int], str]
# record -> where its file is (not a download link: downloads are counted through their own route).
OutputLocator = Callable[[RenderRecord], str | None]
# Hands a finished export's still to the thumbnailer, which makes it later (an asynchronous
# invocation on AWS, a thread of the local stack): whoever ends an export never waits for a still.
ThumbnailRequester = Callable[[ThumbnailRequest], None]


@dataclass(frozen=True)
class Services:
    store: Store
    backend: RenderBackend
    settings: ServiceSettings
    webhook_secret: str
    sign_download: UrlSigner
    locate_output: OutputLocator
    request_thumbnail: ThumbnailRequester

    @property
    def limits(self) -> Limits:
        return Limits(max_render_duration_minutes=self.settings.max_render_duration_minutes)
