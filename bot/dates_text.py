"""Days, times, weekdays and month names as each language writes them, from Babel (CLDR), so no
catalog has to spell a month or a weekday by hand and a new language gets them for free.

Skeletons, not fixed patterns: CLDR puts the fields in each language's own order ("di 10 mrt",
"10 Mar Sal", "wt., 10 mar") and picks the right grammatical case, so a Polish or Ukrainian month
inside a date is in the genitive ("10 marca", "10 березня") while a month on its own, as a
heading, is in the nominative ("marzec 2026", "березень 2026 р.").

Three choices, the same for every language:
- English is written as in Britain (`en_GB`): day before month, as residents in the Netherlands
  read it; CLDR's plain `en` is American ("Tue, Mar 10", "6:00 PM").
- Times use the 24-hour clock ("18:00") in all six languages. It is the norm in Dutch, Turkish,
  Polish, Ukrainian and British English; CLDR's Arabic prefers "6:00 م", but residents here type
  24-hour times and every other time the bot shows (quiet hours, buttons) is 24-hour.
- Arabic uses Western digits ("18:00", "10 مارس"), which residents type and the rest of the bot
  shows. The locale is plain `ar` (Modern Standard Arabic), whose CLDR default numbering system
  is `latn`, not a regional one such as `ar_EG` whose default is Arabic-Indic (`arab`); Babel
  writes the numbers of a date with those Latin digits.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    format_time,
    get_day_names,
    get_month_names,
    match_skeleton,
)

from locales import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "babel_locale",
    "clock_text",
    "day_month_text",
    "day_text",
    "long_day_text",
    "moment_text",
    "month_name",
    "month_year_text",
    "months_text",
    "short_day_month_text",
    "weekday_name",
    "when_text",
]

_BABEL_NAMES = {"en": "en_GB"}
"""Where a language's Babel locale is not its bare code (see the module's docstring)."""

_SHORT_WEEKDAY = re.compile(r"(?<![Ec])(E{1,3}|c{3})(?![Ec])")

Width = Literal["abbreviated", "wide"]
Context = Literal["format", "stand-alone"]


@cache
def babel_locale(lang: str) -> Locale:
    """The Babel locale for one of the bot's languages; an unknown code reads as Dutch."""
    code = lang if any(language.code == lang for language in LANGUAGES) else DEFAULT_LANGUAGE
    return Locale.parse(_BABEL_NAMES.get(code, code))


def _widen_weekday(pattern: str) -> str:
    """"E d MMMM" -> "EEEE d MMMM": CLDR's skeletons hold the short weekday; the full one is the
    same pattern with the field widened (text between quotes is left alone)."""
    parts = pattern.split("'")
    parts[::2] = [_SHORT_WEEKDAY.sub(lambda found: found[0][0] * 4, part) for part in parts[::2]]
    return "'".join(parts)


@cache
def _pattern(lang: str, skeleton: str, *, wide_weekday: bool = False) -> str:
    """The language's own pattern for the fields of `skeleton`, in its order and punctuation."""
    skeletons = babel_locale(lang).datetime_skeletons
    found = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)
    if found is None:
        raise ValueError(f"no date pattern for {skeleton!r} in {lang!r}")
    pattern = str(skeletons[found].pattern)
    return _widen_weekday(pattern) if wide_weekday else pattern


def _date(lang: str, day: date, skeleton: str, *, wide_weekday: bool = False) -> str:
    pattern = _pattern(lang, skeleton, wide_weekday=wide_weekday)
    return str(format_date(day, pattern, locale=babel_locale(lang)))


def day_text(lang: str, day: date) -> str:
    """A short day with its weekday: "di 10 mrt", "Tue 10 Mar", "10 Mar Sal", "wt., 10 mar"."""
    return _date(lang, day, "MMMEd")


def long_day_text(lang: str, day: date) -> str:
    """A day in full: "dinsdag 10 maart", "Tuesday 10 March", "wtorek, 10 marca"."""
    return _date(lang, day, "MMMMEd", wide_weekday=True)


def day_month_text(lang: str, day: date) -> str:
    """A day without its weekday: "10 maart", "10 marca", "10 березня"."""
    return _date(lang, day, "MMMMd")


def short_day_month_text(lang: str, day: date, *, year: bool = False) -> str:
    """A day in a short span of days: "16 nov", with the year "22 nov 2026"."""
    return _date(lang, day, "yMMMd" if year else "MMMd")


def month_year_text(lang: str, day: date) -> str:
    """A month as a heading: "maart 2026", "marzec 2026", "березень 2026 р."."""
    return _date(lang, day, "yMMMM")


def months_text(lang: str, first: date, last: date) -> str:
    """A run of months as a heading: "juli–september 2026", "lipiec–wrzesień 2026"."""
    return str(format_interval(first, last, "yMMMM", locale=babel_locale(lang)))


def month_name(lang: str, month: int) -> str:
    """A month on its own (nominative: "marzec", "березень"), month 1 being January."""
    return str(get_month_names("wide", context="stand-alone", locale=babel_locale(lang))[month])


def weekday_name(lang: str, weekday: int, *, width: Width = "wide", alone: bool = False) -> str:
    """A weekday, Monday being 0: inside a sentence ("dinsdag", "wtorek", "вівторок"), or with
    `alone` as a label of its own (a button); "abbreviated" gives "di", "wt.", "вт"."""
    context: Context = "stand-alone" if alone else "format"
    return str(get_day_names(width, context=context, locale=babel_locale(lang))[weekday])


def clock_text(lang: str, moment: time | datetime) -> str:
    """A time on the 24-hour clock: "18:00" (see the module's docstring)."""
    at = moment.time() if isinstance(moment, datetime) else moment
    return str(format_time(at, _pattern(lang, "Hm"), locale=babel_locale(lang)))


def _joined(lang: str, day: date, clock: str) -> str:
    """A day in full and a time (or a span of times), joined as the language joins them."""
    glue = str(babel_locale(lang).datetime_formats["medium"])
    return glue.replace("{1}", long_day_text(lang, day)).replace("{0}", clock)


def moment_text(lang: str, moment: datetime, zone: ZoneInfo) -> str:
    """"dinsdag 10 maart, 18:00", "10 Mart Salı 18:00", "الثلاثاء، 10 مارس، 18:00"."""
    local = moment.astimezone(zone)
    return _joined(lang, local.date(), clock_text(lang, local))


def when_text(lang: str, start: datetime, end: datetime | None, zone: ZoneInfo) -> str:
    """"donderdag 26 november, 19:00–21:00"; an end on another day is written in full."""
    local_start = start.astimezone(zone)
    if end is None:
        return moment_text(lang, start, zone)
    local_end = end.astimezone(zone)
    if local_end.date() != local_start.date():
        return f"{moment_text(lang, start, zone)} – {moment_text(lang, end, zone)}"
    times = format_interval(local_start.time(), local_end.time(), "Hm", locale=babel_locale(lang))
    return _joined(lang, local_start.date(), str(times))
