"""Ids, file names and hashes the service makes up."""

import hashlib
import re
import secrets
import unicodedata
from urllib.parse import quote


def new_render_id(at: float) -> str:
    # Time first, so that renders sort newest first by their id.
    return f"rnd_{int(at * 1000):012x}{secrets.token_hex(4)}"


def new_project_id() -> str:
    return "prj_" + secrets.token_hex(8)


# Characters no file system or browser keeps in a file name (path separators, Windows' reserved
# ones), replaced by a dash as spaces are.
_NOT_IN_FILE_NAMES = re.compile(r"[<>:/\\|?*\s]+")
# Zero-width (non-)joiners shape Arabic and Persian words and join emoji sequences: format
# characters that are kept. Every other one (bidi overrides that would show "gif.exe" as "exe.gif",
# zero-width spaces) and every control character goes.
_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
_MAX_STEM = 80  # characters of the title kept in the name


def download_name(title: str, extension: str) -> str:
    """The file name a download is saved under: the project's title, in any script (Arabic, emoji,
    accents, quotes), made safe for file systems; `framecast` when nothing of it is left."""
    text = unicodedata.normalize("NFC", title).replace('"', "'")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in _KEPT_FORMAT_CHARACTERS)
    stem = _NOT_IN_FILE_NAMES.sub("-", text).strip(" .-")[:_MAX_STEM].rstrip(" .-") or "framecast"
    return f"{stem}.{extension}"


def ascii_download_name(filename: str) -> str:
    """The name for clients that read only `filename="..."` (RFC 6266's fallback), and for Remotion's
    downloadBehavior: letters without their accents, anything else outside ASCII dropped."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "-", plain).strip(" .-")
    plain = re.sub(r"-{2,}", "-", plain)
    if not re.search(r"[A-Za-z0-9]", plain):
        plain = "framecast"
    return f"{plain}.{extension}" if extension else plain


def content_disposition(filename: str) -> str:
    """An attachment under `filename` (RFC 6266): the UTF-8 name in `filename*` (RFC 8187), and an
    ASCII one in `filename` for clients that know no better; both header-safe (latin-1, no quotes)."""
    fallback = ascii_download_name(filename) if filename else "download"
    if fallback == filename:
        return f'attachment; filename="{fallback}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def hash_ip(ip: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{ip}".encode()).hexdigest()[:32]
