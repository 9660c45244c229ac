"""The Remotion bundle, deployed under sites/; a new deployment whenever the site's sources change."""

from pathlib import Path

from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct


class RenderSite(Construct):
    def __init__(self, scope: Construct, id: str, *, bucket: s3.IBucket, bundle_dir: Path, sites_prefix: str,
                 domain_name: str):
        super().__init__(scope, id)
        # The bundle folder is named by the hash of the site's sources (.cache/bundle/<hash>), so the
        # asset, and with it the deployment, changes exactly when the sources do.
        s3_deployment.BucketDeployment(
            self, "Deployment", sources=[s3_deployment.Source.asset(str(bundle_dir))],
            destination_bucket=bucket, destination_key_prefix=sites_prefix, prune=True, memory_limit=512,
        )
        self.serve_url = f"https://{domain_name}/{sites_prefix}/index.html"
