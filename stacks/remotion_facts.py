"""Remotion Lambda's facts for this region and render size, read at synth from the pinned npm packages."""

import json
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from functions import REPO_ROOT

# Lambda's limit on the function's code and all its layers, unzipped: "250 MB" in AWS's quotas page
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), 262,144,000 bytes.
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024
_MB = 1024 * 1024

# The unzipped sizes Remotion documents for its hosted layers (remotion-dev/remotion,
# packages/docs/docs/lambda/custom-layers.mdx, "Default layers", from v4.0.205): chromium 196 MB,
# emoji-google 9.9 MB, fonts 1.9 MB, cjk 16 MB (223.8 MB with the default option), emoji-apple 45 MB
# (242.9 MB with `apple-emojis`). Keyed by the part of the layer's name that says what it holds.
DOCUMENTED_LAYER_MB = {"chromium": 196, "emoji-google": 9.9, "fonts": 1.9, "cjk": 16, "emoji-apple": 45}


@dataclass(frozen=True)
class RenderSize:
    """What Remotion's function name is made of, plus the layer option (Remotion's runtimePreference)."""

    memory_mb: int = 2048
    disk_mb: int = 2048
    timeout_seconds: int = 900
    runtime_preference: str = "default"


DEFAULT_SIZE = RenderSize()


@dataclass(frozen=True)
class RemotionFacts:
    version: str
    function_name: str
    zip: str
    runtime: str
    runtime_version_arn: str
    layers: list[str]
    all_hosted_layers: list[str]
    lifecycle_rules: list[dict[str, Any]]
    role_permissions: list[dict[str, Any]]
    bucket_prefix: str
    sites_key: str
    size: RenderSize


def layer_kind(layer_arn: str) -> str:
    """`arn:...:layer:remotion-binaries-emoji-apple-arm64:14` → `emoji-apple`."""
    name = layer_arn.split(":layer:")[1].split(":")[0]
    return name.removeprefix("remotion-binaries-").removesuffix("-arm64")


def code_unzipped_bytes(zip_path: str) -> int:
    with zipfile.ZipFile(zip_path) as archive:
        return sum(info.file_size for info in archive.infolist())


def unzipped_total_bytes(zip_path: str, layers: list[str]) -> int:
    """The render function's code and layers, unzipped, by Remotion's documented layer sizes."""
    return code_unzipped_bytes(zip_path) + round(sum(DOCUMENTED_LAYER_MB[layer_kind(a)] for a in layers) * _MB)


@lru_cache
def remotion_facts(region: str, size: RenderSize = DEFAULT_SIZE) -> RemotionFacts:
    printed = subprocess.run(
        [
            "node",
            str(REPO_ROOT / "stacks/remotion_facts.cjs"),
            region,
            str(size.memory_mb),
            str(size.disk_mb),
            str(size.timeout_seconds),
            size.runtime_preference,
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    if printed.returncode != 0:
        raise ValueError(f"Remotion Lambda refuses this render function for {region}: {printed.stderr.strip()}")
    data = json.loads(printed.stdout)
    return RemotionFacts(
        version=data["version"],
        function_name=data["functionName"],
        zip=data["zip"],
        runtime=data["runtime"],
        runtime_version_arn=data["runtimeVersionArn"],
        layers=data["layers"],
        all_hosted_layers=data["allHostedLayers"],
        lifecycle_rules=data["lifecycleRules"],
        role_permissions=data["rolePermissions"],
        bucket_prefix=data["bucketPrefix"],
        sites_key=data["sitesKey"],
        size=size,
    )
