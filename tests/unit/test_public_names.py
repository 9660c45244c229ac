"""What users read: errors without our insides, and download names that keep the title (RFC 6266)."""

import base64
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from functions.domain.naming import ascii_download_name, content_disposition, download_name
from functions.domain.public_text import public_text
from functions.settings import RenderMode, ServiceSettings

# --- errors ---------------------------------------------------------------------------------------

# Texts as Remotion, Chromium, Node, ffmpeg and the AWS SDK write them, with what must not survive.
LEAKY = [
    ("Error loading http://localhost:3001/proxy?src=http%3A%2F%2F127.0.0.1%3A8000%2Fa.mp3&time=0", "localhost"),
    ("fetch failed: http://[::1]:45123/a.mp3", "::1"),
    ("connect ECONNREFUSED 127.0.0.1:9001", "127.0.0.1"),
    ("getaddrinfo ENOTFOUND http://169.254.169.254/latest/meta-data", "169.254"),
    ("ENOENT: no such file or directory, open '/tmp/framecast-renders-x1/rnd_1.mp4'", "/tmp"),
    ("at renderChunk (/work/main/render/worker/worker.mjs:160:5)", "/work"),
    ("at file:///var/task/index.mjs:1:2", "/var/task"),
    ("node_modules/@remotion/renderer/dist/render-media.js:12", "node_modules"),
    ("see render/worker/worker.mjs:148 and .cache/bundle/index.html", "worker.mjs"),
    ("arn:aws:lambda:eu-central-1:123456789012:function:remotion-render failed", "123456789012"),
    ("https://s3.eu-central-1.amazonaws.com/remotionlambda-eucentral1-abc/renders/x/out.mp4", "remotionlambda"),
    ("logs: https://eu-central-1.console.aws.amazon.com/cloudwatch/home#logsV2", "console.aws"),
    ("http://minio:9000/bucket, db.internal:5432, printer.local, [fe80::1%eth0]:80", "minio"),
    ("http://10.0.0.5/x and 192.168.1.2:8080", "192.168"),
]


@pytest.mark.parametrize(("text", "secret"), LEAKY)
def test_an_error_text_names_no_internal_host_port_or_path(text, secret):
    shown = public_text(text)
    assert secret not in shown, shown
    assert not re.search(r"(localhost|127\.0\.0\.1|\[::1\]|/tmp/|/work/|:\d{4,5}\b)", shown), shown
    assert "<internal" in shown or "<aws resource>" in shown


@pytest.mark.parametrize(
    "text",
    [
        'scene "intro" (Intro) threw while rendering: Cannot read properties of undefined; a fallback frame was shown',
        "could not load https://cdn.example.com/media/a.mp3 (404).",
        "frame 3/30 at 1/2 speed and/or later; Remotion 4.0.527; [Main:1]",
        "Rate Exceeded. the scene said so",
    ],
)
def test_what_the_user_needs_to_fix_a_scene_stays(text):
    assert public_text(text) == text


# --- download names ---------------------------------------------------------------------------------

TITLES = {
    "arabic": ("مرحبا بالعالم", "مرحبا-بالعالم.gif"),
    "emoji": ("🎉 Launch 🚀", "🎉-Launch-🚀.gif"),
    "family-emoji": ("👨\u200d👩\u200d👧 day", "👨\u200d👩\u200d👧-day.gif"),
    "quotes": ('He said "hi" & left', "He-said-'hi'-&-left.gif"),
    "accents": ("Café déjà vu", "Café-déjà-vu.gif"),
    "bidi-override": ("\u202egif.exe", "gif.exe.gif"),
    "separators": ("a/b\\c:d*e?f<g>|", "a-b-c-d-e-f-g.gif"),
    "nothing-left": (" ... ", "framecast.gif"),
}


def saved_names(header: str) -> tuple[str, str]:
    """(what a browser saves the file as, the ASCII fallback) from a Content-Disposition, as RFC 6266
    reads it: `filename*` (RFC 8187, UTF-8) wins over `filename`."""
    header.encode("ascii")  # an HTTP header is never anything else
    assert header.startswith("attachment"), header
    plain = re.search(r'(?:^|;)\s*filename="([^"\\]*)"', header)
    assert plain, header
    extended = re.search(r"(?:^|;)\s*filename\*=UTF-8''([!#$&+.^_`|~0-9A-Za-z%-]+)", header)
    saved = unquote(extended.group(1), encoding="utf-8", errors="strict") if extended else plain.group(1)
    return saved, plain.group(1)


@pytest.mark.parametrize(("title", "name"), TITLES.values(), ids=TITLES.keys())
def test_a_download_keeps_its_title_with_an_ascii_fallback(title, name):
    assert download_name(title, "gif") == name
    saved, plain = saved_names(content_disposition(name))
    assert saved == name
    assert plain == ascii_download_name(name) and plain.isascii() and plain.endswith(".gif")
    assert re.fullmatch(r"[A-Za-z0-9._ -]+", plain) and not plain.startswith(("-", "."))


def test_the_ascii_fallback_keeps_what_ascii_can_say():
    assert ascii_download_name("Café-déjà-vu.gif") == "Cafe-deja-vu.gif"
    assert ascii_download_name("🎉-Launch-🚀.gif") == "Launch.gif"
    assert ascii_download_name("مرحبا-بالعالم.gif") == "framecast.gif"
    assert content_disposition("Test-export.gif") == 'attachment; filename="Test-export.gif"'  # no filename*


# --- the CloudFront signed link ----------------------------------------------------------------------


def test_the_cloudfront_link_asks_s3_for_the_titles_name_under_its_signature(monkeypatch):
    """The AWS download path: the signed URL carries `response-content-disposition` (RFC 6266 with
    the title), and the canned policy's signature covers it, so nobody can change the name."""
    from aws_lambda_powertools.utilities import parameters

    from functions import wiring

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    monkeypatch.setattr(parameters, "get_secret", lambda name, **_: pem)
    settings = ServiceSettings(
        TABLE_NAME="t",
        BUCKET_NAME="remotionlambda-eucentral1-abc",
        RENDER_MODE=RenderMode.LAMBDA,
        AWS_REGION="eu-central-1",
        CLOUDFRONT_DOMAIN="d111.cloudfront.net",
        CLOUDFRONT_KEY_PAIR_ID="K2JCJMDEHXQW5F",
        CLOUDFRONT_PRIVATE_KEY_SECRET_NAME="download-key",
    )
    title = 'مرحبا 🎉 "launch"'
    url = wiring._cloudfront_signer(settings)("b", "renders/abc/out.gif", download_name(title, "gif"), 300)

    parts = urlsplit(url)
    assert parts.netloc == "d111.cloudfront.net" and parts.path == "/renders/abc/out.gif"
    query = parse_qs(parts.query, strict_parsing=True)
    saved, plain = saved_names(query["response-content-disposition"][0])
    assert saved == download_name(title, "gif") and saved.startswith("مرحبا-🎉")
    assert plain == "launch.gif"

    # CloudFront's canned policy: the resource is the URL up to its own Expires parameter.
    resource = url[: url.index("&Expires=")]
    policy = json.dumps(
        {
            "Statement": [
                {"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": int(query["Expires"][0])}}}
            ]
        },
        separators=(",", ":"),
    ).encode()
    signature = base64.b64decode(query["Signature"][0].replace("-", "+").replace("_", "=").replace("~", "/"))
    key.public_key().verify(signature, policy, padding.PKCS1v15(), hashes.SHA1())  # raises if not covered
    assert "response-content-disposition=" in resource
