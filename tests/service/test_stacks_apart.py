"""Stacks share no global state: a second stack in the same process (as the suites run, in one
pytest process) has its own data and services, and leaves the process environment as it found it."""

import os

from local.stack import LocalStack, StackSettings
from tests.helpers.api import Client


def test_a_second_stack_in_the_process_sees_none_of_the_first_ones_data_and_restores_the_environment(stack):
    user = "apart-user"
    first = Client(stack.url, user)
    mine = first.project()
    environment_before = dict(os.environ)

    with LocalStack(StackSettings(port=0, state_dir=None, service={"USER_DAILY_EXPORT_LIMIT": "3"})) as second:
        assert second.emulator_port != stack.emulator_port
        other = Client(second.url, user)
        status, listed, _ = other.call("GET", "/projects")
        assert status == 200 and mine["projectId"] not in [p["projectId"] for p in listed["items"]]
        # Each stack answers with its own settings, request by request, in either order.
        assert other.call("GET", "/exports/stats")[1]["dailyLimit"] == 3
        assert first.call("GET", "/exports/stats")[1]["dailyLimit"] == 10
        assert other.call("GET", "/exports/stats")[1]["dailyLimit"] == 3
        theirs = other.project()
        assert first.call("GET", f"/projects/{theirs['projectId']}")[0] == 404

    assert dict(os.environ) == environment_before
    status, again, _ = first.call("GET", f"/projects/{mine['projectId']}")
    assert status == 200 and again["projectId"] == mine["projectId"]
