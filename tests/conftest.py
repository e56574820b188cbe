"""Fixtures for the end-to-end tests live in tests/harness.py."""

from __future__ import annotations

import pytest

from tests import postgres_server

pytest_plugins = ["tests.harness"]

LONG = (
    "tests/safety/test_fuzz.py::test_ten_thousand_updates_change_nothing_they_should_not",
    "tests/delivery/test_digest_fanout_process.py::",
    "tests/delivery/test_workers_process.py::",
    "tests/delivery/test_shared_limits_process.py::",
    "tests/delivery/test_workers_fanout_process.py::",
    "tests/delivery/test_fanout.py::test_500_groups_on_one_sunday_evening_within_limits",
    "tests/delivery/test_races.py::test_several_groups_press_at_once_and_each_count_is_right",
    "tests/foundation/test_demo.py::test_the_tour_shows_what_the_bot_does_as_time_passes",
    "tests/insights/test_insights_reports_e2e.py::test_a_worker_with_three_buildings_gets_one",
)
"""The tests that take from ten seconds to a minute and a half: started first, so that the two
workers of `make test` finish together instead of one waiting for a long test started last."""


DATABASE_FIXTURES = {"database_location", "blank_database_location", "town"}
"""Every database a test opens on the engine under test comes from one of these."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if postgres_server.on_postgresql():
        for item in items:
            marker = item.get_closest_marker("sqlite_only")
            if marker is not None:
                item.add_marker(pytest.mark.skip(reason="about SQLite: " + marker.kwargs["reason"]))
            elif not uses_the_engine(item):
                item.add_marker(pytest.mark.skip(
                    reason="opens no database of the engine under test: the SQLite run covers it"))

    def rank(item: pytest.Item) -> int:
        return next((n for n, start in enumerate(LONG) if item.nodeid.startswith(start)),
                    len(LONG))

    items.sort(key=rank)


def uses_the_engine(item: pytest.Item) -> bool:
    """The test opens a database through a fixture, or its module picks one itself (the
    shared-limit and worker tests reach the PostgreSQL server directly)."""
    fixtures = set(getattr(item, "fixturenames", ()))
    module = getattr(item, "module", None)
    return bool(fixtures & DATABASE_FIXTURES) or (
        module is not None and "postgres_server" in vars(module))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The PostgreSQL server of OMZIEN_TEST_ENGINE=postgresql stops with the session."""
    postgres_server.stop()
