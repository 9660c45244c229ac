"""The render site in the emulated bucket, where the stack puts it: `sites/framecast-<content hash>/`.

The stack's RenderSite copies the bundle folder (.cache/bundle/<hash of the site's sources>) under
`stacks.site.site_key(...)` with content types, and never prunes (renders in flight keep their
folder); this does the same against the emulated bucket, so the function's browser loads the very
bundle a deploy would serve, at the same key.
"""

import mimetypes
import os
from pathlib import Path
from typing import Any

from render.bundle import bundle_dir


def site_key(sites_prefix: str, bundle: Path) -> str:
    """The stack's own key for this bundle (stacks/site.py; it loads aws_cdk, hence imported here only)."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # as the Makefile does
    from stacks.site import site_key as stack_site_key

    return stack_site_key(sites_prefix, bundle)


def current_bundle() -> Path:
    return bundle_dir()


def deploy_site(s3: Any, bucket: str, key: str, source: Path) -> int:
    """Upload the bundle folder under `key`/; returns the file count."""
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_file():
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            s3.upload_file(
                str(path),
                bucket,
                f"{key}/{path.relative_to(source).as_posix()}",
                ExtraArgs={"ContentType": content_type},
            )
            count += 1
    return count
