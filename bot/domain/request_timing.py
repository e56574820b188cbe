"""When a help request is due: chosen with a button or typed, and what follows from it.

The clock is passed in. A typed day and time is read by `bot.domain.dates`, the one reader every
feature shares; here it becomes a request's "when". From the "when" follow the bump of a request
nobody took yet (never in anyone's night), its closing, and the next week of a weekly need.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.dates import DateProblem, DayPart, read_moment
from bot.domain.quiet_hours import QuietHours

MAX_DAYS_AHEAD = 92
MIN_BUMP_GAP = timedelta(hours=1)
"""A bump right after posting would only repeat the card; leave the building some time first."""
PAST_DATE_GRACE_DAYS = 183
"""A day-month without a year this far back means next year ("3-1" typed in December)."""


class WhenKind(StrEnum):
    DAY = "day"
    """Some time that day; it ends when the evening's quiet hours begin."""
    WEEK = "week"
    """Some time this week, until Sunday evening."""
    AT = "at"
    """A day and a time."""


class WhenChoice(StrEnum):
    """The buttons of the "when" question; a typed day and time is the fourth way."""

    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"


class When(BaseModel):
    """When the help is needed. `due_at` is the moment it is too late (UTC)."""

    model_config = ConfigDict(frozen=True)

    kind: WhenKind
    due_at: datetime
    part: DayPart | None = None
    """A day's morning, afternoon or evening ("zaterdagmiddag"): `due_at` is then its end."""

    def local_day(self, zone: ZoneInfo) -> date:
        return self.due_at.astimezone(zone).date()

    def local_time(self, zone: ZoneInfo) -> time:
        return self.due_at.astimezone(zone).time()


class WhenError(StrEnum):
    """A typed day and time refused, as residents are told it (`request.when_error.*`)."""

    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"
    PAST = "past"
    TOO_FAR = "too_far"


def day_end_time(quiet: QuietHours) -> time:
    """A request "for that day" lasts until the evening's quiet hours begin."""
    return quiet.start if quiet.start >= time(12, 0) else time(23, 59)


def day_end(day: date, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, day_end_time(quiet), tzinfo=zone).astimezone(UTC)


def when_from_choice(
    choice: WhenChoice, now: datetime, zone: ZoneInfo, quiet: QuietHours
) -> When | WhenError:
    today = now.astimezone(zone).date()
    if choice is WhenChoice.WEEK:
        sunday = today + timedelta(days=6 - today.weekday())
        due = day_end(sunday, quiet, zone)
        if due <= now:
            due = day_end(sunday + timedelta(days=7), quiet, zone)
        return When(kind=WhenKind.WEEK, due_at=due)
    day = today if choice is WhenChoice.TODAY else today + timedelta(days=1)
    due = day_end(day, quiet, zone)
    if due <= now:
        return WhenError.PAST
    return When(kind=WhenKind.DAY, due_at=due)



WHEN_ERRORS: dict[DateProblem, WhenError] = {
    DateProblem.EMPTY: WhenError.UNREADABLE,
    DateProblem.UNREADABLE: WhenError.UNREADABLE,
    DateProblem.NO_TIME: WhenError.UNREADABLE,
    DateProblem.IMPOSSIBLE: WhenError.IMPOSSIBLE,
    DateProblem.PAST: WhenError.PAST,
    DateProblem.TOO_FAR: WhenError.TOO_FAR,
}
"""How the shared reader's refusals read in a help request."""


def parse_when(text: str, now: datetime, zone: ZoneInfo, quiet: QuietHours,
               lang: str | None = None) -> When | WhenError:
    """Read a typed day and/or time, in the resident's language (`lang`, tried first) or
    another: "za 14:00", "12-12 10:30", "morgen 9u", "saturday 2pm", "yarın 18:00",
    "3 december", "15:30" (today), "zaterdagmiddag". A day without a time means some time that
    day; a part of the day, some time then."""
    moment = read_moment(
        text, now, zone, furthest_ahead=timedelta(days=MAX_DAYS_AHEAD),
        recent_past=timedelta(days=PAST_DATE_GRACE_DAYS), day_alone_at=day_end_time(quiet),
        lang=lang,
    )
    if isinstance(moment, DateProblem):
        return WHEN_ERRORS[moment]
    return When(kind=WhenKind.AT if moment.timed else WhenKind.DAY,
                due_at=moment.start.astimezone(UTC), part=moment.part)


def can_repeat(when: When) -> bool:
    """Every week "on that day" needs a day: "some time this week" has none."""
    return when.kind is not WhenKind.WEEK


def next_occurrence(when: When, zone: ZoneInfo, quiet: QuietHours) -> When:
    """The same weekday and local time (or part of the day) a week later (a clock change keeps
    the local time)."""
    day = when.local_day(zone) + timedelta(days=7)
    if when.kind is WhenKind.AT or when.part is not None:
        local = datetime.combine(day, when.local_time(zone), tzinfo=zone)
        return When(kind=when.kind, due_at=local.astimezone(UTC), part=when.part)
    return When(kind=when.kind, due_at=day_end(day, quiet, zone))


def bump_moment(
    due_at: datetime, posted_at: datetime, hours_before: int, quiet: QuietHours, zone: ZoneInfo
) -> datetime | None:
    """When to remind the building of a request nobody took yet, or None for no reminder.

    `hours_before` its time; a moment in quiet hours moves earlier, to just before they began,
    and is dropped when that is not at least an hour after posting.
    """
    if hours_before <= 0:
        return None
    moment = due_at - timedelta(hours=hours_before)
    if quiet.contains(moment, zone):
        moment = quiet.latest_before(moment, zone)
    if moment < posted_at + MIN_BUMP_GAP:
        return None
    return moment


def close_moment(due_at: datetime, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    """When an unclaimed request is closed and its requester told: its time, or the morning."""
    return quiet.next_allowed(due_at, zone)
