"""The watchdogs' rules and whose fault a chunk's end is (render/supervision.py), without processes."""

from render.protocol import EXIT
from render.supervision import CANCEL_GRACE_SECONDS, StallWatch, Verdict, chunk_failure


def test_a_chunk_has_longer_for_its_first_frame_than_for_each_next():
    watch = StallWatch(first_frame_seconds=40, stall_seconds=20, started=100)
    assert watch.verdict(139) is Verdict.WAIT
    assert watch.verdict(141) is Verdict.STALLED
    watch.news(130)  # its first frame
    assert watch.verdict(149) is Verdict.WAIT and watch.verdict(151) is Verdict.STALLED


def test_a_cancelled_chunk_is_not_stalled_but_must_end_in_its_grace():
    watch = StallWatch(first_frame_seconds=40, stall_seconds=20, started=0)
    watch.cancelled(50)  # long quiet, but cancelled: not the scene's stall any more
    assert watch.verdict(50 + CANCEL_GRACE_SECONDS - 1) is Verdict.WAIT
    assert watch.verdict(50 + CANCEL_GRACE_SECONDS + 1) is Verdict.DEAF


def error(**fields):
    return {"type": "error", "id": "c", "message": "boom", "cancelled": False, "infra": False, "warnings": []} | fields


def test_whose_fault_a_chunk_that_did_not_finish_is():
    scenes = 'scene "a" (A)'
    killed = chunk_failure(EXIT, 'scene "a" (A) stopped making frames', scenes, ["w"])
    assert (str(killed), killed.ours, killed.warnings) == ('scene "a" (A) stopped making frames', False, ["w"])
    died = chunk_failure(EXIT, None, scenes, [])
    assert died.ours and 'died while rendering scene "a" (A)' in str(died)
    thrown = chunk_failure(error(warnings=["late"]), None, scenes, ["early"])
    assert (str(thrown), thrown.ours, thrown.warnings) == (
        'scene "a" (A) could not be rendered: boom',
        False,
        ["early", "late"],
    )
    assert chunk_failure(error(infra=True), None, scenes, []).ours
    # The worker's `cancelled` is a match on the error's text: a scene that writes "cancel" is
    # neither cancelled (no webhook, refunded later by the sweeper) nor ours.
    forged = chunk_failure(error(cancelled=True), None, scenes, [])
    assert (forged.cancelled, forged.ours) == (False, False)
