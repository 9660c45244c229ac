"""Only functions/ ships to Lambda: nothing in it may need local/ (the local stack)."""

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

IMPORT_ALL = """
import importlib, pkgutil, sys
sys.modules["local"] = None  # any `import local...` now fails, as it would in Lambda
import functions
for module in pkgutil.walk_packages(functions.__path__, "functions."):
    importlib.import_module(module.name)
print("imported", len(list(pkgutil.walk_packages(functions.__path__, "functions."))))
"""


def test_every_module_of_functions_imports_without_local():
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-central-1"},
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 20


def test_a_lambda_without_render_mode_fails_with_a_settings_error(monkeypatch):
    from pydantic import ValidationError

    from functions.settings import ServiceSettings

    monkeypatch.setenv("TABLE_NAME", "t")
    monkeypatch.setenv("BUCKET_NAME", "b")
    monkeypatch.delenv("RENDER_MODE", raising=False)
    with pytest.raises(ValidationError, match="RENDER_MODE"):
        ServiceSettings.from_env()


def test_local_mode_without_the_local_stack_says_who_supplies_the_backend(monkeypatch):
    from functions.settings import RenderMode, ServiceSettings
    from functions.wiring import SettingsError, compose

    settings = ServiceSettings(TABLE_NAME="t", BUCKET_NAME="b", RENDER_MODE=RenderMode.LOCAL)
    with pytest.raises(SettingsError, match="local stack"):
        compose(settings)


def test_the_api_handler_imports_no_aws_sdk_or_xray_before_its_first_call():
    """Cold starts pay for boto3, X-Ray and the idempotency layer at first use, not at import."""
    script = (
        "import sys, functions.handlers.api; "
        "print(sorted(m for m in ('boto3', 'aws_xray_sdk', 'remotion_lambda', "
        "'aws_lambda_powertools.utilities.idempotency') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
