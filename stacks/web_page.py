"""The export page (web/dist) under app/ of the bucket, behind the CloudFront distribution, with a
config.json that tells it where the API is and how to sign in with the Cognito user pool."""

from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from stacks.prefixes import PAGE_PREFIX

# The two files of the page whose names carry no content hash (Vite hashes everything else).
UNHASHED = ("index.html", "config.json")


def page_url(domain_name: str) -> str:
    return f"https://{domain_name}/{PAGE_PREFIX}/index.html"


class WebPage(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket: s3.IBucket,
        dist_dir: Path,
        domain_name: str,
        api_url: str,
        user_pool_id: str,
        client_id: str,
        distribution: cloudfront.IDistribution,
    ):
        super().__init__(scope, id)
        region = Stack.of(self).region
        config = {
            "mode": "cognito",
            "apiUrl": api_url,
            "authority": f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}",
            "clientId": client_id,
            "redirectUri": page_url(domain_name),
        }
        s3_deployment.BucketDeployment(
            self,
            "Deployment",
            sources=[s3_deployment.Source.asset(str(dist_dir)), s3_deployment.Source.json_data("config.json", config)],
            # Hashed assets of the previous page stay (no prune), so a browser that still has the old
            # index.html loads whole; the unhashed files are invalidated, so nobody gets a day-old one.
            destination_bucket=bucket,
            destination_key_prefix=PAGE_PREFIX,
            prune=False,
            memory_limit=512,
            distribution=distribution,
            distribution_paths=[f"/{PAGE_PREFIX}/{name}" for name in UNHASHED],
        )
        self.url = page_url(domain_name)
