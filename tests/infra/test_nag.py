"""cdk-nag: every finding answered on its own resource with a reason, no acknowledgment left stale."""

import json

from stacks.nag import BUCKET_DEPLOYMENT


def report(outdir) -> dict:
    [plugin] = [
        p
        for p in json.loads((outdir / "validation-report.json").read_text())["pluginReports"]
        if p["pluginName"] == "AwsSolutions"
    ]
    return plugin


def test_no_unanswered_aws_solutions_error(synthesized):
    plugin = report(synthesized[2])
    assert plugin["conclusion"] == "success"
    assert [v["ruleName"] for v in plugin["violations"] if v["severity"] == "error"] == []


def test_each_acknowledgment_answers_a_real_finding_on_its_own_resource(synthesized):
    stack, _, outdir = synthesized
    suppressed = report(outdir)["suppressedViolations"]
    assert suppressed
    answered = set()
    for violation in suppressed:
        at = violation["acknowledgedAt"]
        assert at != "Framecast" and at.startswith("Framecast/"), f"{violation['ruleName']} acknowledged stack-wide"
        assert len(violation["reason"]) > 30
        for construct in violation["violatingConstructs"]:
            assert construct["constructPath"].startswith(at)
        rule = violation["acknowledgedId"].removeprefix("AwsSolutions::")
        answered.add((at.removeprefix("Framecast/"), rule))
    declared = set()
    for path, rules in stack.acknowledged.items():
        if path.startswith(BUCKET_DEPLOYMENT):
            [handler] = [c.node.id for c in stack.node.children if c.node.id.startswith("Custom::CDKBucketDeployment")]
            path = path.replace(BUCKET_DEPLOYMENT, handler, 1)
        declared |= {(path, rule) for rule in rules}
    assert declared - answered == set(), "acknowledgments with no finding behind them"
