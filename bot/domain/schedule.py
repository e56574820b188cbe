"""Everything timed (reminders, bumps, digests, follow-ups) is a stored row: the database is the
truth, so a restart loses nothing and a row that ran is never run again."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=5)


class ItemState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class ScheduledItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    ref: str
    building_id: int | None
    due_at: datetime
    stale_after: datetime | None
    payload: dict[str, Any]
    state: ItemState
    attempts: int

    def is_stale(self, now: datetime) -> bool:
        """Fell due while the bot was down and no longer makes sense (e.g. the event began)."""
        return self.stale_after is not None and now >= self.stale_after
