"""The demo's clock: it starts on a Monday morning and moves only when told (`clock +1d`,
`clock 19:00`, `clock wo 19:00`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.domain.dates import DateProblem, read_moment

START_HOUR = 10
"""The demo's clock starts on a Monday at this hour, in the building's time zone."""


def first_monday_after(moment: datetime, settings: Settings) -> datetime:
    """The coming Monday at START_HOUR in the building's zone: the tour speaks of weekdays."""
    local = moment.astimezone(settings.zone)
    days = (7 - local.weekday()) % 7 or 7
    day = (local + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, START_HOUR, tzinfo=settings.zone)


CLOCK_STEP = re.compile(r"(\d+)\s*([dhm])")
CLOCK_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def clock_target(text: str, now: datetime, settings: Settings) -> datetime | None:
    """`+1d`, `+2h30m`, `19:00` (the next time it is 19:00) or a day and time (`wo 19:00`)."""
    text = text.strip()
    if text.startswith("+"):
        steps = CLOCK_STEP.findall(text[1:])
        if not steps or CLOCK_STEP.sub("", text[1:]).strip():
            return None
        delta = timedelta()
        for amount, unit in steps:
            delta += timedelta(**{UNITS[unit]: int(amount)})
        return now + delta
    zone = settings.zone
    found = CLOCK_TIME.match(text)
    if found:
        hour, minute = int(found.group(1)), int(found.group(2))
        if hour > 23 or minute > 59:
            return None
        local = now.astimezone(zone)
        target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return (target if target > local else target + timedelta(days=1)).astimezone(UTC)
    moment = read_moment(text, now, zone, furthest_ahead=timedelta(days=60),
                         recent_past=timedelta(days=1))
    if isinstance(moment, DateProblem) or moment.start <= now:
        return None
    return moment.start.astimezone(UTC)


def clock_label(moment: datetime, settings: Settings) -> str:
    return moment.astimezone(settings.zone).strftime("%a %d %b %H:%M")
