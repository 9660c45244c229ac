"""Context values: checked before any synth, with the key's name in the error."""

from pathlib import Path

import pytest

from stacks.config import MIN_RENDER_CONCURRENCY, config_from_context
from stacks.keys import MissingDownloadKey, public_key_pem


def config(region: str = "eu-central-1", **context):
    return config_from_context(
        context.get, region=region, bundle_dir=Path("."), layer_dir=Path("."), web_dist_dir=Path("."), public_key_pem=""
    )


def test_defaults_leave_the_local_origin_out_of_production():
    assert config().web_origins == ()
    with pytest.raises(ValueError, match="webOrigins"):
        config(webOrigins=["http://127.0.0.1:8000"])
    assert config(webOrigins='["https://app.example"]').web_origins == ("https://app.example",)


def test_render_concurrency_cap_is_a_context_value_with_a_floor():
    assert config(renderConcurrencyCap="900").render_concurrency_cap == 900
    with pytest.raises(ValueError, match="renderConcurrencyCap"):
        config(renderConcurrencyCap=MIN_RENDER_CONCURRENCY - 1)
    with pytest.raises(ValueError, match="renderConcurrencyCap must be a int"):
        config(renderConcurrencyCap="lots")


def test_provisioned_concurrency_is_off_by_default_and_within_the_reserved_share():
    assert config().api_provisioned_concurrency == 0
    assert config(apiProvisionedConcurrency=5).api_provisioned_concurrency == 5
    with pytest.raises(ValueError, match="apiProvisionedConcurrency"):
        config(apiProvisionedConcurrency=60, apiReservedConcurrency=50)


def test_cloudfront_logs_need_a_region_that_receives_them():
    with pytest.raises(ValueError, match="cloudfrontLogBucket"):
        config(region="eu-south-1")
    with pytest.raises(ValueError, match="cloudfrontLogBucket"):
        config(region="eu-south-1", cloudfrontLogBucket="logs@eu-central-2")
    assert config(region="eu-south-1", cloudfrontLogBucket="logs@eu-west-1").cloudfront_log_bucket == "logs@eu-west-1"


def test_render_size_comes_from_context():
    size = config(renderMemoryMb=10240, renderDiskMb=10240, renderTimeoutSeconds=600).render_size
    assert (size.memory_mb, size.disk_mb, size.timeout_seconds) == (10240, 10240, 600)


def test_a_deploy_needs_the_operators_download_key(tmp_path):
    with pytest.raises(MissingDownloadKey, match="downloadPublicKeyFile"):
        public_key_pem(None)
    (tmp_path / "bad.pem").write_text("not a key")
    with pytest.raises(ValueError):
        public_key_pem(str(tmp_path / "bad.pem"))
    assert "BEGIN PUBLIC KEY" in public_key_pem(None, allow_dev_key=True)
