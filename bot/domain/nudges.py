"""Gentle nudges: when a group has been quiet for a while, one friendly idea to do something
together. Never the same idea twice in a row, at most one a week, in the daytime only."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.community import BuildingSettings
from bot.domain.digest import local_moment

KIND = "nudge"
SPACING = timedelta(days=7)
"""At most one nudge a week, however long a group stays quiet."""
NUDGE_HOUR = 10
"""Nudges go out in the morning (local), spread over ten minutes per group."""
STALE_AFTER = timedelta(hours=10)

PROMPTS: tuple[str, ...] = ("coffee", "idea", "bring", "walk", "soup", "skills", "welcome")
"""The ideas a nudge can carry; each has a text per language (`nudge.<name>`)."""


def quiet_since(last_activity: datetime | None, added_at: datetime) -> datetime:
    """Since when the group has been quiet: its last activity, else when the bot came."""
    if last_activity is None:
        return added_at
    return max(last_activity, added_at)


def earliest_nudge(
    settings: BuildingSettings, last_activity: datetime, last_nudge_at: datetime | None
) -> datetime:
    """The first moment a nudge is allowed: enough quiet days, and a week after the last one."""
    earliest = last_activity + timedelta(days=settings.nudge_after_days)
    if last_nudge_at is not None:
        earliest = max(earliest, last_nudge_at + SPACING)
    return earliest


def is_due(
    settings: BuildingSettings,
    now: datetime,
    last_activity: datetime,
    last_nudge_at: datetime | None,
) -> bool:
    return settings.nudges_enabled and now >= earliest_nudge(settings, last_activity, last_nudge_at)


def nudge_slots(
    earliest: datetime, offset: timedelta, zone: ZoneInfo, count: int = 3
) -> list[datetime]:
    """The morning moments (with the group's offset) at or after `earliest`."""
    day: date = earliest.astimezone(zone).date()
    slots: list[datetime] = []
    while len(slots) < count:
        moment = local_moment(day, NUDGE_HOUR, zone) + offset
        if moment >= earliest:
            slots.append(moment)
        day += timedelta(days=1)
    return slots


def nudge_ref(building_id: int, slot: datetime, zone: ZoneInfo) -> str:
    return f"{building_id}:{slot.astimezone(zone).date().isoformat()}"


def pick_prompt(last: str | None, seed: str, prompts: tuple[str, ...] = PROMPTS) -> str:
    """A varied choice that is never `last`; the seed (group and date) makes it repeatable."""
    choices = [prompt for prompt in prompts if prompt != last] or list(prompts)
    number = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=4).digest(), "big")
    return choices[number % len(choices)]
