"""The weekly digest: when it is due in a group, and how its lines fit one message.

Times are local to the group (a weekday and an hour, in the building's time zone), so a digest
set for Sunday 19:00 stays at 19:00 across the change to and from summer time. Each group gets a
fixed offset of up to ten minutes, so hundreds of groups do not all post in the same second.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.community import BuildingSettings

FANOUT_WINDOW_SECONDS = 600
GRACE = timedelta(hours=24)
"""A digest that could not go out on time still makes sense for a day ("the coming week")."""
MESSAGE_LIMIT = 4096
KIND = "digest"


def fanout_offset(chat_id: int) -> timedelta:
    """A fixed 0-10 minute offset per group, the same after every restart."""
    digest = hashlib.blake2b(str(chat_id).encode(), digest_size=4).digest()
    return timedelta(seconds=int.from_bytes(digest, "big") % FANOUT_WINDOW_SECONDS)


def local_moment(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour` o'clock on `day` in `zone`, as UTC. An hour skipped by summer time becomes the
    moment just after the jump; a doubled hour is its first occurrence."""
    naive = datetime.combine(day, time(hour))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def next_digest(settings: BuildingSettings, after: datetime, zone: ZoneInfo) -> datetime | None:
    """The first digest moment strictly after `after` (without offset); None when off."""
    if not settings.digest_enabled:
        return None
    start = after.astimezone(zone).date()
    for days in range(8):
        day = start + timedelta(days=days)
        if day.weekday() != settings.digest_weekday:
            continue
        moment = local_moment(day, settings.digest_hour, zone)
        if moment > after:
            return moment
    return None  # pragma: no cover - a weekday always comes round within 8 days


def upcoming_digests(
    settings: BuildingSettings, after: datetime, zone: ZoneInfo, count: int = 3
) -> list[datetime]:
    found: list[datetime] = []
    moment = after
    while len(found) < count:
        nxt = next_digest(settings, moment, zone)
        if nxt is None:
            break
        found.append(nxt)
        moment = nxt
    return found


def digest_ref(building_id: int, occurrence: datetime, zone: ZoneInfo) -> str:
    """One digest per group per local date: the ref makes a second one impossible."""
    return f"{building_id}:{occurrence.astimezone(zone).date().isoformat()}"


def fit_lines(lines: list[str], reserved: int, limit: int = MESSAGE_LIMIT) -> tuple[list[str], bool]:
    """As many whole lines as fit beside `reserved` characters; True when some were left out."""
    kept: list[str] = []
    used = reserved
    for line in lines:
        cost = len(line) + 1
        if used + cost > limit:
            return kept, True
        kept.append(line)
        used += cost
    return kept, False
