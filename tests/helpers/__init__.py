"""Test helpers as plain modules (conftest files hold fixtures only)."""
