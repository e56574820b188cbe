"""Days, times, weekdays and months read right in all six languages, whether or not a language's
catalog has shipped yet, and no catalog spells a month or a weekday by hand any more."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot import dates_text
from bot.i18n import catalogs
from locales import LANGUAGES

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY = datetime(2026, 3, 10, 18, 0, tzinfo=AMS)
"""Tuesday 10 March 2026, 18:00: a month whose Polish and Ukrainian names change with their case."""
CODES = [language.code for language in LANGUAGES]

SHORT_DAY = {
    "nl": "di 10 mrt", "en": "Tue 10 Mar", "tr": "10 Mar Sal", "ar": "الثلاثاء، 10 مارس",
    "pl": "wt., 10 mar", "uk": "вт, 10 бер.",
}
LONG_DAY = {
    "nl": "dinsdag 10 maart", "en": "Tuesday 10 March", "tr": "10 Mart Salı",
    "ar": "الثلاثاء، 10 مارس", "pl": "wtorek, 10 marca", "uk": "вівторок, 10 березня",
}
WEEKDAY = {
    "nl": "dinsdag", "en": "Tuesday", "tr": "Salı", "ar": "الثلاثاء", "pl": "wtorek",
    "uk": "вівторок",
}
IN_A_DATE = {"nl": "maart", "en": "March", "tr": "Mart", "ar": "مارس", "pl": "marca", "uk": "березня"}
"""The month inside a date: Polish and Ukrainian put it in the genitive."""
ALONE = {"nl": "maart", "en": "March", "tr": "Mart", "ar": "مارس", "pl": "marzec", "uk": "березень"}
"""The month on its own, as a heading: the nominative."""
EVENING = {
    "nl": "dinsdag 10 maart, 18:00–21:00", "en": "Tuesday 10 March, 18:00–21:00",
    "tr": "10 Mart Salı 18:00–21:00", "ar": "الثلاثاء، 10 مارس، 18:00–21:00",
    "pl": "wtorek, 10 marca, 18:00–21:00", "uk": "вівторок, 10 березня, 18:00–21:00",
}
HAND_MADE = re.compile(
    r"^(request\.(month|weekday|weekday_long)\.\d+|request\.date|insights\.month\.\d+"
    r"|pairing\.day(_short)?\.\d|settings\.weekday\.\w+)$")
MONTH_WORDS = {"januari", "maart", "oktober", "january", "march", "october", "mrt", "okt"}
WEEKDAY_WORDS = {"maandag", "dinsdag", "zondag", "monday", "tuesday", "sunday", "ma", "di", "mon", "tue"}


def test_every_language_is_covered() -> None:
    assert set(SHORT_DAY) == set(LONG_DAY) == set(WEEKDAY) == set(EVENING) == set(CODES)


@pytest.mark.parametrize("lang", CODES)
def test_the_same_moment_in_every_language(lang: str) -> None:
    day = TUESDAY.date()
    assert dates_text.day_text(lang, day) == SHORT_DAY[lang]
    assert dates_text.long_day_text(lang, day) == LONG_DAY[lang]
    assert dates_text.weekday_name(lang, 1) == WEEKDAY[lang]
    assert dates_text.day_month_text(lang, day) == f"10 {IN_A_DATE[lang]}"
    assert dates_text.month_name(lang, 3) == ALONE[lang]
    assert dates_text.month_year_text(lang, day).startswith(f"{ALONE[lang]} 2026")
    assert dates_text.clock_text(lang, TUESDAY) == "18:00"
    assert dates_text.when_text(lang, TUESDAY, TUESDAY.replace(hour=21), AMS) == EVENING[lang]


@pytest.mark.parametrize("lang", CODES)
def test_a_week_of_names_in_every_language(lang: str) -> None:
    for width in ("wide", "abbreviated"):
        for alone in (False, True):
            names = {dates_text.weekday_name(lang, day, width=width, alone=alone) for day in range(7)}
            assert len(names) == 7 and all(names), (width, alone)
    assert len({dates_text.month_name(lang, month) for month in range(1, 13)}) == 12


@pytest.mark.parametrize("lang", CODES)
def test_times_use_the_24_hour_clock_and_western_digits(lang: str) -> None:
    """Residents type "18:00" in every language, Arabic included, and read it back the same."""
    assert dates_text.clock_text(lang, time(7, 5)) == "07:05"
    assert dates_text.clock_text(lang, time(23, 30)) == "23:30"
    texts = [dates_text.when_text(lang, TUESDAY, datetime(2026, 3, 11, 1, 0, tzinfo=AMS), AMS),
             dates_text.short_day_month_text(lang, date(2026, 11, 22), year=True)]
    for text in texts:
        digits = [char for char in text if char.isdigit()]
        assert digits and all(char.isascii() for char in digits), text


def test_arabic_is_read_with_latin_digits() -> None:
    assert dates_text.babel_locale("ar").default_numbering_system == "latn"
    assert dates_text.moment_text("ar", TUESDAY, AMS) == "الثلاثاء، 10 مارس، 18:00"


def test_dutch_and_english_read_as_before() -> None:
    assert dates_text.short_day_month_text("nl", date(2026, 11, 16)) == "16 nov"
    assert dates_text.short_day_month_text("en", date(2026, 11, 22), year=True) == "22 Nov 2026"
    assert dates_text.months_text("nl", date(2026, 7, 1), date(2026, 9, 1)) == "juli–september 2026"
    assert dates_text.month_year_text("nl", date(2026, 10, 1)) == "oktober 2026"
    assert dates_text.weekday_name("nl", 0, width="abbreviated", alone=True) == "ma"
    assert dates_text.weekday_name("en", 6, width="abbreviated", alone=True) == "Sun"


def test_an_unknown_language_reads_as_dutch() -> None:
    assert dates_text.day_text("xx", TUESDAY.date()) == SHORT_DAY["nl"]


def test_no_catalog_spells_months_or_weekdays_by_hand() -> None:
    for lang, texts in catalogs().items():
        assert not [key for key in texts if HAND_MADE.match(key)], lang
        whole = {text.strip().lower() for text in texts.values()}
        assert not whole & (MONTH_WORDS | WEEKDAY_WORDS), lang
