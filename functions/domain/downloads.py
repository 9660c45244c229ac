"""Downloads: each one counted (user agent, hashed IP), answered with a link that expires."""

import secrets

from functions.domain import clock
from functions.domain.naming import download_name, hash_ip
from functions.domain.services import Services
from functions.errors import Conflict, NotFound
from functions.models.api import DownloadResponse
from functions.models.records import DownloadEvent, RenderStatus


def record_download(services: Services, user_id: str, render_id: str, user_agent: str, ip: str) -> DownloadResponse:
    record = services.store.get_render(user_id, render_id)
    if record is None:
        raise NotFound(f"render {render_id} was not found")
    if record.status is not RenderStatus.SUCCEEDED or not record.output_key:
        raise Conflict(f"render {render_id} has no file to download: it is {record.status.value}")
    at = clock.now()
    event = DownloadEvent(
        render_id=render_id,
        at=clock.iso(at),
        user_agent=user_agent[:512],
        ip_hash=hash_ip(ip, services.settings.ip_hash_salt),
    )
    services.store.record_download(record, event, secrets.token_hex(4), now=int(at))
    seconds = services.settings.download_url_seconds
    bucket = record.bucket_name or services.settings.bucket_name
    url = services.sign_download(bucket, record.output_key, download_name(record.title, record.format.value), seconds)
    return DownloadResponse(url=url, expires_at=clock.iso(at + seconds))
