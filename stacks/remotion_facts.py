"""Remotion Lambda's facts for this region, read at synth from the pinned npm packages."""

import json
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MEMORY_MB = 2048
DISK_MB = 2048
TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class RemotionFacts:
    version: str
    function_name: str
    zip: str
    runtime: str
    runtime_version_arn: str
    layers: list[str]
    lifecycle_rules: list[dict]
    role_permissions: list[dict]
    bucket_prefix: str
    sites_key: str


@lru_cache
def remotion_facts(region: str) -> RemotionFacts:
    printed = subprocess.run(
        ["node", str(REPO_ROOT / "stacks/remotion_facts.cjs"), region, str(MEMORY_MB), str(DISK_MB),
         str(TIMEOUT_SECONDS)], capture_output=True, text=True, cwd=REPO_ROOT,
    )
    if printed.returncode != 0:
        raise RuntimeError(f"reading Remotion's facts for {region} failed: {printed.stderr.strip()}")
    data = json.loads(printed.stdout)
    return RemotionFacts(
        version=data["version"], function_name=data["functionName"], zip=data["zip"], runtime=data["runtime"],
        runtime_version_arn=data["runtimeVersionArn"], layers=data["layers"],
        lifecycle_rules=data["lifecycleRules"], role_permissions=data["rolePermissions"],
        bucket_prefix=data["bucketPrefix"], sites_key=data["sitesKey"],
    )
