"""CloudFront in front of the bucket and the API: origin access control, HTTPS only, security headers,
Brotli and gzip.

`sites/` (the Remotion bundles the render function's browser loads) and `app/` (the export page)
are served openly; `api/*` goes to the HTTP API (the page's calls, compressed by CloudFront);
everything else (the renders) only through signed URLs of a key group whose private key is in
Secrets Manager.
"""

from typing import Any

from aws_cdk import Duration, Fn, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

API_PATH = "api"

# `/api/renders/1` reaches the HTTP API as `/renders/1`: its routes have no prefix.
_STRIP_API_PREFIX = f"""function handler(event) {{
  var request = event.request;
  request.uri = request.uri.substring({len(API_PATH) + 1}) || '/';
  return request;
}}"""


class Cdn(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket: s3.IBucket,
        logs_bucket: s3.IBucket,
        public_key_pem: str,
        page_prefix: str,
        sites_prefix: str,
    ):
        super().__init__(scope, id)
        self.public_key = cloudfront.PublicKey(
            self, "DownloadKey", encoded_key=public_key_pem, comment="Signs Framecast download URLs"
        )
        self.key_group = cloudfront.KeyGroup(self, "DownloadKeyGroup", items=[self.public_key])
        # The operator puts the private key of public_key_pem here (docs/deploy.md).
        self.private_key_secret = secretsmanager.Secret(
            self,
            "DownloadPrivateKey",
            description="PEM private key for CloudFront signed download URLs",
            removal_policy=RemovalPolicy.RETAIN,
        )
        origin = origins.S3BucketOrigin.with_origin_access_control(bucket)
        self.headers = cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS
        # Like the managed CachingOptimized, stated here so that Brotli and gzip are ours to see.
        cached: dict[str, Any] = {
            "default_ttl": Duration.days(1),
            "min_ttl": Duration.seconds(1),
            "max_ttl": Duration.days(365),
            "enable_accept_encoding_brotli": True,
            "enable_accept_encoding_gzip": True,
        }
        self.static_cache = cloudfront.CachePolicy(
            self,
            "Static",
            comment="Framecast: static files and renders, Brotli and gzip",
            **cached,
        )
        # The renders: as Static, with the download link's `response-content-disposition` in the
        # cache key and so forwarded to S3, which answers with that header (the title's file name,
        # RFC 6266; functions/wiring.py). The link's signature covers it.
        self.renders_cache = cloudfront.CachePolicy(
            self,
            "Renders",
            comment="Framecast: renders, their download name from the signed link",
            **cached,
            query_string_behavior=cloudfront.CacheQueryStringBehavior.allow_list("response-content-disposition"),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Framecast: renders (signed URLs), the Remotion site, the page and its API",
            default_behavior=self._behavior(
                origin, trusted_key_groups=[self.key_group], cache_policy=self.renders_cache
            ),
            # The Remotion site and the export page are public code; no signature needed.
            additional_behaviors={f"{prefix}/*": self._behavior(origin) for prefix in (sites_prefix, page_prefix)},
            enable_logging=True,
            log_bucket=logs_bucket,
            log_file_prefix="cloudfront/",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )

    def _behavior(self, origin: cloudfront.IOrigin, **extra: Any) -> cloudfront.BehaviorOptions:
        options = {"cache_policy": self.static_cache, **extra}
        return cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            response_headers_policy=self.headers,
            compress=True,
            **options,
        )

    def add_api(self, api_endpoint: str) -> str:
        """Serve the HTTP API under /api/ of the distribution; returns that base URL."""
        # No caching in effect (the API sends no cache headers, so the default TTL of 0 applies), but a
        # maximum TTL above 0, because CloudFront compresses only where the policy may cache. The
        # Authorization header is in the key so that nothing is ever shared between users.
        api_cache = cloudfront.CachePolicy(
            self,
            "Api",
            comment="Framecast API: per-user key, no caching, Brotli and gzip",
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.seconds(1),
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization"),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            enable_accept_encoding_brotli=True,
            enable_accept_encoding_gzip=True,
        )
        strip = cloudfront.Function(
            self,
            "StripApiPrefix",
            code=cloudfront.FunctionCode.from_inline(_STRIP_API_PREFIX),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Framecast: /api/<route> to the HTTP API's /<route>",
        )
        host = Fn.select(2, Fn.split("/", api_endpoint))
        self.distribution.add_behavior(
            f"{API_PATH}/*",
            origins.HttpOrigin(host, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=api_cache,
            compress=True,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.headers,
            function_associations=[
                cloudfront.FunctionAssociation(function=strip, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)
            ],
        )
        return f"https://{self.distribution.distribution_domain_name}/{API_PATH}"
