"""Icon sets built on first use: once across processes, never read half-written."""

import json
import lzma
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from functions.preprocess import icon_store
from functions.preprocess.icon_store import IconStore, build, build_set, read_meta
from functions.preprocess.icons import IconLibrary, icon_from_set

# Forked, so that each process inherits the test's instrumented write_set, and opens its own lock.
FORK = multiprocessing.get_context("fork")
TAG = "@iconify/json@9.9.9"


@pytest.fixture
def source(tmp_path, monkeypatch) -> Path:
    """A small @iconify/json of two sets whose names share a beginning (demo, demo-two), in many shards."""
    monkeypatch.setattr(icon_store, "_SHARD_BYTES", 500)
    root = tmp_path / "iconify-json"
    (root / "json").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"version": "9.9.9"}))
    for prefix in ("demo", "demo-two"):
        icons = {f"i{n}": {"body": f"<path d='{prefix}{n}'/>"} for n in range(60)}
        icon_set = {"prefix": prefix, "width": 24, "height": 24, "icons": icons, "aliases": {"a0": {"parent": "i0"}}}
        (root / f"json/{prefix}.json").write_text(json.dumps(icon_set))
    return root


def _resolve_in_a_process(source: Path, root: Path, names: list[str], start, results) -> None:
    start.wait()
    icon_set = IconStore(root, source=source).icon_set("demo")
    results.put({name: icon_from_set(icon_set, name).body for name in names} if icon_set else None)


def _slow_counted_write_set(log: Path):
    """write_set that notes each run in a file and takes long enough for every process to collide."""
    original = icon_store.write_set

    def write_set(source_file, folder, preset, tag):
        with log.open("a") as file:
            file.write(f"{os.getpid()} {source_file.stem}\n")
        shards = original(source_file, folder, preset, tag)
        time.sleep(0.5)  # the set is written, not yet in place: the window a second builder would use
        return shards

    return write_set


def test_concurrent_first_uses_of_a_set_in_separate_processes_build_it_once(source, tmp_path, monkeypatch):
    log = tmp_path / "builds.log"
    monkeypatch.setattr(icon_store, "write_set", _slow_counted_write_set(log))
    root = tmp_path / "store"
    names = ["i0", "i59", "a0"]
    start, results = FORK.Barrier(4), FORK.Queue()
    processes = [
        FORK.Process(target=_resolve_in_a_process, args=(source, root, names, start, results)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
        assert process.exitcode == 0

    assert len(log.read_text().splitlines()) == 1  # one builder; the other three waited and read its set
    expected = {"i0": "<path d='demo0'/>", "i59": "<path d='demo59'/>", "a0": "<path d='demo0'/>"}
    assert answers == [expected] * 4
    sets_dir = root / "v9.9.9"
    meta = read_meta(sets_dir / "demo", TAG)
    assert meta is not None and meta["shards"] > 4
    for n in range(meta["shards"]):  # every shard whole
        json.loads(lzma.decompress((sets_dir / f"demo/{n}.json.xz").read_bytes()))
    assert sorted(p.name for p in sets_dir.iterdir()) == [".locks", "demo"]  # no leftovers, no other set


def _build_forever(source: Path, sets_dir: Path) -> None:
    original = icon_store.write_set

    def write_set(source_file, folder, preset, tag):
        (folder / "0.json.xz").write_bytes(b"half")  # half a set on disk...
        time.sleep(600)  # ...when the process is killed
        return original(source_file, folder, preset, tag)

    icon_store.write_set = write_set
    build_set(source, sets_dir, "demo")


def test_a_set_whose_builder_was_killed_is_never_read_and_is_built_again(source, tmp_path):
    sets_dir = tmp_path / "store/v9.9.9"
    builder = FORK.Process(target=_build_forever, args=(source, sets_dir))
    builder.start()
    deadline = time.monotonic() + 30
    while not list(sets_dir.glob(".tmp-demo.*/0.json.xz")):
        assert time.monotonic() < deadline, "the builder never started"
        time.sleep(0.05)
    # Meanwhile the sibling set, whose name begins the same, is being built too: its work is not touched.
    sibling_work = sets_dir / ".tmp-demo-two.abc"
    sibling_work.mkdir()
    os.kill(builder.pid, signal.SIGKILL)
    builder.join()

    store = IconStore(tmp_path / "store", source=source)
    icon_set = store.icon_set("demo")
    assert icon_set is not None and icon_from_set(icon_set, "i7").body == "<path d='demo7'/>"
    assert not list(sets_dir.glob(".tmp-demo.*")) and sibling_work.is_dir()


def test_a_set_folder_without_its_completion_marker_is_rebuilt_not_read(source, tmp_path):
    folder = tmp_path / "store/v9.9.9/demo"
    folder.mkdir(parents=True)
    (folder / "0.json.xz").write_bytes(b"truncated")
    (folder / "meta.json").write_text(json.dumps({"prefix": "demo", "shards": 1}))  # no source: not ours
    icon_set = IconStore(tmp_path / "store", source=source).icon_set("demo")
    assert icon_set is not None and icon_from_set(icon_set, "i0").body == "<path d='demo0'/>"
    assert read_meta(folder, TAG)["shards"] > 1
    assert not list(folder.parent.glob(".old-demo.*"))


def test_a_complete_build_that_fails_leaves_no_store_behind(source, tmp_path, monkeypatch):
    def failing(source_file, folder, preset, tag):
        raise OSError("disk full")

    monkeypatch.setattr(icon_store, "write_set", failing)
    with pytest.raises(OSError):
        build(source, tmp_path / "store", workers=1)
    assert list(tmp_path.glob("store*")) == [] and not list(tmp_path.glob(".tmp-store.*"))
    assert IconStore(tmp_path / "store", source=None).prefixes == frozenset()


def test_a_complete_store_is_built_on_every_core_and_read_without_its_source(source, tmp_path):
    manifest = build(source, tmp_path / "store", workers=2)
    assert manifest["source"] == TAG and set(manifest["sets"]) == {"demo", "demo-two"}
    assert build(source, tmp_path / "store") == manifest  # kept as it is for the same version
    # Readable by any user: on AWS the layer's files are not the runtime user's.
    for path in [tmp_path / "store", *(tmp_path / "store").rglob("*")]:
        assert path.stat().st_mode & (0o005 if path.is_dir() else 0o004), path
    store = IconStore(tmp_path / "store", source=None)  # as on AWS: no @iconify/json
    assert store.complete and store.prefixes == {"demo", "demo-two"}
    icon_set = store.icon_set("demo-two")
    assert icon_set is not None and icon_from_set(icon_set, "a0").body == "<path d='demo-two0'/>"


def test_a_complete_store_of_another_version_gives_way_to_sets_built_from_the_source(source, tmp_path):
    build(source, tmp_path / "store")
    (source / "package.json").write_text(json.dumps({"version": "9.9.10"}))
    store = IconStore(tmp_path / "store", source=source)
    assert not store.complete and store.icon_set("demo") is not None
    assert read_meta(tmp_path / "store/v9.9.10/demo", "@iconify/json@9.9.10") is not None


def test_an_icon_of_a_set_never_used_before_resolves_offline_and_builds_that_set_alone(tmp_path):
    from functions import REPO_ROOT

    modules = REPO_ROOT / "node_modules"
    library = IconLibrary(modules, api_url=None, cache_dir=None, store_dir=tmp_path / "store")
    assert library.knows_prefix("game-icons") and not (tmp_path / "store").exists()
    found = library.resolve(["game-icons:broadsword", "game-icons:no-such-icon"])
    assert set(found) == {"game-icons:broadsword"} and found["game-icons:broadsword"].width == 512
    version = json.loads((modules / "@iconify/json/package.json").read_text())["version"]
    assert [p.name for p in (tmp_path / f"store/v{version}").iterdir() if not p.name.startswith(".")] == ["game-icons"]


def test_a_store_that_cannot_be_written_leaves_the_set_to_the_other_sources(source, tmp_path):
    root = tmp_path / "not-a-folder"  # as a read-only or full disk would, building fails with an OSError
    root.write_text("")
    assert IconStore(root, source=source).icon_set("demo") is None
