"""The chunk cache on its own: entries, digests, LRU eviction, restarts, concurrent writers."""

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from render.chunk_cache import ChunkCache


def files(tmp: Path, name: str, size: int, audio: bool = False) -> tuple[Path, Path | None]:
    video = tmp / f"{name}.ts"
    video.write_bytes(os.urandom(size))
    sound = None
    if audio:
        sound = tmp / f"{name}.wav"
        sound.write_bytes(os.urandom(size // 2))
    return video, sound


def test_an_entry_comes_back_whole_and_survives_a_restart(tmp_path):
    cache = ChunkCache(tmp_path / "cache")
    video, audio = files(tmp_path, "a", 5000, audio=True)
    cache.put("k" * 64, video, audio, ["a warning"])
    reopened = ChunkCache(tmp_path / "cache")  # a new process on the same directory
    out = tmp_path / "out"
    out.mkdir()
    hit = reopened.get("k" * 64, out)
    assert hit.video.read_bytes() == video.read_bytes() and hit.audio.read_bytes() == audio.read_bytes()
    assert hit.warnings == ["a warning"]
    assert reopened.get("x" * 64, out) is None


def test_a_corrupt_entry_is_dropped_not_used(tmp_path):
    cache = ChunkCache(tmp_path / "cache")
    video, _ = files(tmp_path, "a", 5000)
    cache.put("c" * 64, video, None, [])
    [stored] = (tmp_path / "cache/entries").glob("*/*/video.ts")
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF  # same size, one byte flipped
    stored.write_bytes(bytes(data))
    out = tmp_path / "out"
    out.mkdir()
    assert cache.get("c" * 64, out) is None
    assert cache.keys() == set()  # gone, so the next render writes it again
    cache.put("c" * 64, video, None, [])
    assert cache.get("c" * 64, out).video.read_bytes() == video.read_bytes()


def test_truncated_or_half_written_entries_are_never_used(tmp_path):
    cache = ChunkCache(tmp_path / "cache")
    video, _ = files(tmp_path, "a", 5000)
    cache.put("t" * 64, video, None, [])
    [stored] = (tmp_path / "cache/entries").glob("*/*/video.ts")
    stored.write_bytes(stored.read_bytes()[:1000])
    # What a writer killed half-way leaves: files without their meta.json, in place or in scratch.
    half = tmp_path / "cache/entries/hh" / ("h" * 64)
    half.mkdir(parents=True)
    (half / "video.ts").write_bytes(b"partial")
    (tmp_path / "cache/tmp/abandoned").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    assert cache.get("t" * 64, out) is None
    assert cache.get("h" * 64, out) is None
    bad = tmp_path / "cache/entries/bb" / ("b" * 64)
    bad.mkdir(parents=True)
    (bad / "meta.json").write_text("{not json")
    assert cache.get("b" * 64, out) is None


def test_least_recently_used_entries_go_first_past_the_limit(tmp_path):
    cache = ChunkCache(tmp_path / "cache", limit_bytes=35_000)
    for name in "abc":
        video, _ = files(tmp_path, name, 10_000)
        cache.put(name * 64, video, None, [])
        time.sleep(0.01)
    out = tmp_path / "out"
    out.mkdir()
    assert cache.get("a" * 64, out) is not None  # a is now the most recently used
    time.sleep(0.01)
    video, _ = files(tmp_path, "d", 10_000)
    cache.put("d" * 64, video, None, [])
    assert cache.keys() == {"a" * 64, "c" * 64, "d" * 64}  # b was the least recently used
    assert cache.size_bytes() <= 35_000


def test_an_evicted_entry_does_not_pull_the_file_from_a_render_using_it(tmp_path):
    cache = ChunkCache(tmp_path / "cache", limit_bytes=15_000)
    video, _ = files(tmp_path, "a", 10_000)
    cache.put("a" * 64, video, None, [])
    out = tmp_path / "out"
    out.mkdir()
    hit = cache.get("a" * 64, out)
    other, _ = files(tmp_path, "b", 10_000)
    cache.put("b" * 64, other, None, [])
    assert "a" * 64 not in cache.keys()
    assert hit.video.read_bytes() == video.read_bytes()


def _writer(args: tuple[str, int]) -> int:
    root, seed = args
    cache = ChunkCache(Path(root), limit_bytes=400_000)
    scratch = Path(root).parent / f"w{seed}"
    scratch.mkdir(exist_ok=True)
    good = 0
    for i in range(40):
        key = f"{i % 12:02d}" * 32
        payload = scratch / f"{i}.ts"
        payload.write_bytes(bytes([i % 12]) * 20_000)  # the same key always holds the same bytes
        cache.put(key, payload, None, [f"w{i % 12}"])
        hit = cache.get(key, scratch)
        if hit is not None:
            assert hit.video.read_bytes() == bytes([i % 12]) * 20_000 and hit.warnings == [f"w{i % 12}"]
            good += 1
    return good


def test_concurrent_processes_and_threads_share_one_cache_safely(tmp_path):
    root = str(tmp_path / "cache")
    ChunkCache(Path(root))
    with ProcessPoolExecutor(3) as processes, ThreadPoolExecutor(3) as threads:
        results = list(processes.map(_writer, [(root, s) for s in range(3)]))
        results += list(threads.map(_writer, [(root, s) for s in range(3, 6)]))
    assert all(count > 0 for count in results)
    cache = ChunkCache(Path(root), limit_bytes=400_000)
    assert cache.size_bytes() <= 400_000
    out = tmp_path / "check"
    out.mkdir()
    for key in cache.keys():  # every entry left is whole and true to its digest
        meta = json.loads(next((tmp_path / "cache/entries").glob(f"*/{key}/meta.json")).read_text())
        assert cache.get(key, out) is not None and meta["files"]["video"]["size"] == 20_000
