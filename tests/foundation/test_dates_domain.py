"""The one reader of typed days and times: one vocabulary for every feature, one kind of refusal,
and each feature's own words for it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain import activities, requests
from bot.domain.activity_drafts import DATE_PROBLEMS
from bot.domain.dates import DateProblem, DayPart, TypedMoment, read_moment, read_time_from
from bot.domain.quiet_hours import QuietHours
from bot.domain.request_timing import WHEN_ERRORS
from bot.i18n import t
from tests.harness import AMS, local

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Amsterdam
AHEAD = timedelta(days=366)
BACK = timedelta(days=60)


def moment(text: str, *, day_alone_at: time | None = None, with_end: bool = False
           ) -> TypedMoment | DateProblem:
    return read_moment(text, NOW, AMS, furthest_ahead=AHEAD, recent_past=BACK,
                       day_alone_at=day_alone_at, with_end=with_end)


@pytest.mark.parametrize(
    ("typed", "start"),
    [
        ("vanavond 19:00", local(2026, 11, 23, 19, 0)),
        ("tonight 7pm", local(2026, 11, 23, 19, 0)),
        ("woe 14u", local(2026, 11, 25, 14, 0)),
        ("we 2 pm", local(2026, 11, 25, 14, 0)),
        ("febr 3", None),
        ("3 febr 10:00", local(2027, 2, 3, 10, 0)),
        ("12e december om 19 uur", local(2026, 12, 12, 19, 0)),
        ("12th dec. 7:30 p.m.", local(2026, 12, 12, 19, 30)),
        ("2026-12-12 19:00", local(2026, 12, 12, 19, 0)),
        ("19:00 do", local(2026, 11, 26, 19, 0)),
        ("do 's avonds 19:00.", local(2026, 11, 26, 19, 0)),
    ],
)
def test_one_vocabulary_in_dutch_and_english(typed: str, start: datetime | None) -> None:
    read = moment(typed)
    if start is None:
        assert read is DateProblem.UNREADABLE
    else:
        assert isinstance(read, TypedMoment) and read.start == start and read.timed


def test_a_day_alone_and_a_second_time_are_the_features_choice() -> None:
    assert moment("zaterdag") is DateProblem.NO_TIME
    whole_day = moment("zaterdag", day_alone_at=time(21, 30))
    assert whole_day == TypedMoment(start=local(2026, 11, 28, 21, 30), timed=False)
    assert moment("za 10:00-12:00") is DateProblem.UNREADABLE
    both = moment("za 10:00 tot 12:00", with_end=True)
    assert isinstance(both, TypedMoment) and both.end == local(2026, 11, 28, 12, 0)
    assert moment("za 10:00 11:00 12:00", with_end=True) is DateProblem.UNREADABLE


def test_a_bare_hour_needs_a_day_typed_or_implied() -> None:
    assert moment("19") is DateProblem.UNREADABLE
    assert moment("do 19") == TypedMoment(start=local(2026, 11, 26, 19, 0), timed=True)
    thursday = date(2026, 11, 26)
    assert read_time_from("21", thursday, AMS) == local(2026, 11, 26, 21, 0)
    assert read_time_from("vr 1u", thursday, AMS) == local(2026, 11, 27, 1, 0)
    assert read_time_from("morgen 01:00", thursday, AMS) == local(2026, 11, 27, 1, 0)
    assert read_time_from("vr", thursday, AMS) is DateProblem.NO_TIME
    assert read_time_from("21:00 22:00", thursday, AMS) is DateProblem.UNREADABLE


def test_a_leap_day_without_a_year_is_the_next_one_that_exists() -> None:
    late_2027 = datetime(2027, 11, 23, 10, 0, tzinfo=UTC)
    leap = read_moment("29-02 10:00", late_2027, AMS, furthest_ahead=AHEAD, recent_past=BACK)
    assert isinstance(leap, TypedMoment) and leap.start == local(2028, 2, 29, 10, 0)
    assert moment("29-02 10:00") is DateProblem.IMPOSSIBLE


def test_every_refusal_reads_in_each_features_own_words() -> None:
    assert set(WHEN_ERRORS) == set(DateProblem) == set(DATE_PROBLEMS)
    for problem in DateProblem:
        for lang in ("nl", "en"):
            assert t(lang, f"request.when_error.{WHEN_ERRORS[problem].value}")
            assert t(lang, f"activity.problem.{DATE_PROBLEMS[problem].value}")


def test_both_features_read_the_same_words_the_same_way() -> None:
    quiet = QuietHours()
    for typed in ("vanavond 20:00", "do 19:00", "12 dec 18:30", "morgen 9u", "3-12 10:00"):
        asked = requests.parse_when(typed, NOW, AMS, quiet)
        planned = activities.parse_when(typed, NOW, AMS)
        assert isinstance(asked, requests.When)
        assert asked.due_at == planned.start
    assert requests.parse_when("vanavond", NOW, AMS, quiet) == requests.When(
        kind=requests.WhenKind.DAY, due_at=local(2026, 11, 23, 21, 30).astimezone(UTC),
        part=DayPart.EVENING)


DAY_ENDS = time(21, 30)


@pytest.mark.parametrize(
    ("typed", "ends", "part"),
    [
        ("zaterdagmiddag", local(2026, 11, 28, 18, 0), DayPart.AFTERNOON),
        ("Zaterdag middag", local(2026, 11, 28, 18, 0), DayPart.AFTERNOON),
        ("dinsdagavond", local(2026, 11, 24, 21, 30), DayPart.EVENING),
        ("vanavond", local(2026, 11, 23, 21, 30), DayPart.EVENING),
        ("tonight", local(2026, 11, 23, 21, 30), DayPart.EVENING),
        ("vanmiddag", local(2026, 11, 23, 18, 0), DayPart.AFTERNOON),
        ("vanochtend", local(2026, 11, 23, 12, 0), DayPart.MORNING),
        ("morgenochtend", local(2026, 11, 24, 12, 0), DayPart.MORNING),
        ("morgenvroeg", local(2026, 11, 24, 12, 0), DayPart.MORNING),
        ("morgen in de middag", local(2026, 11, 24, 18, 0), DayPart.AFTERNOON),
        ("this afternoon", local(2026, 11, 23, 18, 0), DayPart.AFTERNOON),
        ("saturday evening", local(2026, 11, 28, 21, 30), DayPart.EVENING),
        ("tomorrow morning", local(2026, 11, 24, 12, 0), DayPart.MORNING),
        ("maandagochtend", local(2026, 11, 23, 12, 0), DayPart.MORNING),
    ],
)
def test_a_part_of_the_day_lasts_until_it_ends(typed: str, ends: datetime, part: DayPart) -> None:
    assert moment(typed, day_alone_at=DAY_ENDS) == TypedMoment(start=ends, timed=False, part=part)


def test_a_part_of_the_day_that_is_over_is_past_or_next_week() -> None:
    evening = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # Monday 19:30
    assert read_moment("vanmiddag", evening, AMS, furthest_ahead=AHEAD, recent_past=BACK,
                       day_alone_at=DAY_ENDS) is DateProblem.PAST
    next_monday = read_moment("maandagmiddag", evening, AMS, furthest_ahead=AHEAD,
                              recent_past=BACK, day_alone_at=DAY_ENDS)
    assert isinstance(next_monday, TypedMoment) and next_monday.start == local(2026, 11, 30, 18, 0)


def test_a_part_of_the_day_alone_is_no_time_where_a_time_is_needed() -> None:
    assert moment("zaterdagmiddag") is DateProblem.NO_TIME
    assert moment("zaterdagmiddag om 3 uur") == TypedMoment(start=local(2026, 11, 28, 15, 0),
                                                            timed=True)


@pytest.mark.parametrize(
    ("typed", "start"),
    [
        ("vanavond 7", local(2026, 11, 23, 19, 0)),
        ("vanavond om 7 uur", local(2026, 11, 23, 19, 0)),
        ("dinsdagavond 7:30", local(2026, 11, 24, 19, 30)),
        ("'s middags 2 uur", local(2026, 11, 23, 14, 0)),
        ("morgenochtend 9 uur", local(2026, 11, 24, 9, 0)),
        ("saturday evening at 8", local(2026, 11, 28, 20, 0)),
        ("za 's avonds 19:00", local(2026, 11, 28, 19, 0)),
    ],
)
def test_a_part_of_the_day_says_which_half_an_hour_is_in(typed: str, start: datetime) -> None:
    assert moment(typed) == TypedMoment(start=start, timed=True)


@pytest.mark.parametrize(
    ("typed", "start"),
    [
        ("om 3 uur", local(2026, 11, 23, 15, 0)),
        ("at 3", local(2026, 11, 23, 15, 0)),
        ("3u", local(2026, 11, 23, 15, 0)),
        ("za om 4", local(2026, 11, 28, 16, 0)),
        ("morgen 1 uur", local(2026, 11, 24, 13, 0)),
        ("3:30", local(2026, 11, 23, 15, 30)),
        ("om 9 uur", local(2026, 11, 23, 21, 0)),
        ("maandag om 10 uur", local(2026, 11, 23, 22, 0)),
        ("morgen om 9 uur", local(2026, 11, 24, 9, 0)),
        ("om 12 uur", local(2026, 11, 23, 12, 0)),
        ("3 am", None),
        ("vandaag 10:00", None),
        ("03:30", None),
    ],
)
def test_an_hour_alone_is_read_as_people_mean_it(typed: str, start: datetime | None) -> None:
    read = moment(typed)
    if start is None:
        assert read is DateProblem.PAST
    else:
        assert read == TypedMoment(start=start, timed=True)


def test_an_hour_alone_before_the_morning_has_passed_is_the_morning() -> None:
    early = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 07:00
    read = read_moment("om 9 uur", early, AMS, furthest_ahead=AHEAD, recent_past=BACK)
    assert read == TypedMoment(start=local(2026, 11, 23, 9, 0), timed=True)


def test_an_end_time_alone_from_1_to_6_is_in_the_afternoon_too() -> None:
    both = moment("za 2 tot 4", with_end=True)
    assert both == TypedMoment(start=local(2026, 11, 28, 14, 0), end=local(2026, 11, 28, 16, 0),
                               timed=True)


def test_a_request_keeps_its_part_of_the_day_every_week() -> None:
    quiet = QuietHours()
    asked = requests.parse_when("zaterdagmiddag", NOW, AMS, quiet)
    assert asked == requests.When(kind=requests.WhenKind.DAY, part=DayPart.AFTERNOON,
                                  due_at=local(2026, 11, 28, 18, 0).astimezone(UTC))
    assert requests.next_occurrence(asked, AMS, quiet) == requests.When(
        kind=requests.WhenKind.DAY, part=DayPart.AFTERNOON,
        due_at=local(2026, 12, 5, 18, 0).astimezone(UTC))
