"""Quiet hours on their own: the window's edges, windows that do and do not cross midnight,
the local day in another zone than the machine's, and answers in the caller's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.quiet_hours import DEFAULT_END, DEFAULT_START, QuietHours
from tests.harness import AMS

TOKYO = ZoneInfo("Asia/Tokyo")
NIGHT = QuietHours()
"""21:30-08:30, across midnight."""
SIESTA = QuietHours(start=time(13, 0), end=time(15, 0))
"""Within one day."""


def ams(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=AMS)


def test_the_default_is_half_past_nine_to_half_past_eight() -> None:
    assert (NIGHT.start, NIGHT.end) == (DEFAULT_START, DEFAULT_END) == (time(21, 30), time(8, 30))


def test_a_window_needs_two_different_times() -> None:
    with pytest.raises(ValidationError, match="start and an end that differ"):
        QuietHours(start=time(22, 0), end=time(22, 0))


@pytest.mark.parametrize(("moment", "quiet"), [
    (ams(23, 21, 29), False), (ams(23, 21, 30), True), (ams(23, 23, 59), True),
    (ams(24, 0, 0), True), (ams(24, 8, 29), True), (ams(24, 8, 30), False), (ams(24, 12, 0), False),
])
def test_a_window_across_midnight_includes_its_start_and_not_its_end(moment: datetime, quiet: bool) -> None:
    assert NIGHT.contains(moment, AMS) is quiet


@pytest.mark.parametrize(("moment", "quiet"), [
    (ams(23, 12, 59), False), (ams(23, 13, 0), True), (ams(23, 14, 59), True), (ams(23, 15, 0), False),
    (ams(23, 22, 0), False), (ams(23, 3, 0), False),
])
def test_a_window_within_one_day_includes_its_start_and_not_its_end(moment: datetime, quiet: bool) -> None:
    assert SIESTA.contains(moment, AMS) is quiet


def test_the_window_is_read_in_the_buildings_zone_not_in_utc() -> None:
    # 21:00 UTC is 22:00 in Amsterdam in November: quiet there, not in UTC.
    moment = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    assert NIGHT.contains(moment, AMS)
    assert not NIGHT.contains(moment, ZoneInfo("UTC"))


def test_outside_quiet_hours_a_moment_is_left_as_it_is() -> None:
    noon = ams(23, 12, 0)
    assert NIGHT.next_allowed(noon, AMS) is noon
    assert NIGHT.latest_before(noon, AMS) is noon


def test_late_in_the_evening_waits_for_the_next_morning() -> None:
    assert NIGHT.next_allowed(ams(23, 21, 30), AMS) == ams(24, 8, 30)
    assert NIGHT.next_allowed(ams(23, 23, 59), AMS) == ams(24, 8, 30)


def test_after_midnight_waits_for_the_same_morning() -> None:
    assert NIGHT.next_allowed(ams(24, 0, 0), AMS) == ams(24, 8, 30)
    assert NIGHT.next_allowed(ams(24, 8, 29), AMS) == ams(24, 8, 30)


def test_within_one_day_waits_for_the_end_that_day() -> None:
    assert SIESTA.next_allowed(ams(23, 13, 0), AMS) == ams(23, 15, 0)
    assert SIESTA.latest_before(ams(23, 14, 59), AMS) == ams(23, 12, 59)


def test_the_day_is_the_local_one_when_the_utc_date_differs() -> None:
    # 14:00 in Honolulu is already the next day in UTC: the siesta ends at 15:00 that same day.
    honolulu = ZoneInfo("Pacific/Honolulu")
    afternoon = datetime(2026, 11, 23, 14, 0, tzinfo=honolulu)
    assert SIESTA.next_allowed(afternoon.astimezone(UTC), honolulu) == afternoon.replace(hour=15)
    # 07:00 in Tokyo is still the day before in UTC: a 06:00-10:00 window began that morning.
    early = QuietHours(start=time(6, 0), end=time(10, 0))
    morning = datetime(2026, 11, 24, 7, 0, tzinfo=TOKYO)
    assert early.latest_before(morning.astimezone(UTC), TOKYO) == morning.replace(hour=5, minute=59)


def test_the_last_allowed_minute_is_before_this_nights_start() -> None:
    assert NIGHT.latest_before(ams(23, 21, 30), AMS) == ams(23, 21, 29)
    assert NIGHT.latest_before(ams(23, 23, 0), AMS) == ams(23, 21, 29)
    assert NIGHT.latest_before(ams(24, 3, 0), AMS) == ams(23, 21, 29)
    assert NIGHT.latest_before(ams(24, 8, 29), AMS) == ams(23, 21, 29)


def test_answers_keep_the_callers_time_zone() -> None:
    in_utc = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    in_tokyo = in_utc.astimezone(TOKYO)
    for moment in (in_utc, in_tokyo):
        for answer in (NIGHT.next_allowed(moment, AMS), NIGHT.latest_before(moment, AMS)):
            assert answer.tzinfo is moment.tzinfo
            assert answer.utcoffset() == moment.utcoffset()
    assert NIGHT.next_allowed(in_utc, AMS) == ams(24, 8, 30)
    assert NIGHT.next_allowed(in_tokyo, AMS) - NIGHT.latest_before(in_tokyo, AMS) == timedelta(
        hours=11, minutes=1
    )
