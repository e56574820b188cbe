"""A message a resident is about to type for the other person of a request or pair: which one,
while the bot waits for the text (the text itself is passed on, never stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from storage.db import Database, from_db, to_db


class RelayDraft(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: int
    kind: str
    item_id: int
    started_at: datetime


class RelayStore:
    """Waiting relays, one per resident. Also the PersonalData of relays."""

    name = "relay"

    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(self, user_id: int, kind: str, item_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO relay_drafts (user_id, kind, item_id, started_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind,"
            " item_id = excluded.item_id, started_at = excluded.started_at",
            (user_id, kind, item_id, to_db(now)),
        )

    async def get(self, user_id: int, since: datetime) -> RelayDraft | None:
        """The relay this resident began after `since` (an older one has lapsed)."""
        row = await self._db.fetch_one(
            "SELECT * FROM relay_drafts WHERE user_id = ? AND started_at >= ?",
            (user_id, to_db(since)),
        )
        if row is None:
            return None
        started_at = from_db(row["started_at"])
        assert started_at is not None
        return RelayDraft(user_id=row["user_id"], kind=row["kind"], item_id=row["item_id"],
                          started_at=started_at)

    async def take(self, user_id: int) -> bool:
        """End the wait; False when it had ended already (so a text is relayed once)."""
        return await self._db.execute("DELETE FROM relay_drafts WHERE user_id = ?", (user_id,)) > 0

    async def export(self, user_id: int) -> dict[str, Any]:
        row = await self._db.fetch_one(
            "SELECT kind, started_at FROM relay_drafts WHERE user_id = ?", (user_id,)
        )
        return {"message_being_typed": None if row is None else
                {"about": row["kind"], "started_at": row["started_at"]}}

    async def forget(self, user_id: int, now: datetime) -> None:
        await self.take(user_id)

    async def expire(self, before: datetime) -> int:
        return await self._db.execute(
            "DELETE FROM relay_drafts WHERE started_at < ?", (to_db(before),)
        )
