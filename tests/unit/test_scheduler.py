"""Which chunk a free render process takes next (render/scheduler.py), through its public interface."""

from render.scheduler import Scheduler, Taken, owner_over_share


def take_all(scheduler: Scheduler[str]) -> list[str]:
    """What free processes take one after another while nothing ends."""
    taken = []
    while (next_one := scheduler.take()) is not None:
        taken.append(next_one.item)
    return taken


def test_a_free_process_takes_the_oldest_render_with_the_fewest_chunks_running():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("older", "alice", ["o1", "o2"])
    scheduler.add("newer", "alice", ["n1", "n2"])
    # One owner: today's rule, render by render; the older has one running after its first chunk.
    assert take_all(scheduler) == ["o1", "n1", "o2", "n2"]


def test_a_render_keeps_the_order_its_chunks_were_added_in():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("r", "alice", ["longest", "middle", "shortest"])
    assert take_all(scheduler) == ["longest", "middle", "shortest"]


def test_owners_take_turns_so_a_long_export_holds_no_more_than_its_share():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("long", "alice", [f"a{i}" for i in range(8)])
    assert [scheduler.take(), scheduler.take()] == [Taken("a0", "long", False), Taken("a1", "long", False)]
    scheduler.add("short", "bob", ["b0", "b1"])  # both processes are busy with alice's export
    freed = []
    for ended in ("long", "long", "short", "long"):
        scheduler.done(ended)
        taken = scheduler.take()
        freed.append(taken.item if taken else None)
    # Each free process goes to the owner with fewer chunks running: bob's render never waits for
    # the end of alice's, and alice keeps her share.
    assert freed == ["b0", "a2", "b1", "a3"]


def test_fairness_counts_every_render_of_an_owner():
    """A user with two exports running does not get twice the processes of a user with one."""
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("alice-1", "alice", ["a1.0", "a1.1"])
    scheduler.add("alice-2", "alice", ["a2.0", "a2.1"])
    scheduler.add("bob-1", "bob", ["b1.0", "b1.1"])
    assert take_all(scheduler)[:4] == ["a1.0", "b1.0", "a2.0", "b1.1"]


def test_between_owners_with_as_many_running_the_oldest_render_goes_first():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("bob-old", "bob", ["b"])
    scheduler.add("alice-new", "alice", ["a"])
    assert take_all(scheduler) == ["b", "a"]


def test_while_a_chunk_finishes_only_a_chunk_of_its_own_render_is_taken():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("older", "alice", ["o1"])
    scheduler.add("newer", "bob", ["n1", "n2"])
    assert (first := scheduler.take("newer")) is not None and first.item == "n1"
    # The older render has none running and belongs to someone else: still the newer's chunk.
    assert (second := scheduler.take("newer")) is not None and (second.item, second.render) == ("n2", "newer")
    assert scheduler.take("newer") is None  # nothing of its own left: the process waits
    assert (third := scheduler.take()) is not None and third.item == "o1"


def test_only_a_chunk_taken_with_nothing_queued_behind_it_is_the_last():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("one", "alice", ["a", "b"])
    scheduler.add("two", "bob", ["c", "d"])
    lasts = []
    while (taken := scheduler.take()) is not None:
        lasts.append(taken.last)
    # Its encoder may use every core (worker.mjs): no next chunk will capture beside it.
    assert lasts == [False, False, False, True]


def test_a_dropped_render_is_never_taken_and_its_running_chunks_still_count():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("failed", "alice", ["f1", "f2", "f3"])
    scheduler.add("other", "bob", ["o1", "o2"])
    assert (taken := scheduler.take()) is not None and taken.item == "f1"
    assert scheduler.drop("failed") == ["f2", "f3"]
    assert scheduler.queued("failed") == 0 and scheduler.running("failed") == 1
    scheduler.add("alice-next", "alice", ["n1"])
    # alice still has f1 running: bob goes first.
    assert take_all(scheduler) == ["o1", "o2", "n1"]  # then as many running: the older render
    scheduler.done("failed")
    assert scheduler.running("failed") == 0


def test_closing_drops_everything_queued():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("one", "alice", ["a", "b"])
    scheduler.add("two", "bob", ["c"])
    scheduler.take()
    assert scheduler.drop_all() == {"one": ["b"], "two": ["c"]}
    assert scheduler.queued() == 0 and scheduler.take() is None


def test_an_owner_holding_every_process_gives_one_back_to_an_owner_that_waits():
    # alice's slow chunks hold both processes; bob's export arrives.
    assert owner_over_share({"alice": 2}, waiting={"bob"}, free=0) == "alice"
    # Once one is on its way back (no longer counted as hers), nothing more is taken.
    assert owner_over_share({"alice": 1}, waiting={"bob"}, free=1) is None
    assert owner_over_share({"alice": 1, "bob": 1}, waiting={"alice", "bob"}, free=0) is None


def test_nothing_is_taken_back_while_a_process_is_free_or_nobody_else_waits():
    assert owner_over_share({"alice": 2}, waiting={"bob"}, free=1) is None
    assert owner_over_share({"alice": 2}, waiting={"alice"}, free=0) is None
    assert owner_over_share({"alice": 2}, waiting=set(), free=0) is None


def test_one_process_more_is_as_even_as_whole_processes_get():
    # Three processes, two owners: 2 against 1 stays (moving one would only swap the imbalance).
    assert owner_over_share({"alice": 2, "bob": 1}, waiting={"bob"}, free=0) is None
    # Three owners on two processes: the richest gives one back, the third then waits its turn.
    assert owner_over_share({"alice": 2}, waiting={"bob", "carol"}, free=0) == "alice"
    assert owner_over_share({"alice": 1, "bob": 1}, waiting={"carol"}, free=0) is None


def test_a_chunk_taken_back_goes_first_in_its_render_and_a_waiting_owner_takes_the_free_process():
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("slow", "alice", ["a0", "a1", "a2"])
    assert [scheduler.take(), scheduler.take()] == [Taken("a0", "slow", False), Taken("a1", "slow", False)]
    scheduler.add("small", "bob", ["b0"])
    assert scheduler.owners_waiting() == {"alice", "bob"}
    scheduler.requeue("slow", "a1")  # the pool cancelled a1 to give its process back
    scheduler.done("slow")
    assert scheduler.take() == Taken("b0", "small", False)
    scheduler.done("slow")  # a0 ends
    assert take_all(scheduler) == ["a1", "a2"]
