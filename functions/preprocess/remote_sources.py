"""URLs written in a scene's source that the render will refuse to fetch: said before the render, as a
warning naming the scene, on both backends.

The walls themselves are in the render (the page's Content-Security-Policy, its media guard and the
Node-side network guard, docs/security.md); they hold for URLs a scene builds at run time too. This
is the courtesy for the common case, a literal `http://localhost:3000/song.mp3` copied from a
developer's machine: on Lambda the page's own warning reaches only the function's log.
"""

import ipaddress
import re
from urllib.parse import urlsplit

# The same names the network guard refuses (render/worker/net_guard.cjs).
_LOCAL_SUFFIXES = (
    "localhost",
    "local",
    "internal",
    "localdomain",
    "home.arpa",
    "lan",
    "intranet",
    "corp",
    "test",
    "invalid",
)
_URL = re.compile(r"\b(?:https?|wss?)://[^\s'\"`<>(){}\\]+")


def refused_reason(url: str) -> str | None:
    """Why the render will never fetch `url`, or None when it may. Plain http to a public host is
    not warned about (the page refuses it too): a scene that shows a web address as text is common."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return None  # not a URL the render could use either; its own error will say so
    try:
        ipaddress.ip_address(host)
        return "an IP address is never fetched: media must come from a public host by name"
    except ValueError:
        pass
    if any(host == suffix or host.endswith(f".{suffix}") for suffix in _LOCAL_SUFFIXES) or "." not in host:
        return f"{host or 'it'} is not a public host name"
    return None


def remote_source_warnings(scene_id: str, scene_name: str, code: str) -> list[str]:
    """One warning for each distinct literal URL of the scene's compiled code (its comments gone)
    that the render will refuse."""
    warnings = []
    for url in dict.fromkeys(match.group(0).rstrip(".,;:") for match in _URL.finditer(code)):
        reason = refused_reason(url)
        if reason:
            warnings.append(
                f'scene "{scene_id}" ({scene_name}) names {url}: if it loads it, the render will not fetch it: {reason}'
            )
    return warnings
