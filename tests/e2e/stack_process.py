"""The local stack in a process of its own, for the page's end-to-end tests.

Its limits come from its own environment (the tests run it with USER_DAILY_EXPORT_LIMIT=1, so the
daily limit is one export away), apart from the in-process stack the other suites share. It prints
its URL, then runs until its standard input closes.

    python -m tests.e2e.stack_process
"""

import sys

from local.stack import LocalStack, StackSettings


def main() -> None:
    with LocalStack(StackSettings.from_env(port=0, state_dir=None)) as stack:
        print(stack.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
