"""Honest downloads in local mode: links served by the local stack, which checks their signature and
expiry; the emulator's port never appears in one."""

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from functions.models.records import RenderStatus
from local.auth import BadLink, DownloadSigner
from tests.helpers.api import Client
from tests.helpers.http import assert_error_envelope
from tests.helpers.records import place_in_flight
from tests.unit.test_public_names import saved_names


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture(scope="module")
def stored(stack):
    """An object in the stack's bucket, as a finished render leaves its file."""
    key = "renders/rnd_test/out.mp4"
    body = bytes(range(256)) * 400
    stack.aws.client("s3").put_object(Bucket="remotionlambda-local", Key=key, Body=body, ContentType="video/mp4")
    return key, body


def test_a_signed_link_serves_the_file_as_an_attachment_with_ranges(stack, stored):
    key, body = stored
    url = stack.download_signer("remotionlambda-local", key, "My video.mp4", 60)
    assert url.startswith(stack.url + "/downloads/") and str(stack.emulator_port) not in url
    status, headers, data = _get(url)
    assert (status, data) == (200, body)
    assert headers["content-type"] == "video/mp4"
    assert headers["content-disposition"] == 'attachment; filename="My video.mp4"'
    status, headers, data = _get(url, {"Range": "bytes=10-19"})
    assert (status, data, headers["content-range"]) == (206, body[10:20], f"bytes 10-19/{len(body)}")


def test_an_expired_link_is_403(stack, stored):
    key, _ = stored
    url = stack.download_signer("remotionlambda-local", key, "a.mp4", -1)
    status, headers, data = _get(url)
    assert assert_error_envelope(status, headers, data, 403)["code"] == "link_expired"


@pytest.mark.parametrize("change", ["key", "filename", "expires", "signature", "bucket", "no-signature"])
def test_a_forged_or_altered_link_is_403(stack, stored, change):
    key, _ = stored
    url = urlsplit(stack.download_signer("remotionlambda-local", key, "a.mp4", 60))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    path = url.path
    if change == "key":
        path = path.replace("out.mp4", "other.mp4")
    elif change == "bucket":
        path = path.replace("remotionlambda-local", "another-bucket")
    elif change == "no-signature":
        del query["signature"]
    elif change == "expires":
        query["expires"] = str(int(query["expires"]) + 3600)  # a longer life than was signed
    elif change == "signature":
        query["signature"] = "0" * 64
    else:
        query["filename"] = "b.mp4"
    status, headers, data = _get(f"{stack.url}{path}?{urlencode(query)}")
    assert assert_error_envelope(status, headers, data, 403)["code"] == "forbidden"


def test_a_link_signed_with_another_key_is_refused():
    ours, theirs = DownloadSigner("http://x", "k1"), DownloadSigner("http://x", "k2")
    query = parse_qs(urlsplit(theirs("b", "k", "f", 60)).query)
    with pytest.raises(BadLink):
        ours.check("b", "k", "f", query["expires"][0], query["signature"][0])


def test_the_api_answers_a_link_to_the_stack_that_counts_and_serves_the_file(stack, stored):
    """POST /renders/{id}/downloads on a finished render: the link is the stack's, and it works."""
    from functions.domain import lifecycle

    key, body = stored
    client = Client(stack.url, "downloader")
    services = stack.services
    record = place_in_flight(services.store, client.user, output_key=key)  # where this render writes its file
    assert lifecycle.finish(services, record, RenderStatus.SUCCEEDED)
    status, link, _ = client.call("POST", f"/renders/{record.render_id}/downloads")
    assert status == 200 and link["url"].startswith(stack.url + "/downloads/remotionlambda-local/")
    status, headers, data = _get(link["url"])
    assert (status, data) == (200, body)
    assert headers["content-disposition"] == 'attachment; filename="In-flight.mp4"'


TITLES = {
    "arabic": "مرحبا بالعالم",
    "emoji": "🎉 Launch 🚀",
    "quotes": 'He said "hi" & left',
}


@pytest.mark.parametrize("title", TITLES.values(), ids=TITLES.keys())
def test_the_download_keeps_a_title_in_any_script_as_rfc_6266(stack, stored, title):
    """The API's link for a render titled in Arabic, emoji or quotes: the saved file keeps the
    title (filename*, RFC 6266/8187), with an ASCII fallback for old clients; the header is ASCII."""
    from functions.domain import lifecycle
    from functions.domain.naming import download_name

    key, _ = stored
    client = Client(stack.url, "downloader-" + title.encode().hex()[:8])
    services = stack.services
    record = place_in_flight(services.store, client.user, output_key=key, title=title)
    assert lifecycle.finish(services, record, RenderStatus.SUCCEEDED)
    status, link, _ = client.call("POST", f"/renders/{record.render_id}/downloads")
    assert status == 200
    status, headers, _ = _get(link["url"])
    assert status == 200
    header = headers["content-disposition"]
    saved, plain = saved_names(header)
    assert saved == download_name(title, "mp4")  # what a browser saves it as
    assert saved.startswith(title.split()[0].replace('"', "'"))
    assert plain.endswith(".mp4") and plain.isascii() and not plain.startswith("-")
