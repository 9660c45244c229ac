"""The render site in the emulated bucket, where the stack puts it: `sites/<name>/` (Remotion's sites key).

The stack's BucketDeployment copies the bundle folder (.cache/bundle/<hash of the site's sources>)
to that prefix with content types and prunes what is no longer in it; this does the same against
the emulated bucket, so the function's browser loads the very bundle a deploy would serve.
"""

import mimetypes
from pathlib import Path

from stacks.site_bundle import bundle_dir


def deploy_site(s3, bucket: str, sites_key: str, source: Path | None = None) -> int:
    """Upload the bundle under `sites_key`/ and delete what the bundle no longer has; returns the file count."""
    source = source or bundle_dir()
    prefix = sites_key.rstrip("/") + "/"
    wanted = {}
    for path in sorted(source.rglob("*")):
        if path.is_file():
            wanted[prefix + path.relative_to(source).as_posix()] = path
    for key, path in wanted.items():
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type})
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        stale = [{"Key": obj["Key"]} for obj in page.get("Contents", []) if obj["Key"] not in wanted]
        if stale:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": stale})
    return len(wanted)
