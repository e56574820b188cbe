"""The rules of small help requests: typed days and times, limits, bumps that respect the night,
weekly needs, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.quiet_hours import QuietHours
from bot.domain.requests import (
    MAX_DESCRIPTION,
    Action,
    HelpRequest,
    PostingRefusal,
    Refusal,
    RequestKind,
    RequestStatus,
    TextError,
    When,
    WhenChoice,
    WhenError,
    WhenKind,
    bump_moment,
    can_repeat,
    close_moment,
    next_occurrence,
    parse_when,
    posting_refusal,
    refusal,
    validate_contact,
    validate_description,
    when_from_choice,
)
from tests.harness import AMS, local

QUIET = QuietHours()
NOW = datetime(2026, 11, 23, 11, 0, tzinfo=AMS)  # Monday


def at(*args: int) -> When:
    return When(kind=WhenKind.AT, due_at=local(*args).astimezone(UTC))


def day(*args: int) -> When:
    return When(kind=WhenKind.DAY, due_at=local(*args, 21, 30).astimezone(UTC))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("za 14:00", at(2026, 11, 28, 14, 0)),
        ("Zaterdag 14:00", at(2026, 11, 28, 14, 0)),
        ("zaterdag om 14.00", at(2026, 11, 28, 14, 0)),
        ("saturday 2pm", at(2026, 11, 28, 14, 0)),
        ("Sat 2 pm", at(2026, 11, 28, 14, 0)),
        ("za 14", at(2026, 11, 28, 14, 0)),
        ("za. 14u", at(2026, 11, 28, 14, 0)),
        ("di 19 uur", at(2026, 11, 24, 19, 0)),
        ("12-12 10:30", at(2026, 12, 12, 10, 30)),
        ("12/12 10:30", at(2026, 12, 12, 10, 30)),
        ("12-12-2026, 10:30", at(2026, 12, 12, 10, 30)),
        ("12-12-26 10:30", at(2026, 12, 12, 10, 30)),
        ("3 december 9:15", at(2026, 12, 3, 9, 15)),
        ("3 dec", day(2026, 12, 3)),
        ("morgen 9u", at(2026, 11, 24, 9, 0)),
        ("tomorrow 9:30am", at(2026, 11, 24, 9, 30)),
        ("overmorgen", day(2026, 11, 25)),
        ("vandaag", day(2026, 11, 23)),
        ("15:30", at(2026, 11, 23, 15, 30)),
        ("ma 12:00", at(2026, 11, 23, 12, 0)),
        ("ma 10:00", at(2026, 11, 30, 10, 0)),
        ("maandag", day(2026, 11, 23)),
        ("volgende vrijdag", day(2026, 11, 27)),
        ("1-1", day(2027, 1, 1)),
        ("wednesday 12am", at(2026, 11, 25, 0, 0)),
    ],
)
def test_typed_days_and_times(text: str, expected: When) -> None:
    assert parse_when(text, NOW, AMS, QUIET) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", WhenError.UNREADABLE),
        ("ergens volgende week", WhenError.UNREADABLE),
        ("als het kan", WhenError.UNREADABLE),
        ("14", WhenError.UNREADABLE),
        ("za za", WhenError.UNREADABLE),
        ("31-02", WhenError.IMPOSSIBLE),
        ("32-12 10:00", WhenError.IMPOSSIBLE),
        ("12-13", WhenError.IMPOSSIBLE),
        ("za 25:00", WhenError.IMPOSSIBLE),
        ("za 14:75", WhenError.IMPOSSIBLE),
        ("za 13pm", WhenError.IMPOSSIBLE),
        ("29-02-2027", WhenError.IMPOSSIBLE),
        ("10:00", WhenError.PAST),
        ("vandaag 9:00", WhenError.PAST),
        ("20-11", WhenError.PAST),
        ("22-11-2026 12:00", WhenError.PAST),
        ("1-3-2027", WhenError.TOO_FAR),
    ],
)
def test_unreadable_impossible_and_past_are_refused(text: str, error: WhenError) -> None:
    assert parse_when(text, NOW, AMS, QUIET) == error


def test_today_is_over_once_quiet_hours_begin() -> None:
    evening = local(2026, 11, 23, 22, 0)
    assert parse_when("vandaag", evening, AMS, QUIET) == WhenError.PAST
    assert when_from_choice(WhenChoice.TODAY, evening, AMS, QUIET) == WhenError.PAST
    assert when_from_choice(WhenChoice.TOMORROW, evening, AMS, QUIET) == day(2026, 11, 24)
    assert parse_when("ma", evening, AMS, QUIET) == day(2026, 11, 30)


def test_buttons_today_tomorrow_and_this_week() -> None:
    assert when_from_choice(WhenChoice.TODAY, NOW, AMS, QUIET) == day(2026, 11, 23)
    assert when_from_choice(WhenChoice.TOMORROW, NOW, AMS, QUIET) == day(2026, 11, 24)
    week = when_from_choice(WhenChoice.WEEK, NOW, AMS, QUIET)
    assert week == When(kind=WhenKind.WEEK, due_at=local(2026, 11, 29, 21, 30).astimezone(UTC))
    sunday_night = local(2026, 11, 29, 22, 0)
    next_week = when_from_choice(WhenChoice.WEEK, sunday_night, AMS, QUIET)
    assert isinstance(next_week, When)
    assert next_week.local_day(AMS).isoformat() == "2026-12-06"


def test_descriptions_keep_any_text_within_280() -> None:
    assert validate_description("  <b>Help</b> & 🙂 مرحبا  ") == "<b>Help</b> & 🙂 مرحبا"
    word = "a" * MAX_DESCRIPTION
    assert validate_description(word) == word
    assert validate_description(word + "a") == TextError.TOO_LONG
    assert validate_description(" \n ") == TextError.EMPTY
    assert validate_description("🙏🙏🙏") == TextError.NO_WORDS
    assert validate_description(" ?! 🙂 ") == TextError.NO_WORDS
    assert validate_description("🙏 7") == "🙏 7"
    assert validate_contact("flat 3B") == "flat 3B"
    assert validate_contact("x" * 101) == TextError.TOO_LONG


def test_bump_hours_before_its_time() -> None:
    posted = local(2026, 11, 23, 11, 0)
    assert bump_moment(local(2026, 11, 28, 14, 0), posted, 3, QUIET, AMS) == local(2026, 11, 28, 11, 0)
    assert bump_moment(local(2026, 11, 28, 14, 0), posted, 0, QUIET, AMS) is None


def test_bump_that_would_fall_at_night_moves_to_the_evening_before() -> None:
    posted = local(2026, 11, 23, 11, 0)
    moment = bump_moment(local(2026, 11, 25, 9, 0), posted, 3, QUIET, AMS)
    assert moment == local(2026, 11, 24, 21, 29)


def test_bump_is_skipped_when_there_is_no_decent_moment() -> None:
    late_post = local(2026, 11, 24, 21, 0)
    assert bump_moment(local(2026, 11, 25, 9, 0), late_post, 3, QUIET, AMS) is None
    assert bump_moment(local(2026, 11, 23, 13, 0), NOW, 3, QUIET, AMS) is None
    assert bump_moment(local(2026, 11, 23, 14, 30), NOW, 3, QUIET, AMS) is None


@settings(max_examples=300, deadline=None)
@given(
    posted_minutes=st.integers(min_value=0, max_value=60 * 24 * 14),
    ahead_minutes=st.integers(min_value=1, max_value=60 * 24 * 14),
    hours=st.integers(min_value=0, max_value=72),
)
def test_a_bump_is_never_at_night_and_never_too_soon(
    posted_minutes: int, ahead_minutes: int, hours: int
) -> None:
    posted = NOW + timedelta(minutes=posted_minutes)
    due = posted + timedelta(minutes=ahead_minutes)
    moment = bump_moment(due, posted, hours, QUIET, AMS)
    if moment is not None:
        assert not QUIET.contains(moment, AMS)
        assert posted + timedelta(hours=1) <= moment < due


def test_closing_waits_for_the_morning() -> None:
    assert close_moment(local(2026, 11, 25, 7, 0), QUIET, AMS) == local(2026, 11, 25, 8, 30)
    assert close_moment(local(2026, 11, 25, 14, 0), QUIET, AMS) == local(2026, 11, 25, 14, 0)


def test_weekly_keeps_the_local_time_across_a_clock_change() -> None:
    before = at(2026, 10, 20, 19, 0)
    after = next_occurrence(before, AMS, QUIET)
    assert after.due_at.astimezone(AMS) == local(2026, 10, 27, 19, 0)
    assert after.due_at - before.due_at == timedelta(days=7, hours=1)
    assert next_occurrence(day(2026, 11, 24), AMS, QUIET) == day(2026, 12, 1)
    assert can_repeat(at(2026, 11, 24, 19, 0)) and can_repeat(day(2026, 11, 24))
    assert not can_repeat(When(kind=WhenKind.WEEK, due_at=NOW))


def test_limits_on_open_requests_and_pace() -> None:
    assert posting_refusal(2, 0, 3) is None
    assert posting_refusal(3, 0, 3) is PostingRefusal.TOO_MANY_OPEN
    assert posting_refusal(0, 5, 3) is PostingRefusal.TOO_FAST
    assert posting_refusal(0, 4, 3) is None


def request(**changes: object) -> HelpRequest:
    base = HelpRequest(
        id=1, building_id=-100, requester_id=1, kind=RequestKind.GROCERIES, description="melk",
        when=at(2026, 11, 28, 14, 0), anonymous=True, on_behalf=False,
        status=RequestStatus.OPEN, created_at=NOW,
    )
    return base.model_copy(update=changes)


def test_who_may_claim() -> None:
    assert refusal(Action.CLAIM, request(), 2, NOW) is None
    assert refusal(Action.CLAIM, request(), 1, NOW) is Refusal.OWN
    assert refusal(Action.CLAIM, None, 2, NOW) is Refusal.GONE
    claimed = request(status=RequestStatus.CLAIMED, helper_id=3)
    assert refusal(Action.CLAIM, claimed, 2, NOW) is Refusal.TAKEN
    assert refusal(Action.CLAIM, claimed, 3, NOW) is Refusal.ALREADY
    for closed in (RequestStatus.DONE, RequestStatus.CANCELLED, RequestStatus.EXPIRED,
                   RequestStatus.REMOVED):
        assert refusal(Action.CLAIM, request(status=closed), 2, NOW) is Refusal.CLOSED
    late = local(2026, 11, 28, 14, 0)
    assert refusal(Action.CLAIM, request(), 2, late) is Refusal.PAST


def test_who_may_change_plans() -> None:
    claimed = request(status=RequestStatus.CLAIMED, helper_id=3)
    assert refusal(Action.WITHDRAW, claimed, 3, NOW) is None
    assert refusal(Action.WITHDRAW, claimed, 1, NOW) is Refusal.NOT_YOURS
    assert refusal(Action.WITHDRAW, request(), 3, NOW) is Refusal.NOT_YOURS
    assert refusal(Action.DONE, claimed, 1, NOW) is None
    assert refusal(Action.DONE, claimed, 3, NOW) is None
    assert refusal(Action.DONE, claimed, 4, NOW) is Refusal.NOT_YOURS
    assert refusal(Action.DONE, request(), 1, NOW) is Refusal.CLOSED
    assert refusal(Action.CANCEL, request(), 1, NOW) is None
    assert refusal(Action.CANCEL, claimed, 1, NOW) is None
    assert refusal(Action.CANCEL, request(), 3, NOW) is Refusal.NOT_YOURS
    assert refusal(Action.EDIT, request(status=RequestStatus.DONE), 1, NOW) is Refusal.CLOSED
    assert refusal(Action.CONTACT, request(), 1, NOW) is Refusal.CLOSED
    assert refusal(Action.CONTACT, claimed, 1, NOW) is None
    assert refusal(Action.CONTACT, claimed, 3, NOW) is Refusal.NOT_YOURS


def test_thanks_once_and_repost_only_after_expiry() -> None:
    done = request(status=RequestStatus.DONE, helper_id=3)
    assert refusal(Action.THANK, done, 1, NOW) is None
    assert refusal(Action.THANK, done, 3, NOW) is Refusal.NOT_YOURS
    assert refusal(Action.THANK, done.model_copy(update={"thanked_at": NOW}), 1, NOW) is Refusal.ALREADY
    assert refusal(Action.THANK, request(), 1, NOW) is Refusal.CLOSED
    assert refusal(Action.REPOST, request(status=RequestStatus.EXPIRED), 1, NOW) is None
    assert refusal(Action.REPOST, request(status=RequestStatus.EXPIRED), 2, NOW) is Refusal.NOT_YOURS
    assert refusal(Action.REPOST, request(), 1, NOW) is Refusal.CLOSED
    assert refusal(Action.STOP_SERIES, request(series_id=4), 1, NOW) is None
    assert refusal(Action.STOP_SERIES, request(), 1, NOW) is Refusal.CLOSED


def test_daytime_quiet_hours_end_a_day_at_midnight() -> None:
    odd = QuietHours(start=time(1, 0), end=time(7, 0))
    assert when_from_choice(WhenChoice.TODAY, NOW, AMS, odd) == When(
        kind=WhenKind.DAY, due_at=local(2026, 11, 23, 23, 59).astimezone(UTC))
