"""The render pool's bundle server: one loopback origin per worker process for the bundle's files,
and never a way to read anything else on the machine (render/worker/bundle_server.mjs)."""

from functions import REPO_ROOT
from tests.helpers.node import node_check

SECRET = "the host's own file, outside the bundle"


def test_serves_the_bundle_folder_and_nothing_outside_it(tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "public").mkdir(parents=True)
    (bundle / "bundle.js").write_text("console.log('bundle');")
    (bundle / "index.html").write_text("<html></html>")
    (bundle / "public/font.woff2").write_bytes(b"wOF2")
    (tmp_path / "secret.txt").write_text(SECRET)

    found = node_check(REPO_ROOT / "tests/sandbox/bundle_server_check.mjs", str(tmp_path))
    answers = found["answers"]

    assert found["host"] == "127.0.0.1"  # loopback only
    assert (answers["script"]["status"], answers["script"]["body"]) == (200, "console.log('bundle');")
    assert answers["script"]["type"].startswith("application/javascript")
    assert (answers["index"]["status"], answers["index"]["type"]) == (200, "text/html; charset=utf-8")
    assert (answers["nested"]["status"], answers["nested"]["type"]) == (200, "font/woff2")
    assert (answers["head"]["status"], answers["head"]["body"]) == (200, "")
    for attack in ("dotdot", "dotdotEncoded", "slashEncoded", "backslash", "deep", "absolute", "nul", "badEncoding"):
        assert answers[attack]["status"] == 404, attack
        assert SECRET not in answers[attack]["body"], attack
    assert answers["directory"]["status"] == 404  # no listing, and no index.html there
    assert answers["missing"]["status"] == 404
    assert answers["post"]["status"] == 405
