"""MiniStack's start-up with the CloudFormation resource types it does not know, and nothing else.

    <emulator venv>/bin/python local/aws_emulator/shims.py      (environment.py starts it so)

MiniStack 1.5.33 fails a deploy on `AWS::CloudFront::PublicKey`, `AWS::CloudFront::KeyGroup` and
`AWS::WAFv2::WebACLAssociation` ("Unsupported resource type"). Each shim below writes into MiniStack's
own CloudFront or WAF store, so the APIs read back what the template asked for (GetPublicKey,
GetKeyGroup, GetWebACLForResource), and says what AWS does that it does not.

Two behaviours are mended too, each in a few lines:
- `origin_fetch_over_tls`: MiniStack's CloudFront reads an S3 origin in-process and its bucket-policy
  check then sees `aws:SecureTransport` false, so the stack's enforce-SSL statement denied every
  origin fetch; CloudFront reaches S3 origins over HTTPS.
- `empty_proxy_body`: a Lambda proxy answer without a body (the API's 204s) crashed MiniStack's HTTP
  API with a 500; API Gateway sends an empty body.

This file runs in MiniStack's environment: it imports only MiniStack and the standard library.
"""

import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ministack import app as ministack_app  # type: ignore[import-not-found]
from ministack.core import iam_evaluator  # type: ignore[import-not-found]
from ministack.services import cloudfront, s3, waf  # type: ignore[import-not-found]
from ministack.services.cloudformation import provisioners  # type: ignore[import-not-found]

Props = dict[str, Any]
Created = tuple[str, dict[str, str]]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# AWS::CloudFront::PublicKey. AWS also checks that EncodedKey is an RSA 2048 public key in PEM and
# refuses a second key with the same CallerReference; the shim stores the key as given.
def public_key_create(logical_id: str, props: Props, stack_name: str) -> Created:
    config = props["PublicKeyConfig"]
    key_id = cloudfront._pk_id()
    cloudfront._public_keys[key_id] = {
        "Id": key_id,
        "ETag": uuid.uuid4().hex,
        "CreatedTime": _now(),
        "Config": {
            "CallerReference": config["CallerReference"],
            "Name": config["Name"],
            "EncodedKey": config["EncodedKey"],
            "Comment": config.get("Comment", ""),
        },
    }
    return key_id, {"Id": key_id, "CreatedTime": cloudfront._public_keys[key_id]["CreatedTime"]}


def public_key_delete(physical_id: str, props: Props) -> None:
    # AWS refuses to delete a key a key group still uses (PublicKeyInUse); the shim does not check.
    cloudfront._public_keys.pop(physical_id, None)


# AWS::CloudFront::KeyGroup. AWS checks that every item is an existing public key, at most 5 per group
# (MiniStack's distribution does not verify signed URLs against the group at all: see docs/deploy.md).
def key_group_create(logical_id: str, props: Props, stack_name: str) -> Created:
    config = props["KeyGroupConfig"]
    missing = [item for item in config["Items"] if item not in cloudfront._public_keys]
    if missing:
        raise ValueError(f"AWS::CloudFront::KeyGroup {logical_id}: no such public key {', '.join(missing)}")
    group_id = cloudfront._kg_id()
    modified = _now()
    cloudfront._key_groups[group_id] = {
        "Id": group_id,
        "ETag": uuid.uuid4().hex,
        "LastModifiedTime": modified,
        "Config": {"Name": config["Name"], "Items": list(config["Items"]), "Comment": config.get("Comment", "")},
    }
    return group_id, {"Id": group_id, "LastModifiedTime": modified}


def key_group_update(physical_id: str, old: Props, new: Props, stack_name: str) -> Created:
    # Items and Comment change in place on AWS too (key rotation); the id stays.
    group = cloudfront._key_groups[physical_id]
    group["Config"] = {**group["Config"], "Items": list(new["KeyGroupConfig"]["Items"])}
    group["Config"]["Comment"] = new["KeyGroupConfig"].get("Comment", "")
    group["ETag"], group["LastModifiedTime"] = uuid.uuid4().hex, _now()
    return physical_id, {"Id": physical_id, "LastModifiedTime": group["LastModifiedTime"]}


def key_group_delete(physical_id: str, props: Props) -> None:
    # AWS refuses while a distribution still trusts the group (ResourceInUse); the shim does not check.
    cloudfront._key_groups.pop(physical_id, None)


# AWS::WAFv2::WebACLAssociation. AWS checks that the resource can carry a web ACL of that scope (here
# the Cognito user pool, REGIONAL), and then enforces the ACL's rules on its requests. MiniStack's
# Cognito never consults an association: the rate limit on sign-in is recorded, not enforced.
def association_create(logical_id: str, props: Props, stack_name: str) -> Created:
    web_acl_arn, resource_arn = props["WebACLArn"], props["ResourceArn"]
    _acl, error = waf._resolve_local_web_acl(web_acl_arn)
    if error:
        raise ValueError(f"AWS::WAFv2::WebACLAssociation {logical_id}: no web ACL {web_acl_arn}")
    waf._associations[resource_arn] = web_acl_arn
    return f"{resource_arn}|{web_acl_arn}", {}


def association_delete(physical_id: str, props: Props) -> None:
    waf._associations.pop(physical_id.split("|")[0], None)


SHIMS: dict[str, dict[str, Callable[..., Any]]] = {
    "AWS::CloudFront::PublicKey": {"create": public_key_create, "delete": public_key_delete},
    "AWS::CloudFront::KeyGroup": {"create": key_group_create, "update": key_group_update, "delete": key_group_delete},
    "AWS::WAFv2::WebACLAssociation": {"create": association_create, "delete": association_delete},
}


def origin_fetch_over_tls() -> None:
    """CloudFront's origin fetches from S3 are evaluated as HTTPS requests, as on AWS (OAC signs
    them, over TLS). Only the transport changes: the policy, principal and source ARN are MiniStack's."""
    allows: Callable[..., bool] = s3._cloudfront_origin_allows

    def over_tls(*args: Any) -> bool:
        token = iam_evaluator._request_origin.set(("cloudfront.amazonaws.com", True))
        try:
            return allows(*args)
        finally:
            iam_evaluator._request_origin.reset(token)

    s3._cloudfront_origin_allows = over_tls


def empty_proxy_body() -> None:
    """A response without a body is sent with an empty one, as API Gateway does for a proxy answer
    that has no `body`; everything else passes unchanged."""
    send: Callable[..., Any] = ministack_app._send_response

    async def with_empty_body(sender: Any, status: int, headers: Any, body: Any, **kwargs: Any) -> Any:
        return await send(sender, status, headers, b"" if body is None else body, **kwargs)

    ministack_app._send_response = with_empty_body


def register() -> None:
    """Adds the shims to MiniStack's provisioners; refuses to hide a handler MiniStack has itself."""
    handlers: dict[str, Any] = provisioners._RESOURCE_HANDLERS
    clash = sorted(set(SHIMS) & set(handlers))
    if clash:
        raise SystemExit(f"MiniStack handles {', '.join(clash)} itself now: remove the shim")
    handlers.update(SHIMS)
    origin_fetch_over_tls()
    empty_proxy_body()


if __name__ == "__main__":
    register()
    sys.argv = ["ministack"]
    ministack_app.main()
