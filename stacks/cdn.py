"""CloudFront in front of the bucket: origin access control, HTTPS only, security headers.

`sites/` (the Remotion bundle the render function's browser loads) and `app/` (the export page)
are served openly; everything else (the renders) only through signed URLs of a key group whose
private key is in Secrets Manager.
"""

from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct


class Cdn(Construct):
    def __init__(self, scope: Construct, id: str, *, bucket: s3.IBucket, logs_bucket: s3.IBucket,
                 public_key_pem: str, sites_prefix: str, page_prefix: str):
        super().__init__(scope, id)
        self.public_key = cloudfront.PublicKey(self, "DownloadKey", encoded_key=public_key_pem,
                                               comment="Signs Framecast download URLs")
        self.key_group = cloudfront.KeyGroup(self, "DownloadKeyGroup", items=[self.public_key])
        # The operator puts the private key of public_key_pem here (docs/deploy.md).
        self.private_key_secret = secretsmanager.Secret(
            self, "DownloadPrivateKey", description="PEM private key for CloudFront signed download URLs",
            removal_policy=RemovalPolicy.RETAIN,
        )
        origin = origins.S3BucketOrigin.with_origin_access_control(bucket)
        headers = cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment="Framecast: renders (signed URLs) and the Remotion site",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                trusted_key_groups=[self.key_group],
                response_headers_policy=headers,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            # The Remotion site and the export page are public code; no signature needed.
            additional_behaviors={
                f"{prefix}/*": cloudfront.BehaviorOptions(
                    origin=origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    response_headers_policy=headers,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                )
                for prefix in (sites_prefix, page_prefix)
            },
            enable_logging=True, log_bucket=logs_bucket, log_file_prefix="cloudfront/",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
