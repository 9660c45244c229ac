"""Ids, file names and hashes the service makes up."""

import hashlib
import re
import secrets


def new_render_id(at: float) -> str:
    # Time first, so that renders sort newest first by their id.
    return f"rnd_{int(at * 1000):012x}{secrets.token_hex(4)}"


def new_project_id() -> str:
    return "prj_" + secrets.token_hex(8)


def download_name(title: str, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "", title).strip().replace(" ", "-") or "framecast"
    return f"{stem[:80]}.{extension}"


def hash_ip(ip: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{ip}".encode()).hexdigest()[:32]
