"""The functions' OpenAPI documents are the one list of the HTTP API's routes: the CDK
(tests/infra/test_stack.py) and the local adapter derive theirs from them. Here: the documents hold
the design's routes (section 5), and what each route needs agrees with its handler."""

import inspect
import json

from functions import REPO_ROOT
from functions.handlers import api
from functions.handlers.openapi import document, routes
from local.adapter import API_PREFIXES, routes_from_openapi


def test_the_committed_openapi_document_is_generated_from_the_models():
    assert json.loads((REPO_ROOT / "docs/openapi.json").read_text()) == document(), "run `make openapi`"


def test_the_documents_hold_the_routes_of_the_design_with_the_token_where_the_design_asks():
    """Design section 5: every route but the webhook and `GET /health` needs `Authorization: Bearer`."""
    found = {route.key: (route.function, route.authorized) for route in routes()}
    assert found == {
        "POST /projects": ("api", True),
        "GET /projects": ("api", True),
        "GET /projects/{project_id}": ("api", True),
        "PUT /projects/{project_id}/scenes": ("api", True),
        "DELETE /projects/{project_id}": ("api", True),
        "GET /projects/{project_id}/preview": ("api", True),
        "POST /renders": ("api", True),
        "GET /renders": ("api", True),
        "GET /renders/{render_id}": ("api", True),
        "POST /renders/{render_id}/cancel": ("api", True),
        "POST /renders/{render_id}/downloads": ("api", True),
        "GET /exports/stats": ("api", True),
        "POST /webhooks/remotion": ("webhook", False),
        "GET /health": ("api", False),
    }


def test_a_route_that_takes_the_user_asks_for_the_token_and_no_other_does():
    """A route that reads the user but is documented open would be deployed without the authorizer
    (and answer 401 to everyone); a documented token on a route that ignores it would lock it."""
    for route in [*api.app._static_routes, *api.app._dynamic_routes]:
        takes_user = any(p.annotation is api.UserDep for p in inspect.signature(route.func).parameters.values())
        assert bool(route.security) == takes_user, f"{route.method} {route.openapi_path}"


def test_the_local_adapter_serves_every_documented_route_and_checks_the_token_where_asked():
    api_function, webhook_function = object(), object()
    adapter_routes = routes_from_openapi(routes(), api_function, webhook_function)  # type: ignore[arg-type]
    for route in routes():
        concrete = route.path.replace("{project_id}", "prj_1").replace("{render_id}", "rnd_1")
        assert concrete.startswith(API_PREFIXES), f"{route.key} would be served the page"
        [served] = [r for r in adapter_routes if r.pattern.match(concrete)]
        assert served.methods[route.method] is (api_function if route.function == "api" else webhook_function)
        assert (route.method not in served.open) == route.authorized
