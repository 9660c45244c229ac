import json

from functions.handlers.openapi import document
from tests.conftest import REPO_ROOT


def test_the_committed_openapi_document_is_generated_from_the_models():
    assert json.loads((REPO_ROOT / "docs/openapi.json").read_text()) == document(), "run `make openapi`"


def test_every_route_of_the_design_is_there():
    paths = document()["paths"]
    expected = {
        "/projects": {"get", "post"},
        "/projects/{project_id}": {"get", "delete"},
        "/projects/{project_id}/scenes": {"put"},
        "/projects/{project_id}/preview": {"get"},
        "/renders": {"get", "post"},
        "/renders/{render_id}": {"get"},
        "/renders/{render_id}/cancel": {"post"},
        "/renders/{render_id}/downloads": {"post"},
        "/exports/stats": {"get"},
        "/health": {"get"},
    }
    assert {path: set(methods) for path, methods in paths.items()} == expected
