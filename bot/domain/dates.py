"""Days and times as residents type them, read one way for every feature.

"za 14:00", "12-12 10:30", "3 december", "morgen 9u", "vanavond 19:00", "Thursday 7pm-9pm",
"2026-12-12 19:00", "zaterdagmiddag", "morgenochtend 9 uur", "saturday evening", "yarın 18:00",
"w piątek 18.00", "12 березня", "غدا ١٨:٠٠": the words of every language the bot speaks
(`bot.domain.date_vocabulary`), the resident's own tried first, one reader, one `DateProblem`
for whatever cannot be read or placed. An hour alone is read as people mean it: "om 3 uur" is
in the afternoon, and "om 9 uur" once that morning has passed is the evening. The clock is
passed in. What a feature accepts (how far ahead, whether a day alone will do, whether an end
may be typed too) is its own choice, passed in as well; each feature shows a `DateProblem` in
its own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.date_vocabulary import Vocabulary, fold, vocabularies
from bot.domain.date_words import (
    AFTERNOON_HOURS,
    HOUR_SUFFIXES,
    MORNING_HOURS,
    PART_ENDS,
    DayPart,
)

__all__ = ["DateProblem", "DayPart", "TypedMoment", "read_moment", "read_time_from"]

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
    part: DayPart | None = None
    """Set when a part of the day was typed without a time: `start` is then when it ends."""


@dataclass(frozen=True)
class _Clock:
    """A typed time before its day is known."""

    at: time
    loose: bool = False
    """An hour without am/pm or part of the day ("3", "om 9 uur", "3:30"): read as people mean
    it once the day is known."""
    hour_only: bool = False
    """Typed without minutes ("om 9 uur"): "9:00" is meant as written."""


@dataclass(frozen=True)
class _Reading:
    """What the words say, before the calendar is consulted."""

    offset: int | None = None
    weekday: int | None = None
    calendar: tuple[int, int, int | None] | None = None
    """Day, month and (when typed) year."""
    part: DayPart | None = None
    clocks: tuple[_Clock, ...] = ()

    @property
    def times(self) -> tuple[time, ...]:
        return tuple(clock.at for clock in self.clocks)


def _words(text: str, words: Vocabulary) -> list[str]:
    """Folded words, a phrase of two or three ("öbür gün", "po południu") as one."""
    typed = fold(text).replace(",", " ").split()
    phrases = words.phrases
    joined: list[str] = []
    index = 0
    while index < len(typed):
        size = next((size for size in (3, 2) if " ".join(typed[index:index + size]) in phrases),
                    1)
        joined.append(" ".join(typed[index:index + size]))
        index += size
    return joined


def _known(word: str, words: Vocabulary) -> str:
    """A word with a suffix after an apostrophe ("18:00'de", "mart'ta") as the word it is built
    on, unless the apostrophe is part of the word ("'s", "п'ятниця")."""
    stem, apostrophe, _ = word.partition("'")
    if not (apostrophe and stem) or word in words.weekdays:
        return word
    if _CLOCK.match(stem) or stem in words.months or stem in words.weekdays \
            or stem in words.relative_days:
        return stem
    return word


def _tokens(text: str, words: Vocabulary) -> list[str]:
    """Words without a closing full stop ("za.", "14:00."), with a dash between times split off
    and an hour's suffix joined to its number ("2 pm" -> "2pm", "om 3" -> "3u")."""
    found: list[str] = []
    for typed in _words(text, words):
        keep = typed in words.fillers or typed in HOUR_SUFFIXES
        word = _known(typed if keep else typed.rstrip("."), words)
        if not word:
            continue
        if _NUMERIC_DATE.match(word) or _ISO_DATE.match(word) or " " in word:
            found.append(word)
        else:
            found.extend(part for part in _DASH.split(word) if part)
    merged: list[str] = []
    for before, word in zip(["", *found], found, strict=False):
        if word in HOUR_SUFFIXES and merged and _PLAIN_CLOCK.match(merged[-1]):
            merged[-1] += word
        elif before in words.time_words and word.isdigit():
            merged.append(word + "u")
        elif word not in words.fillers and word not in words.range_words:
            merged.append(word)
    return merged


def _day_with_part(word: str, words: Vocabulary) -> tuple[int | None, int | None, DayPart] | None:
    """"zaterdagmiddag" -> (no offset, Saturday, afternoon); "morgenochtend" -> (1, none,
    morning); "vanavond" -> (0, none, evening)."""
    if word in words.whole_words:
        offset, part = words.whole_words[word]
        return offset, None, part
    for ending, part in words.part_endings.items():
        head = word.removesuffix(ending)
        if head == word or not head:
            continue
        if head in words.today_prefixes:
            return 0, None, part
        if head in words.relative_days:
            return words.relative_days[head], None, part
        if head in words.weekdays:
            return None, words.weekdays[head], part
    return None


def _clock(hour: int, minute: int, suffix: str | None, *, has_minutes: bool, digits: int,
           part: DayPart | None) -> _Clock | None:
    """A typed time, with the part of the day (if typed) deciding between morning and evening."""
    if suffix in ("am", "pm", "a.m.", "p.m."):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
        loose = False
    elif part in (DayPart.AFTERNOON, DayPart.EVENING) and 1 <= hour <= 11:
        hour += 12
        loose = False
    else:
        loose = part is None and 1 <= hour <= 11 and (not has_minutes or digits == 1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return _Clock(time(hour, minute), loose, hour_only=loose and not has_minutes)


def _read(text: str, words: Vocabulary, *, day_implied: bool) -> _Reading | DateProblem:
    """Read every word, or refuse. A bare number ("14") is an hour only beside a day or a part of
    the day: typed, or implied by the question (an end time belongs to the day the activity
    starts)."""
    if not text.strip():
        return DateProblem.EMPTY
    tokens = _tokens(text, words)
    offset: int | None = None
    weekday: int | None = None
    calendar: tuple[int, int, int | None] | None = None
    part: DayPart | None = None
    typed: list[tuple[int, int, str | None, bool, int]] = []
    bare_hours = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        no_day = offset is None and weekday is None and calendar is None
        if token in words.relative_days and no_day:
            offset = words.relative_days[token]
        elif token in words.weekdays and weekday is None and offset is None:
            weekday = words.weekdays[token]
        elif token in words.part_words and part is None:
            part = words.part_words[token]
        elif (both := _day_with_part(token, words)) is not None and no_day and part is None:
            offset, weekday, part = both
        elif (match := _ISO_DATE.match(token)) and calendar is None and offset is None:
            calendar = (int(match[3]), int(match[2]), int(match[1]))
        elif (match := _NUMERIC_DATE.match(token)) and calendar is None and offset is None:
            calendar = (int(match[1]), int(match[2]), int(match[3]) if match[3] else None)
        elif ((match := _DAY_NUMBER.match(token)) and following is not None and following in words.months
              and calendar is None and offset is None):
            index += 1
            year = None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if after is not None and _YEAR.match(after):
                year = int(after)
                index += 1
            calendar = (int(match[1]), words.months[following], year)
        elif (match := _CLOCK.match(token)) and len(typed) < 2:
            typed.append((int(match[1]), int(match[2] or 0), match[3], match[2] is not None,
                          len(match[1])))
            if not (match[2] or match[3]):
                bare_hours += 1
        else:
            return DateProblem.UNREADABLE
        index += 1
    has_day = offset is not None or weekday is not None or calendar is not None or part is not None
    if (not has_day and not typed) or (bare_hours and not (has_day or day_implied)):
        return DateProblem.UNREADABLE
    clocks = []
    for hour, minute, suffix, has_minutes, digits in typed:
        found = _clock(hour, minute, suffix, has_minutes=has_minutes, digits=digits, part=part)
        if found is None:
            return DateProblem.IMPOSSIBLE
        clocks.append(found)
    return _Reading(offset=offset, weekday=weekday, calendar=calendar, part=part,
                    clocks=tuple(clocks))


def _read_any(text: str, lang: str | None, *, day_implied: bool) -> _Reading | DateProblem:
    """The first reading in the resident's language, another, or all of them together; a time
    that cannot exist is said so only when no language reads the text otherwise."""
    refused = DateProblem.UNREADABLE
    for words in vocabularies(lang):
        reading = _read(text, words, day_implied=day_implied)
        if isinstance(reading, _Reading) or reading is DateProblem.EMPTY:
            return reading
        if reading is DateProblem.IMPOSSIBLE:
            refused = reading
    return refused


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


def _as_meant(clock: _Clock, day: date, now: datetime, zone: ZoneInfo) -> time:
    """A loose hour as people mean it: 1-6 is the afternoon; an hour alone from 7 to 11 is the
    morning, or the evening when that morning has already passed ("om 9 uur" at noon means
    tonight)."""
    if not clock.loose:
        return clock.at
    evening = clock.at.replace(hour=clock.at.hour + 12)
    if clock.at.hour in AFTERNOON_HOURS:
        return evening
    if clock.hour_only and clock.at.hour in MORNING_HOURS \
            and datetime.combine(day, clock.at, tzinfo=zone) <= now \
            < datetime.combine(day, evening, tzinfo=zone):
        return evening
    return clock.at


def _start_time(reading: _Reading, day_alone_at: time | None) -> time | None:
    """The time a reading starts at: typed, the end of a typed part of the day (not after the
    feature's day ends), or the feature's time for a day alone (None: a time is needed)."""
    if reading.clocks:
        return reading.clocks[0].at
    if day_alone_at is None:
        return None
    if reading.part is not None:
        return min(PART_ENDS[reading.part], day_alone_at)
    return day_alone_at


def read_moment(
    text: str, now: datetime, zone: ZoneInfo, *,
    furthest_ahead: timedelta, recent_past: timedelta,
    day_alone_at: time | None = None, with_end: bool = False, lang: str | None = None,
) -> TypedMoment | DateProblem:
    """A typed day and/or time from now on. A weekday is the next one (today while its time has
    not passed); no day means today. A day alone stands for `day_alone_at` (None: a time must be
    typed), a part of the day alone for its end. With `with_end` a second time is the end on
    the same day; without, it is refused. `lang`, the resident's language, is read first."""
    reading = _read_any(text, lang, day_implied=False)
    if isinstance(reading, DateProblem):
        return reading
    if len(reading.clocks) > (2 if with_end else 1):
        return DateProblem.UNREADABLE
    start_time = _start_time(reading, day_alone_at)
    if start_time is None:
        return DateProblem.NO_TIME
    day = _day(reading, now.astimezone(zone).date(), recent_past)
    if isinstance(day, DateProblem):
        return day
    if reading.clocks:
        start_time = _as_meant(reading.clocks[0], day, now, zone)
    if reading.weekday is not None and reading.calendar is None \
            and datetime.combine(day, start_time, tzinfo=zone) <= now:
        day += timedelta(days=7)
    start = datetime.combine(day, start_time, tzinfo=zone)
    if start <= now:
        return DateProblem.PAST
    if start > now + furthest_ahead:
        return DateProblem.TOO_FAR
    end = None
    if len(reading.clocks) == 2:
        end_clock = reading.clocks[1]
        end_time = end_clock.at
        if end_clock.loose and end_time.hour in AFTERNOON_HOURS:
            end_time = end_time.replace(hour=end_time.hour + 12)
        end = datetime.combine(day, end_time, tzinfo=zone)
    return TypedMoment(start=start, end=end, timed=bool(reading.clocks),
                       part=None if reading.clocks else reading.part)


def read_time_from(text: str, first_day: date, zone: ZoneInfo, lang: str | None = None
                   ) -> datetime | DateProblem:
    """One typed time, on `first_day` ("21:00", "21") or on a day typed with it, counted from
    `first_day` ("vr 01:00": the first Friday from then on; "morgen 01:00": the day after).
    Taken as typed: an end time after midnight is as likely as one in the afternoon."""
    reading = _read_any(text, lang, day_implied=True)
    if isinstance(reading, DateProblem):
        return reading
    if len(reading.times) != 1:
        return DateProblem.UNREADABLE if reading.times else DateProblem.NO_TIME
    day = _day(reading, first_day, None)
    if isinstance(day, DateProblem):
        return day
    return datetime.combine(day, reading.times[0], tzinfo=zone)
