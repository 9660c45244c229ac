"""Fonts and icons of the shipped sets render with no network and no warning."""

import json
import re

import pytest

from functions import REPO_ROOT
from tests.helpers.sandbox import hostile, render

SHIPPED = REPO_ROOT / "remotion_site/src/runtime/shipped-fonts.ts"


def shipped_fonts() -> dict[str, set[str]]:
    source = SHIPPED.read_text()
    families = re.findall(r'^\t("[^"]+"): \{([^}]*)\},$', source, re.M)
    return {json.loads(name): set(re.findall(r"'(\d+-\w+)'", faces)) for name, faces in families}


def test_at_least_the_top_100_google_fonts_families_ship_with_their_weights():
    shipped = shipped_fonts()
    assert len(shipped) >= 100
    for family in ("Roboto", "Open Sans", "Montserrat", "Inter", "Poppins", "Lato", "Playfair Display"):
        assert {"400-normal", "700-normal"} <= shipped[family], family
    assert {f"{w}-normal" for w in range(100, 1000, 100)} <= shipped["Inter"]
    assert "400-italic" in shipped["Playfair Display"]


@pytest.mark.render
def test_shipped_fonts_load_from_the_site_with_no_network_and_no_warning(worker, tmp_path):
    fonts = [
        ["Inter", ["400", "700"], ["normal"]],
        ["Playfair Display", ["400"], ["italic"]],
        ["Open Sans", ["300", "800"], ["normal"]],
        ["roboto mono", ["500"], ["normal"]],
        ["Bebas Neue", ["400"], ["normal"]],
        ["Great Vibes", ["400"], ["normal"]],
    ]
    result = render(worker, tmp_path, hostile("fonts.tsx", fonts=fonts))
    assert result.warnings == []


@pytest.mark.render
def test_icons_of_the_shipped_sets_render_with_no_network_and_no_warning(worker, tmp_path):
    result = render(worker, tmp_path, hostile("icons.tsx"))
    assert result.warnings == []


@pytest.mark.render
def test_icons_of_sets_never_used_before_render_offline_from_sets_built_then(worker, tmp_path, monkeypatch):
    from functions.preprocess.icons import default_library

    monkeypatch.setenv("ICONIFY_STORE_DIR", str(tmp_path / "store"))  # an empty store: no set built yet
    default_library.cache_clear()
    result = render(worker, tmp_path, hostile("icons.tsx"))
    assert result.warnings == []
    built = {meta.parent.name for meta in (tmp_path / "store").glob("v*/*/meta.json")}
    assert built == {"fluent-emoji-flat", "game-icons", "noto", "emojione"}


def test_the_shipped_fonts_module_is_what_the_pinned_packages_give():
    import subprocess

    check = subprocess.run(
        ["node", str(REPO_ROOT / "remotion_site/scripts/shipped-fonts.mjs"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert check.returncode == 0, check.stderr
