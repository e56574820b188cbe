"""Fixtures for the end-to-end tests live in tests/harness.py."""

pytest_plugins = ["tests.harness"]
