"""Activities that come back: how often, the next date, and when a series seems to fade."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

FADING_RUN = 3
FADING_AT_MOST = 2


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class Series(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    organiser_id: int | None
    organiser_name: str
    repeat: Repeat
    active: bool
    fade_noted_at: int


def next_start(start: datetime, repeat: Repeat, zone: ZoneInfo) -> datetime:
    """The next date of a series, at the same local clock time (also across summer time)."""
    local = start.astimezone(zone)
    if repeat is Repeat.WEEKLY:
        day = local.date() + timedelta(days=7)
    elif repeat is Repeat.BIWEEKLY:
        day = local.date() + timedelta(days=14)
    elif repeat is Repeat.MONTHLY:
        day = _next_month(local.date())
    else:
        raise ValueError("a one-off activity has no next date")
    return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)


def _next_month(day: date) -> date:
    """Same day next month; the 31st becomes the last day of a shorter month."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def should_suggest_pause(history: list[tuple[int, int]], noted_at: int) -> bool:
    """`history` is (occurrence, people who came) of held occurrences, oldest first. A series
    fades when the last three each had at most two people; suggest it once per such run."""
    if len(history) < FADING_RUN:
        return False
    recent = history[-FADING_RUN:]
    if any(came > FADING_AT_MOST for _, came in recent):
        return False
    return noted_at < recent[0][0]
