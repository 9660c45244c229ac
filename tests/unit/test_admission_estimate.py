"""When a queued export should start: the budget given back as running renders end, in queue order."""

from functions.domain.admission import estimated_start, queue_order


def test_with_room_now_an_export_starts_at_once():
    assert estimated_start(budget=4, running=[(30.0, 2)], ahead=[], share=2) == 0


def test_an_export_waits_for_the_renders_whose_ends_make_room():
    # 3 of 4 held: a share of 2 needs the one ending at 10 s.
    assert estimated_start(budget=4, running=[(10.0, 1), (40.0, 2)], ahead=[], share=2) == 10


def test_those_ahead_start_first_and_hold_their_share_for_their_length():
    # budget 2, one running until 5 s; ahead: 20 s holding 2 (starts at 5 s, ends at 25 s).
    assert estimated_start(budget=2, running=[(5.0, 1)], ahead=[(20.0, 2)], share=1) == 25


def test_strict_order_a_small_export_does_not_pass_a_large_one_waiting_ahead():
    # The large one ahead needs the whole budget at 30 s; the small one waits behind it, not beside.
    assert estimated_start(budget=3, running=[(30.0, 2)], ahead=[(60.0, 3)], share=1) == 90


def test_queue_order_sorts_by_acceptance_time_then_render_id():
    earlier, later = queue_order(1700000000.001, "rnd_b"), queue_order(1700000000.002, "rnd_a")
    assert sorted([later, earlier]) == [earlier, later]
    assert queue_order(1700000000.5, "rnd_a") < queue_order(1700000000.5, "rnd_b")
