"""Days and times as residents type them, read one way for every feature.

"za 14:00", "12-12 10:30", "3 december", "morgen 9u", "vanavond 19:00", "Thursday 7pm-9pm",
"2026-12-12 19:00": one vocabulary in Dutch and English, one reader, one `DateProblem` for
whatever cannot be read or placed. The clock is passed in. What a feature accepts (how far ahead,
whether a day alone will do, whether an end may be typed too) is its own choice, passed in as
well; each feature shows a `DateProblem` in its own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("ma", "maa", "maan", "maandag", "mo", "mon", "monday"), 0),
    **dict.fromkeys(("di", "din", "dins", "dinsdag", "tu", "tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wo", "woe", "woens", "woensdag", "we", "wed", "wednesday"), 2),
    **dict.fromkeys(("do", "don", "donder", "donderdag", "th", "thu", "thur", "thurs",
                     "thursday"), 3),
    **dict.fromkeys(("vr", "vrij", "vrijdag", "fr", "fri", "friday"), 4),
    **dict.fromkeys(("za", "zat", "zaterdag", "sa", "sat", "saturday"), 5),
    **dict.fromkeys(("zo", "zon", "zondag", "su", "sun", "sunday"), 6),
}
RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "vanavond": 0, "tonight": 0,
    "morgen": 1, "tomorrow": 1, "overmorgen": 2,
}
MONTHS: dict[str, int] = {
    **dict.fromkeys(("jan", "januari", "january"), 1),
    **dict.fromkeys(("feb", "febr", "februari", "february"), 2),
    **dict.fromkeys(("mrt", "maart", "mar", "march"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("jun", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juli", "july"), 7),
    **dict.fromkeys(("aug", "augustus", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oct", "oktober", "october"), 10),
    **dict.fromkeys(("nov", "november"), 11),
    **dict.fromkeys(("dec", "december"), 12),
}
FILLERS = frozenset({
    "om", "at", "on", "op", "de", "the", "van", "of", "from", "rond", "around", "volgende",
    "next", "aanstaande", "a.s.", "as", "this", "deze", "komende", "coming", "s", "'s",
    "avonds", "middags", "ochtends", "uur",
})
"""Words that say nothing about the day or the time ("zaterdag om 14:00", "'s avonds")."""
RANGE_WORDS = frozenset({"-", "–", "tot", "to", "until", "till"})
"""Between a start and an end time ("19:00-21:00", "10:00 tot 12:00")."""
HOUR_SUFFIXES = frozenset({"u", "uur", "h", "am", "pm", "a.m.", "p.m.", "o'clock"})
"""Written after an hour, sometimes with a space ("14 u", "2 pm"); they make a number a time."""

_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(u|uur|h|am|pm|a\.m\.|p\.m\.|o'clock)?$")
_PLAIN_CLOCK = re.compile(r"^\d{1,2}(?:[:.]\d{2})?$")
_DAY_NUMBER = re.compile(r"^(\d{1,2})(?:e|ste|de|th|st|nd|rd)?$")
_YEAR = re.compile(r"^\d{4}$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})(?:[-/](\d{4}|\d{2}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DASH = re.compile(r"([-–])")


class DateProblem(StrEnum):
    """Why a typed day or time was not taken; each feature has a friendly line for each."""

    EMPTY = "empty"
    UNREADABLE = "unreadable"
    NO_TIME = "no_time"
    """A day without a time where a time is needed."""
    IMPOSSIBLE = "impossible"
    """A day or time that does not exist (31-02, 25:00, 13pm)."""
    PAST = "past"
    TOO_FAR = "too_far"


class TypedMoment(BaseModel):
    """A typed day and time placed on the calendar, in the local zone."""

    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime | None = None
    """Set when an end time was typed as well ("19:00-21:00"), on the same day."""
    timed: bool
    """False when only a day was typed: `start` is then the feature's time for a whole day."""


@dataclass(frozen=True)
class _Reading:
    """What the words say, before the calendar is consulted."""

    offset: int | None = None
    weekday: int | None = None
    calendar: tuple[int, int, int | None] | None = None
    """Day, month and (when typed) year."""
    times: tuple[time, ...] = ()


def _tokens(text: str) -> list[str]:
    """Words without a closing full stop ("za.", "14:00."), with a dash between times split off
    and an hour's suffix joined to its number ("2 pm" -> "2pm")."""
    words: list[str] = []
    for typed in text.lower().replace(",", " ").split():
        word = typed if typed in FILLERS or typed in HOUR_SUFFIXES else typed.rstrip(".")
        if not word:
            continue
        if _NUMERIC_DATE.match(word) or _ISO_DATE.match(word):
            words.append(word)
        else:
            words.extend(part for part in _DASH.split(word) if part)
    merged: list[str] = []
    for word in words:
        if word in HOUR_SUFFIXES and merged and _PLAIN_CLOCK.match(merged[-1]):
            merged[-1] += word
        elif word not in FILLERS and word not in RANGE_WORDS:
            merged.append(word)
    return merged


def _clock_time(hour: int, minute: int, suffix: str | None) -> time | None:
    if suffix in ("am", "pm", "a.m.", "p.m."):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _read(text: str, *, day_implied: bool) -> _Reading | DateProblem:
    """Read every word, or refuse. A bare number ("14") is an hour only beside a day: typed,
    or implied by the question (an end time belongs to the day the activity starts)."""
    if not text.strip():
        return DateProblem.EMPTY
    tokens = _tokens(text)
    offset: int | None = None
    weekday: int | None = None
    calendar: tuple[int, int, int | None] | None = None
    clocks: list[tuple[int, int, str | None]] = []
    bare_hours = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token in RELATIVE_DAYS and offset is None and weekday is None and calendar is None:
            offset = RELATIVE_DAYS[token]
        elif token in WEEKDAYS and weekday is None and offset is None:
            weekday = WEEKDAYS[token]
        elif (match := _ISO_DATE.match(token)) and calendar is None and offset is None:
            calendar = (int(match[3]), int(match[2]), int(match[1]))
        elif (match := _NUMERIC_DATE.match(token)) and calendar is None and offset is None:
            calendar = (int(match[1]), int(match[2]), int(match[3]) if match[3] else None)
        elif ((match := _DAY_NUMBER.match(token)) and following is not None and following in MONTHS
              and calendar is None and offset is None):
            index += 1
            year = None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if after is not None and _YEAR.match(after):
                year = int(after)
                index += 1
            calendar = (int(match[1]), MONTHS[following], year)
        elif (match := _CLOCK.match(token)) and len(clocks) < 2:
            clocks.append((int(match[1]), int(match[2] or 0), match[3]))
            if not (match[2] or match[3]):
                bare_hours += 1
        else:
            return DateProblem.UNREADABLE
        index += 1
    has_day = offset is not None or weekday is not None or calendar is not None
    if (not has_day and not clocks) or (bare_hours and not (has_day or day_implied)):
        return DateProblem.UNREADABLE
    times = []
    for clock in clocks:
        found = _clock_time(*clock)
        if found is None:
            return DateProblem.IMPOSSIBLE
        times.append(found)
    return _Reading(offset=offset, weekday=weekday, calendar=calendar, times=tuple(times))


def _full_year(year: int) -> int:
    return year + 2000 if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar_day(
    typed: tuple[int, int, int | None], today: date, recent_past: timedelta | None
) -> date | DateProblem:
    """A typed day-month(-year). Without a year it is this year's, or next year's when this
    year's lies more than `recent_past` back (or does not exist: 29-02)."""
    day, month, year = typed
    if year is not None:
        return _safe_date(_full_year(year), month, day) or DateProblem.IMPOSSIBLE
    found = _safe_date(today.year, month, day)
    if recent_past is None:
        return found or DateProblem.IMPOSSIBLE
    if found is None or today - found > recent_past:
        found = _safe_date(today.year + 1, month, day)
    return found or DateProblem.IMPOSSIBLE


def _day(reading: _Reading, first_day: date, recent_past: timedelta | None) -> date | DateProblem:
    """The day a reading names, counted from `first_day`: a weekday is the first one on or after
    it, "morgen" the day after it, no day `first_day` itself."""
    if reading.calendar is not None:
        return _calendar_day(reading.calendar, first_day, recent_past)
    if reading.weekday is not None:
        return first_day + timedelta(days=(reading.weekday - first_day.weekday()) % 7)
    return first_day + timedelta(days=reading.offset or 0)


def read_moment(
    text: str, now: datetime, zone: ZoneInfo, *,
    furthest_ahead: timedelta, recent_past: timedelta,
    day_alone_at: time | None = None, with_end: bool = False,
) -> TypedMoment | DateProblem:
    """A typed day and/or time from now on. A weekday is the next one (today while its time has
    not passed); no day means today. A day alone stands for `day_alone_at` (None: a time must be
    typed). With `with_end` a second time is the end on the same day; without, it is refused."""
    reading = _read(text, day_implied=False)
    if isinstance(reading, DateProblem):
        return reading
    if len(reading.times) > (2 if with_end else 1):
        return DateProblem.UNREADABLE
    start_time = reading.times[0] if reading.times else day_alone_at
    if start_time is None:
        return DateProblem.NO_TIME
    day = _day(reading, now.astimezone(zone).date(), recent_past)
    if isinstance(day, DateProblem):
        return day
    if reading.weekday is not None and reading.calendar is None \
            and datetime.combine(day, start_time, tzinfo=zone) <= now:
        day += timedelta(days=7)
    start = datetime.combine(day, start_time, tzinfo=zone)
    if start <= now:
        return DateProblem.PAST
    if start > now + furthest_ahead:
        return DateProblem.TOO_FAR
    end = datetime.combine(day, reading.times[1], tzinfo=zone) if len(reading.times) == 2 else None
    return TypedMoment(start=start, end=end, timed=bool(reading.times))


def read_time_from(text: str, first_day: date, zone: ZoneInfo) -> datetime | DateProblem:
    """One typed time, on `first_day` ("21:00", "21") or on a day typed with it, counted from
    `first_day` ("vr 01:00": the first Friday from then on; "morgen 01:00": the day after)."""
    reading = _read(text, day_implied=True)
    if isinstance(reading, DateProblem):
        return reading
    if len(reading.times) != 1:
        return DateProblem.UNREADABLE if reading.times else DateProblem.NO_TIME
    day = _day(reading, first_day, None)
    if isinstance(day, DateProblem):
        return day
    return datetime.combine(day, reading.times[0], tzinfo=zone)
