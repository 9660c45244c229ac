"""Each top-level room imports only the rooms below it (each room's __init__ says which), and
only functions/ ships to Lambda: nothing in it may need another room."""

import ast
import subprocess
import sys

import pytest

from functions import REPO_ROOT

ROOMS = ("functions", "render", "local", "cli", "tools", "stacks", "tests")
# What each room may import of the others (itself always). The outermost rooms come last.
MAY_IMPORT = {
    "functions": set(),
    "render": {"functions"},
    "stacks": {"functions", "render"},
    "tools": {"functions", "render", "local"},
    "local": {"functions", "render", "stacks"},
    "cli": {"functions", "render", "local", "tools"},
}


def imported_rooms(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in ROOMS:
                yield top, node.lineno


@pytest.mark.parametrize("room", sorted(MAY_IMPORT))
def test_a_room_imports_only_the_rooms_its_docstring_allows(room):
    allowed = MAY_IMPORT[room] | {room}
    wrong = [
        f"{path.relative_to(REPO_ROOT)}:{line} imports {top}"
        for path in sorted((REPO_ROOT / room).rglob("*.py"))
        for top, line in imported_rooms(path)
        if top not in allowed
    ]
    assert wrong == []


@pytest.mark.parametrize("room", sorted(MAY_IMPORT))
def test_every_room_says_what_it_holds(room):
    doc = ast.get_docstring(ast.parse((REPO_ROOT / room / "__init__.py").read_text()))
    assert doc and len(doc) > 60, f"{room}/__init__.py needs a docstring saying what the room holds"


IMPORT_ALL = """
import importlib, pkgutil, sys
for room in ("local", "render", "cli", "tools", "stacks"):
    sys.modules[room] = None  # any import of another room now fails, as it would in Lambda
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
