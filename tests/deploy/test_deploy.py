"""`make deploy-local` (cli/deploy_local.py): the real `cdk bootstrap`, `cdk deploy` and `cdk destroy`
of the synthesized stack onto MiniStack, with the smoke test, the verifier, a second deploy that
changes nothing, and the stack broken in the ways issue 24 lists, each of which must fail naming the
resource."""

import json
import tempfile
from pathlib import Path

import pytest

from cli.deploy_local import OUT, SKIPPED, STACK, Rehearsal
from tests.deploy.breaks import BREAKS, broken_assembly


def _differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from _differences(a.get(key), b.get(key), f"{path}/{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _differences(x, y, f"{path}/{i}")
    elif a != b:
        yield path


def test_the_rehearsed_template_is_the_engineers_but_for_the_layer_built_for_this_host(
    engineer_assembly, host_assembly
):
    engineer = json.loads((engineer_assembly / f"{STACK}.template.json").read_text())
    host = json.loads((host_assembly / f"{STACK}.template.json").read_text())
    [layer] = [
        k
        for k, r in engineer["Resources"].items()
        if r["Type"] == "AWS::Lambda::LayerVersion"
        and r["Properties"].get("Description", "").startswith("Framecast: Python dependencies")
    ]
    assert sorted(_differences(engineer, host)) == [
        f"/Resources/{layer}/Metadata/aws:asset:path",
        f"/Resources/{layer}/Properties/Content/S3Key",
    ]
    # ... and the asset is the host's: esbuild for this machine, wheels for this Python.
    built = host_assembly / host["Resources"][layer]["Metadata"]["aws:asset:path"]
    assert (built / "bin/esbuild").is_file() and (built / "python").is_dir()


def run(assembly):
    lines = []
    code = Rehearsal(assembly=assembly, synth=False, say=lines.append).run()
    return code, lines


def _emulator_scratch() -> set[Path]:
    tmp = Path(tempfile.gettempdir())
    return {*tmp.glob("framecast-ministack-*"), *tmp.glob("ministack-*")}


def test_make_deploy_local_deploys_smokes_verifies_redeploys_and_destroys(host_assembly):
    scratch = _emulator_scratch()
    code, lines = run(host_assembly)
    # MiniStack unpacks every function's code and layers (about 70 MB each) under its own TMPDIR,
    # removed when it stops: repeated rehearsals once filled the disk.
    assert _emulator_scratch() == scratch
    text = "\n".join(lines)
    assert code == 0, text
    steps = [line.split(" (")[0].removeprefix("ok    ") for line in lines if line.startswith("ok    ")]
    assert steps == [
        "emulator",
        "bootstrap",
        "deploy",
        "download key",
        "verify",
        "functions answer",
        "smoke",
        "redeploy",
        "destroy",
    ]
    assert "smoke passed" in text
    # Each function answered as its trigger calls it, the thumbnailer asked as the webhook asks.
    [answered] = [line for line in lines if line.startswith("ok    functions answer")]
    assert "scheduled sweep" in answered and "thumbnail request" in answered
    assert [line.split(":")[0].removeprefix("        skip  ") for line in lines if "skip  " in line] == list(SKIPPED)
    assert any("ok    redeploy" in line and "no changes" in line for line in lines)
    # The tables, the buckets, the user pool and the key secret outlive the stack, as their policies say.
    [destroyed] = [line for line in lines if line.startswith("ok    destroy")]
    for kept in ("StorageServiceTable", "StorageBucket", "CdnDownloadPrivateKey", "ApiUsers"):
        assert kept in destroyed


@pytest.mark.parametrize("name", list(BREAKS))
def test_a_stack_broken_where_no_template_check_looks_fails_the_rehearsal_naming_the_resource(host_assembly, name):
    logical = broken_assembly(host_assembly, OUT / "test.broken", BREAKS[name])
    code, lines = run(OUT / "test.broken")
    text = "\n".join(lines)
    assert code == 1, text
    [failure] = [line for line in lines if line.startswith("FAIL")]
    failed_at = text[text.index(failure) :]
    assert logical in failed_at, text
