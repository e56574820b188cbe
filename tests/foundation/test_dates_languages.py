"""Typed days and times in every language the bot speaks: relative days, weekdays as people write
them, day and month, Arabic-Indic digits; across a new year and a clock change; the resident's
language read first; and a refusal the features already know for what no language reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import activities, requests
from bot.domain.date_vocabulary import fold, language_vocabulary
from bot.domain.dates import DateProblem, TypedMoment, read_moment, read_time_from
from bot.domain.quiet_hours import QuietHours
from bot.i18n import catalogs
from locales import LANGUAGES
from tests.harness import AMS, local

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Amsterdam
AHEAD = timedelta(days=366)
BACK = timedelta(days=60)


def start(typed: str, lang: str | None, now: datetime = NOW) -> datetime | DateProblem:
    read = read_moment(typed, now, AMS, furthest_ahead=AHEAD, recent_past=BACK, with_end=True,
                       lang=lang)
    return read.start if isinstance(read, TypedMoment) else read


TUESDAY_18 = local(2026, 11, 24, 18, 0)
WEDNESDAY_18 = local(2026, 11, 25, 18, 0)
FRIDAY_18 = local(2026, 11, 27, 18, 0)
SATURDAY_10 = local(2026, 11, 28, 10, 0)
MARCH_12 = local(2027, 3, 12, 18, 0)
TODAY_18 = local(2026, 11, 23, 18, 0)


@pytest.mark.parametrize(
    ("lang", "typed", "expected"),
    [
        ("nl", "morgen 18:00", TUESDAY_18),
        ("nl", "vrijdag 18u", FRIDAY_18),
        ("nl", "12 maart 18.00", MARCH_12),
        ("en", "tomorrow 6pm", TUESDAY_18),
        ("en", "Fri 18:00", FRIDAY_18),
        ("en", "12 March 18:00", MARCH_12),
        ("tr", "yarın 18:00", TUESDAY_18),
        ("tr", "YARIN 18.00", TUESDAY_18),
        ("tr", "yarin saat 18'de", TUESDAY_18),
        ("tr", "bugün 18:00", TODAY_18),
        ("tr", "öbür gün 18:00", WEDNESDAY_18),
        ("tr", "cuma 18:00", FRIDAY_18),
        ("tr", "Cumartesi günü saat 10:00", SATURDAY_10),
        ("tr", "Cmt 10:00", SATURDAY_10),
        ("tr", "12 Mart 18:00", MARCH_12),
        ("tr", "bu akşam 6", TODAY_18),
        ("ar", "غدا 18:00", TUESDAY_18),
        ("ar", "غداً ١٨:٠٠", TUESDAY_18),
        ("ar", "بكرة الساعة 6 مساء", TUESDAY_18),
        ("ar", "اليوم 18:00", TODAY_18),
        ("ar", "بعد غد 18:00", WEDNESDAY_18),
        ("ar", "الجمعة 18:00", FRIDAY_18),
        ("ar", "يوم الجمعه ١٨:٠٠", FRIDAY_18),
        ("ar", "سبت 10:00", SATURDAY_10),
        ("ar", "12 مارس 18:00", MARCH_12),
        ("ar", "١٢ آذار 18:00", MARCH_12),
        ("pl", "jutro 18:00", TUESDAY_18),
        ("pl", "dziś 18:00", TODAY_18),
        ("pl", "dzisiaj o 18", TODAY_18),
        ("pl", "pojutrze 18.00", WEDNESDAY_18),
        ("pl", "w piątek 18:00", FRIDAY_18),
        ("pl", "Piatek o godz. 18", FRIDAY_18),
        ("pl", "pt. 18:00", FRIDAY_18),
        ("pl", "w sobotę 10:00", SATURDAY_10),
        ("pl", "12 marca 18:00", MARCH_12),
        ("pl", "jutro wieczorem 6", TUESDAY_18),
        ("uk", "завтра 18:00", TUESDAY_18),
        ("uk", "сьогодні о 18", TODAY_18),
        ("uk", "післязавтра 18:00", WEDNESDAY_18),
        ("uk", "в п'ятницю 18:00", FRIDAY_18),
        ("uk", "у пʼятницю о 18:00", FRIDAY_18),
        ("uk", "П'ятниця 18:00", FRIDAY_18),
        ("uk", "пт 18:00", FRIDAY_18),
        ("uk", "в суботу 10:00", SATURDAY_10),
        ("uk", "12 березня 18:00", MARCH_12),
        ("uk", "завтра ввечері о 6", TUESDAY_18),
    ],
)
def test_each_language_in_the_words_people_type(lang: str, typed: str, expected: datetime) -> None:
    assert start(typed, lang) == expected
    assert start(typed, None) == expected, "a date in any language parses without a hint"


@pytest.mark.parametrize(
    ("lang", "typed"),
    [("nl", "morgen misschien"), ("en", "tomorrow maybe"), ("tr", "yarın belki"),
     ("ar", "غدا ربما"), ("pl", "jutro może"), ("uk", "завтра можливо")],
)
def test_what_no_language_reads_is_refused_as_before(lang: str, typed: str) -> None:
    assert start(typed, lang) is DateProblem.UNREADABLE
    with pytest.raises(activities.InvalidInput) as refused:
        activities.parse_when(typed, NOW, AMS, lang)
    assert refused.value.problem is activities.Problem.UNREADABLE
    assert requests.parse_when(typed, NOW, AMS, QuietHours(), lang) is \
        requests.WhenError.UNREADABLE


NEW_YEARS_EVE_EVE = datetime(2026, 12, 30, 11, 0, tzinfo=UTC)  # Wednesday 12:00


@pytest.mark.parametrize(
    ("lang", "typed", "expected"),
    [
        ("tr", "yarın 18:00", local(2026, 12, 31, 18, 0)),
        ("tr", "öbür gün 10:00", local(2027, 1, 1, 10, 0)),
        ("tr", "2 Ocak 10:00", local(2027, 1, 2, 10, 0)),
        ("tr", "cuma 10:00", local(2027, 1, 1, 10, 0)),
        ("ar", "بعد غد 10:00", local(2027, 1, 1, 10, 0)),
        ("ar", "2 يناير 10:00", local(2027, 1, 2, 10, 0)),
        ("ar", "2 كانون الثاني 10:00", local(2027, 1, 2, 10, 0)),
        ("pl", "pojutrze 10:00", local(2027, 1, 1, 10, 0)),
        ("pl", "2 stycznia 10:00", local(2027, 1, 2, 10, 0)),
        ("pl", "w sobotę 10:00", local(2027, 1, 2, 10, 0)),
        ("uk", "післязавтра 10:00", local(2027, 1, 1, 10, 0)),
        ("uk", "2 січня 10:00", local(2027, 1, 2, 10, 0)),
        ("uk", "в неділю 10:00", local(2027, 1, 3, 10, 0)),
    ],
)
def test_across_the_new_year(lang: str, typed: str, expected: datetime) -> None:
    assert start(typed, lang, NEW_YEARS_EVE_EVE) == expected


CLOCKS_BACK_EVE = datetime(2026, 10, 24, 10, 0, tzinfo=UTC)  # Saturday 12:00 CEST
CLOCKS_FORWARD_EVE = datetime(2027, 3, 27, 11, 0, tzinfo=UTC)  # Saturday 12:00 CET


@pytest.mark.parametrize(
    ("now", "typed", "lang", "expected_utc"),
    [
        (CLOCKS_BACK_EVE, "yarın 18:00", "tr", datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
        (CLOCKS_BACK_EVE, "غدا 18:00", "ar", datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
        (CLOCKS_BACK_EVE, "jutro 18:00", "pl", datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
        (CLOCKS_BACK_EVE, "завтра 18:00", "uk", datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
        (CLOCKS_BACK_EVE, "dziś 18:00", "pl", datetime(2026, 10, 24, 16, 0, tzinfo=UTC)),
        (CLOCKS_FORWARD_EVE, "pazar 10:00", "tr", datetime(2027, 3, 28, 8, 0, tzinfo=UTC)),
        (CLOCKS_FORWARD_EVE, "28 marca 10:00", "pl", datetime(2027, 3, 28, 8, 0, tzinfo=UTC)),
        (CLOCKS_FORWARD_EVE, "в неділю 10:00", "uk", datetime(2027, 3, 28, 8, 0, tzinfo=UTC)),
        (CLOCKS_FORWARD_EVE, "الأحد 10:00", "ar", datetime(2027, 3, 28, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_local_time_holds_across_a_clock_change(
    now: datetime, typed: str, lang: str, expected_utc: datetime
) -> None:
    found = start(typed, lang, now)
    assert isinstance(found, datetime) and found.astimezone(UTC) == expected_utc


def test_the_residents_language_is_read_first() -> None:
    """"do" is Thursday in Dutch and "until" in Polish."""
    dutch = read_moment("10:00 do 12:00", NOW, AMS, furthest_ahead=AHEAD, recent_past=BACK,
                        with_end=True, lang="nl")
    polish = read_moment("jutro 10:00 do 12:00", NOW, AMS, furthest_ahead=AHEAD,
                         recent_past=BACK, with_end=True, lang="pl")
    assert isinstance(dutch, TypedMoment) and dutch.start == local(2026, 11, 26, 10, 0)
    assert isinstance(polish, TypedMoment) and polish.end == local(2026, 11, 24, 12, 0)
    tuesday = local(2026, 11, 24, 18, 0)
    assert read_time_from("do 20:00", tuesday.date(), AMS, "pl") == local(2026, 11, 24, 20, 0)
    assert read_time_from("do 20:00", tuesday.date(), AMS, "nl") == local(2026, 11, 26, 20, 0)


def test_words_from_two_languages_in_one_answer() -> None:
    assert start("jutro 6pm", "nl") == TUESDAY_18
    assert start("yarın 6 pm", "en") == TUESDAY_18


def test_every_language_has_babels_names_and_another_needs_no_hand_list() -> None:
    for language in LANGUAGES:
        words = language_vocabulary(language.code)
        assert len(set(words.weekdays.values())) == 7 and len(set(words.months.values())) == 12
    german = language_vocabulary("de")
    assert german.weekdays[fold("Freitag")] == 4 and german.months[fold("März")] == 3
    assert not german.relative_days


@pytest.mark.parametrize(
    ("typed", "folded"),
    [("YARIN", "yarin"), ("İstanbul", "istanbul"), ("غداً", "غدا"), ("الجمعة", "الجمعه"),
     ("пʼятниця", "п'ятниця"), ("١٨:٠٠", "18:00"), ("Środę", "srode"), ("poniedziałek",
                                                                       "poniedzialek")],
)
def test_typed_text_and_the_words_fold_alike(typed: str, folded: str) -> None:
    assert fold(typed) == folded


EXAMPLE_IDS = ("request.flow.when", "request.when_error.unreadable", "activity.ask.when",
               "activity.ask.edit_when")
EXAMPLE = re.compile(r"([^\s<>,:;()]+ \d{1,2}:\d{2})")


@pytest.mark.parametrize("lang", [language.code for language in LANGUAGES])
def test_every_example_a_question_gives_is_read_in_its_language(lang: str) -> None:
    """"Type for example Cmt 14:00": the examples the questions show are understood."""
    examples = {found for key in EXAMPLE_IDS for found in EXAMPLE.findall(catalogs()[lang][key])}
    assert len(examples) >= 2, (lang, examples)
    for typed in sorted(examples):
        assert isinstance(start(typed, lang), datetime), (lang, typed)
