"""The local stack in-process: emulated DynamoDB and S3 (moto server, over HTTP), the HTTP adapter,
the same handlers, and the real render worker."""

import uuid

import pytest

from tests.helpers.api import Client


@pytest.fixture
def client(stack) -> Client:
    """A new user for every test: their own quota, lock and projects."""
    return Client(stack.url, f"user-{uuid.uuid4().hex[:8]}")
