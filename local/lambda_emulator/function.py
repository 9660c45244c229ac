"""The pinned Remotion render function, emulated on this machine: its Invoke API, its S3, its site.

    with RemotionLambdaEmulator(moto_port, bucket) as function:
        os.environ |= function.service_environment()   # what RENDER_MODE=lambda reads

Everything else in the local stack stays as it is: the service calls the function through the
official `remotion_lambda` client, the function reaches S3 (moto, through the logging front that
applies S3's ACL rule) and Lambda (this emulator) through the AWS SDK's endpoint variables, and
posts its real webhook to the stack's webhook route.
"""

import logging
import threading
from pathlib import Path

import boto3

from local.lambda_emulator.function_dir import REPO_ROOT, prepare
from local.lambda_emulator.invoker import FunctionConfig, namespace_command
from local.lambda_emulator.lambda_api import LambdaApi
from local.lambda_emulator.s3_front import S3Front
from local.lambda_emulator.site import deploy_site
from local.lambda_emulator.site_origin import SiteOrigin
from stacks.remotion_facts import TIMEOUT_SECONDS, remotion_facts

# What stacks/storage.py gives the Remotion bucket. The function writes progress.json and more
# with `x-amz-acl: private` whatever the render's privacy, which BucketOwnerEnforced refuses.
BUCKET_OBJECT_OWNERSHIP = "BucketOwnerPreferred"
DEFAULT_STATE_DIR = REPO_ROOT / ".cache/lambda-emulator"
logger = logging.getLogger(__name__)


class RemotionLambdaEmulator:
    def __init__(self, moto_port: int, bucket: str, region: str = "us-east-1", *,
                 timeout_seconds: float = TIMEOUT_SECONDS, renderer_slots: int | None = None,
                 state_dir: Path = DEFAULT_STATE_DIR, object_ownership: str = BUCKET_OBJECT_OWNERSHIP):
        namespace_command()  # refuse here, before anything starts, where no private /tmp can be made
        facts = remotion_facts(region)
        self.bucket, self.region, self.object_ownership = bucket, region, object_ownership
        self.moto_url = f"http://127.0.0.1:{moto_port}"
        self.function_name, self.sites_key, self.version = facts.function_name, facts.sites_key, facts.version
        self.state_dir = state_dir
        self.s3 = S3Front(moto_port, state_dir / "s3-requests.jsonl")
        self.site_origin = SiteOrigin(self.s3.url, bucket, (self.sites_key,), region)
        self.config = FunctionConfig(
            function_dir=prepare(), function_name=self.function_name, region=region, log_dir=state_dir / "logs",
            timeout_seconds=timeout_seconds,
            environment={"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                         "AWS_ENDPOINT_URL_S3": self.s3.url, "AWS_ENDPOINT_URL_LAMBDA": "", "NODE_OPTIONS": ""},
        )
        self.api = LambdaApi(self.config, renderer_slots=renderer_slots, record_path=state_dir / "invocations.jsonl")
        self.config.environment["AWS_ENDPOINT_URL_LAMBDA"] = self.api.url
        self._threads = []

    @property
    def serve_url(self) -> str:
        """The site as the function's browser loads it: the stack's https://<distribution>/sites/<name>/index.html."""
        return f"{self.site_origin.url}/{self.sites_key}/index.html"

    def service_environment(self) -> dict[str, str]:
        """What the service needs to run RENDER_MODE=lambda against this function."""
        return {
            "RENDER_MODE": "lambda",
            "REMOTION_FUNCTION_NAME": self.function_name,
            "REMOTION_SERVE_URL": self.serve_url,
            "AWS_REGION": self.region,
            "BUCKET_NAME": self.bucket,
            "AWS_ENDPOINT_URL_LAMBDA": self.api.url,
            # The client's own S3 calls (large props, bucket discovery) meet the same ACL rule.
            "AWS_ENDPOINT_URL_S3": self.s3.url,
            "RENDER_TIMEOUT_SECONDS": str(max(10, int(self.config.timeout_seconds))),
        }

    def serve(self) -> None:
        """Answer on the S3 front and the Invoke API (their ports are taken at construction)."""
        for server, name in ((self.s3, "s3-front"), (self.site_origin, "site-origin"), (self.api, "lambda-api")):
            thread = threading.Thread(target=server.serve_forever, daemon=True, name=name)
            thread.start()
            self._threads.append(thread)

    def s3_client(self):
        """A client of the emulated S3 through the front (ACL rule and request log included)."""
        return boto3.client("s3", endpoint_url=self.s3.url, region_name=self.region,
                            aws_access_key_id="local", aws_secret_access_key="local")

    def deploy(self) -> None:
        """The bucket set up as the stack sets it up, and the render site in it; the bucket must exist."""
        s3 = boto3.client("s3", endpoint_url=self.moto_url, region_name=self.region,
                          aws_access_key_id="local", aws_secret_access_key="local")
        s3.put_bucket_ownership_controls(Bucket=self.bucket, OwnershipControls={
            "Rules": [{"ObjectOwnership": self.object_ownership}]})
        files = deploy_site(s3, self.bucket, self.sites_key)
        logger.info("render site deployed: %d files under s3://%s/%s/", files, self.bucket, self.sites_key)

    def start(self) -> "RemotionLambdaEmulator":
        self.serve()
        self.deploy()
        return self

    def stop(self) -> None:
        self.api.close()
        for server in (self.site_origin, self.s3):
            server.shutdown()
            server.server_close()

    def __enter__(self) -> "RemotionLambdaEmulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
