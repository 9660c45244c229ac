"""A burst becomes a fair queue (the small version of `make loadtest`): six users press Export within
two seconds on a render budget of one render at a time, through the local stack's HTTP API."""

import uuid

import pytest

from local.auth import issue_token
from local.stack import LocalStack, StackSettings
from tools.loadtest import burst

pytestmark = pytest.mark.render


def test_six_users_at_once_on_a_budget_of_one_all_get_their_file_in_the_order_they_asked():
    users = [f"burst-{i}-{uuid.uuid4().hex[:6]}" for i in range(6)]
    with LocalStack(StackSettings(port=0, state_dir=None, pool_size=1)) as stack:
        report = burst(stack.url, {user: issue_token(user) for user in users})
    assert report.problems() == [], report.summary()
    assert report.succeeded == 6 and report.failed_or_refunded == 0
    assert report.unfair() == [] and report.quota_spent_once
    # One at a time: every export but the first waited for the ones before it.
    waits = sorted(o.waited for o in report.outcomes)
    assert waits[-1] > waits[0]
