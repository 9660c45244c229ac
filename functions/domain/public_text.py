"""What a user may read of a render's error or warning: the words, never our insides.

Errors come from Remotion, Chromium, ffmpeg, the AWS SDK and our own workers, and they name what
those saw: the renderer's media proxy (`http://localhost:3001/proxy?src=...`), loopback and private
addresses (`http://[::1]:9001`, `127.0.0.1:9000`), files (`/tmp/...`, `/var/task/...`, the
repository's own paths), buckets, ARNs and log links of the account. Each becomes a placeholder;
a public URL (a scene's own remote media) stays, as the user needs it to fix the scene.
"""

import ipaddress
import re
from urllib.parse import urlsplit

INTERNAL_ADDRESS = "<internal address>"
INTERNAL_PATH = "<internal path>"
AWS_RESOURCE = "<aws resource>"

# Host names that only mean something inside our machines or networks.
_INTERNAL_SUFFIXES = (".local", ".internal", ".localhost", ".localdomain", ".lan", ".home.arpa")
# AWS hosts name the account's buckets, functions and logs.
_AWS_SUFFIXES = (".amazonaws.com", ".aws.amazon.com", ".amazonaws.com.cn", ".on.aws", ".cloudfront.net")
# Top folders of this repository and of the Lambda's file system, written relative in stacks.
_REPO_ROOTS = r"(?:node_modules|\.cache|\.venv|render|local|functions|remotion_site|cli|tools|stacks|web|var/task|opt)"

_PATTERN = re.compile(
    r"(?P<arn>\barn:aws[\w-]*:[^\s\"'<>,;]+)"
    r"|(?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+)"
    r"|(?P<ipv6>\[(?=[0-9a-fA-F.]*:[0-9a-fA-F.]*:)[0-9a-fA-F:.]+(?:%\w+)?\](?::\d{1,5})?)"
    r"|(?P<hostport>(?<![\w.-])(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|[\w-]+(?:\.[\w-]+)*(?:"
    + "|".join(re.escape(s) for s in _INTERNAL_SUFFIXES)
    + r"))(?::\d{1,5})?(?![\w.-]))"
    r"|(?P<path>(?<![\w.~:/@-])(?:~|\.{1,2})?(?:/[\w.@%+~=-]+){2,}/?)"
    r"|(?P<relpath>(?<![\w./-])" + _REPO_ROOTS + r"/[\w./@%+=-]+)"
)


def _internal_host(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if not host or "." not in host and ":" not in host:
        return True  # localhost, a container or machine name
    if host.endswith(_INTERNAL_SUFFIXES) or host.endswith(_AWS_SUFFIXES):
        return True
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    # An IP literal says where we are whether or not its range is private; public media is named.
    return True


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group(0)
    if kind == "arn":
        return AWS_RESOURCE
    if kind == "url":
        trailing = ""
        while text and text[-1] in ".,;:)]}!?":  # sentence punctuation after a URL is not part of it
            trailing = text[-1] + trailing
            text = text[:-1]
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
        except ValueError:
            return INTERNAL_ADDRESS + trailing
        if parts.scheme.lower() in ("http", "https", "ws", "wss") and not _internal_host(host):
            return text + trailing
        return (INTERNAL_PATH if parts.scheme.lower() == "file" else INTERNAL_ADDRESS) + trailing
    if kind in ("ipv6", "hostport"):
        return INTERNAL_ADDRESS
    return INTERNAL_PATH


def public_text(text: str) -> str:
    """The text with every internal host, port, path and AWS resource replaced by a placeholder."""
    return _PATTERN.sub(_replace, text)
