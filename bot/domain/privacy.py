"""What residents can rely on: data kept only as long as needed, a fair share of the bot for
everyone, and group erasure that cannot happen by one slip of the thumb.

Plain rules with the clock passed in; the handlers and storage do the talking and the SQL.
"""

from __future__ import annotations

import json
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

RETENTION_RUN_AT = time(4, 0)
"""The daily clean-up runs at night, local time, when nobody is waiting for the bot."""
REMOVED_GROUP_GRACE = timedelta(days=30)
"""A group that removed the bot has this long to add it back before all its data is erased."""
ERASURE_CONFIRM_WINDOW = timedelta(minutes=10)
"""The two confirm buttons of a group erasure work this long after the admin asked."""
EXPORT_FILE_NAME = "omzien-gegevens.json"


STAND_IN_FLOOR = 2**62
"""Telegram's ids have at most 52 significant bits: no chat has an id of this size."""


def erased_stand_in() -> int:
    """What stands in for a forgotten resident's id in rows that must keep an id (the figures
    count distinct people): random, so it leads to no one, and negative beyond any Telegram id,
    so nothing can ever be sent to it."""
    return -(STAND_IN_FLOOR + secrets.randbelow(STAND_IN_FLOOR))


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Texts of things closed or past before this moment are erased."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    return now - timedelta(days=days)


def removed_group_cutoff(now: datetime) -> datetime:
    """Groups that removed the bot before this moment (and never re-added it) are erased."""
    return now - REMOVED_GROUP_GRACE


def next_retention_run(after: datetime, zone: tzinfo) -> datetime:
    """The first clean-up moment strictly after `after` (04:00 in the building's zone)."""
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), RETENTION_RUN_AT, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), RETENTION_RUN_AT, tzinfo=zone)
    return candidate


def retention_ref(due: datetime, zone: tzinfo) -> str:
    """One schedule row per local day, so the clean-up is never scheduled twice for a day."""
    return due.astimezone(zone).date().isoformat()


class Verdict(StrEnum):
    ALLOWED = "allowed"
    REFUSED_TELL = "refused_tell"
    """Over the limit, and not yet told in this stretch: say it once."""
    REFUSED_QUIET = "refused_quiet"
    """Over the limit and already told: stay quiet."""


@dataclass(frozen=True)
class RateLimit:
    per_minute: int = 20
    per_hour: int = 200


@dataclass
class _Track:
    moments: deque[datetime] = field(default_factory=deque)
    told: bool = False


class ActionCounter:
    """Commands and button presses per resident, in memory: a restart forgives everyone.

    Refused actions are not counted, so waiting a minute always helps. A resident is told once
    per stretch of refusals, never once per refused tap.
    """

    PRUNE_EVERY = 1000

    def __init__(self, limit: RateLimit | None = None) -> None:
        self.limit = limit or RateLimit()
        self._tracks: dict[int, _Track] = {}
        self._checks = 0

    def check(self, user_id: int, now: datetime) -> Verdict:
        self._checks += 1
        if self._checks % self.PRUNE_EVERY == 0:
            self._prune(now)
        track = self._tracks.setdefault(user_id, _Track())
        hour_ago, minute_ago = now - timedelta(hours=1), now - timedelta(minutes=1)
        while track.moments and track.moments[0] <= hour_ago:
            track.moments.popleft()
        last_minute = sum(1 for moment in track.moments if moment > minute_ago)
        if last_minute >= self.limit.per_minute or len(track.moments) >= self.limit.per_hour:
            if track.told:
                return Verdict.REFUSED_QUIET
            track.told = True
            return Verdict.REFUSED_TELL
        track.moments.append(now)
        track.told = False
        return Verdict.ALLOWED

    def _prune(self, now: datetime) -> None:
        hour_ago = now - timedelta(hours=1)
        for user_id in [uid for uid, track in self._tracks.items()
                        if not track.moments or track.moments[-1] <= hour_ago]:
            del self._tracks[user_id]

    def __len__(self) -> int:
        return len(self._tracks)


class GroupErasure(BaseModel):
    """An admin asked to erase the group's data; step 1 shown, or step 2 after one confirmation."""

    model_config = ConfigDict(frozen=True)

    building_id: int
    message_id: int
    step: int
    requested_at: datetime

    def accepts(self, message_id: int, step: int, now: datetime) -> bool:
        """A confirm press counts only on the message that asked, at its own step, in time."""
        return (
            self.message_id == message_id
            and self.step == step
            and now - self.requested_at <= ERASURE_CONFIRM_WINDOW
        )


class ReportState(StrEnum):
    OPEN = "open"
    HIDDEN = "hidden"
    KEPT = "kept"


class Report(BaseModel):
    """A card someone flagged. Who flagged it is never stored: reporters stay anonymous."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    kind: str
    item_id: int
    state: ReportState
    created_at: datetime
    closed_at: datetime | None = None


def export_document(user_id: int, generated_at: datetime, sections: dict[str, Any]) -> bytes:
    """The file a resident receives from /mijngegevens: readable JSON, one section per feature."""
    document = {
        "omzien_export": {"user_id": user_id, "generated_at": generated_at.isoformat()},
        "data": sections,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_default).encode()


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)
