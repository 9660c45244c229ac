"""The Remotion bundle, deployed under sites/<name>/ where the name carries a hash of its content.

Remotion names each deployed site (deploySite's default siteName is a random hash) and never
rewrites one in place; so do we, with a content hash: a redeploy with changed sources makes a new
folder and a new serve URL, which the API function is given, while renders already running keep
reading the folder they started with. Old folders are not pruned for the same reason
(docs/deploy.md says how to remove them).
"""

import hashlib
from pathlib import Path

from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

SITE_NAME = "framecast"


def content_hash(directory: Path) -> str:
    """sha256 over every file's relative path and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def site_key(sites_prefix: str, bundle_dir: Path) -> str:
    """`sites/framecast-<hash>`: Remotion's getSitesKey(siteName) with a content-hashed site name."""
    return f"{sites_prefix.rstrip('/')}/{SITE_NAME}-{content_hash(bundle_dir)}"


class RenderSite(Construct):
    def __init__(
        self, scope: Construct, id: str, *, bucket: s3.IBucket, bundle_dir: Path, sites_prefix: str, domain_name: str
    ):
        super().__init__(scope, id)
        self.key = site_key(sites_prefix, bundle_dir)
        s3_deployment.BucketDeployment(
            self,
            "Deployment",
            sources=[s3_deployment.Source.asset(str(bundle_dir))],
            destination_bucket=bucket,
            destination_key_prefix=self.key,
            prune=False,
            memory_limit=512,
        )
        self.serve_url = f"https://{domain_name}/{self.key}/index.html"
