"""The offline store of every Iconify set: built from @iconify/json, read shard by shard."""

import json

import pytest

from functions.preprocess import icon_store
from functions.preprocess.icon_store import DEFAULT_STORE, SOURCE_DIR, IconStore, build, shard_of
from functions.preprocess.icons import IconLibrary


@pytest.fixture
def source(tmp_path):
    """A small @iconify/json: one set, an icon with set-wide defaults, aliases with transforms."""
    root = tmp_path / "iconify-json"
    (root / "json").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"version": "9.9.9"}))
    icons = {f"i{n}": {"body": f"<path d='M{n}'/>"} for n in range(40)}
    icons["wide"] = {"body": "<path d='W'/>", "width": 48}
    aliases = {"wide-flip": {"parent": "wide", "hFlip": True}, "alias-of-alias": {"parent": "wide-flip"}}
    icon_set = {"prefix": "demo", "width": 24, "height": 24, "icons": icons, "aliases": aliases}
    (root / "json/demo.json").write_text(json.dumps(icon_set))
    return root


def test_a_store_answers_every_icon_and_alias_of_the_source_across_shards(source, tmp_path, monkeypatch):
    monkeypatch.setattr(icon_store, "_SHARD_BYTES", 200)  # many shards for a small set
    manifest = build(source, tmp_path / "store")
    shards = manifest["sets"]["demo"]
    assert manifest["source"] == "@iconify/json@9.9.9" and shards > 4
    # the alias chain spans shards, so resolving it must load more than one
    assert len({shard_of(n, shards) for n in ("wide", "wide-flip", "alias-of-alias")}) > 1
    library = IconLibrary(data_dir=tmp_path / "none", api_url=None, cache_dir=None, store_dir=tmp_path / "store")
    found = library.resolve(["demo:i0", "demo:i39", "demo:wide", "demo:alias-of-alias", "demo:nope"])
    assert set(found) == {"demo:i0", "demo:i39", "demo:wide", "demo:alias-of-alias"}
    assert (found["demo:i39"].width, found["demo:i39"].body) == (24, "<path d='M39'/>")
    assert found["demo:wide"].width == 48
    assert found["demo:alias-of-alias"].body.startswith('<g transform="translate(48 0) scale(-1 1)">')
    assert library.knows_prefix("demo")


def test_an_unfinished_store_has_no_sets(source, tmp_path):
    build(source, tmp_path / "store")
    (tmp_path / "store/manifest.json").unlink()
    assert IconStore(tmp_path / "store", source=None).icon_set("demo") is None


def test_the_store_knows_every_set_of_iconify_json_before_building_any(tmp_path):
    store = IconStore(tmp_path / "store", source=SOURCE_DIR)
    expected = {json.loads(p.read_bytes())["prefix"] for p in (SOURCE_DIR / "json").glob("*.json")}
    assert store.prefixes == expected and len(expected) > 200
    assert not (tmp_path / "store").exists()  # knowing them built nothing
    # The local stack's own store is the same kind, or a complete one of the same version.
    assert IconStore(DEFAULT_STORE).prefixes == expected


def test_icons_of_sets_beyond_the_old_fifteen_resolve_with_no_network_from_a_new_store(tmp_path):
    library = IconLibrary(data_dir=SOURCE_DIR.parents[1], api_url=None, cache_dir=None, store_dir=tmp_path / "store")
    names = ["fluent-emoji-flat:rocket", "game-icons:broadsword", "noto:rocket", "emojione:rocket", "mdi:home"]
    assert set(library.resolve(names)) == set(names)
    version = json.loads((SOURCE_DIR / "package.json").read_text())["version"]
    built = {p.parent.name for p in (tmp_path / f"store/v{version}").glob("*/meta.json")}
    assert built == {"fluent-emoji-flat", "game-icons", "noto", "emojione", "mdi"}  # those sets, no others
