"""Stored schedule rows. Claiming a row is one conditional UPDATE, so it runs at most once."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.domain.schedule import ItemState, ScheduledItem
from storage.db import Database, Row, from_db, to_db


def _item(row: Row) -> ScheduledItem:
    return ScheduledItem(
        id=row["id"],
        kind=row["kind"],
        ref=row["ref"],
        building_id=row["building_id"],
        due_at=from_db(row["due_at"]),
        stale_after=from_db(row["stale_after"]),
        payload=json.loads(row["payload"]),
        state=ItemState(row["state"]),
        attempts=row["attempts"],
    )


class ScheduleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        now: datetime,
        *,
        building_id: int | None = None,
        stale_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
        replace: bool = False,
    ) -> bool:
        """Store a due item once per (kind, ref). With `replace`, a pending one is moved."""
        conflict = (
            " ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at,"
            " stale_after = excluded.stale_after, payload = excluded.payload,"
            " building_id = excluded.building_id WHERE schedule.state = 'pending'"
            if replace
            else " ON CONFLICT (kind, ref) DO NOTHING"
        )
        changed = await self._db.execute(
            "INSERT INTO schedule (kind, ref, building_id, due_at, stale_after, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)" + conflict,
            (kind, ref, building_id, to_db(due_at), to_db(stale_after),
             json.dumps(payload or {}), to_db(now)),
        )
        return changed > 0

    async def cancel(self, kind: str, ref_prefix: str, now: datetime) -> int:
        """Cancel pending items of a kind whose ref starts with `ref_prefix`."""
        escaped = ref_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return await self._db.execute(
            "UPDATE schedule SET state = 'cancelled', finished_at = ?"
            " WHERE kind = ? AND state = 'pending' AND ref LIKE ? ESCAPE '\\'",
            (to_db(now), kind, escaped + "%"),
        )

    async def get(self, kind: str, ref: str) -> ScheduledItem | None:
        row = await self._db.fetch_one(
            "SELECT * FROM schedule WHERE kind = ? AND ref = ?", (kind, ref)
        )
        return None if row is None else _item(row)

    async def pending(self, kind: str | None = None) -> list[ScheduledItem]:
        rows = await self._db.fetch_all(
            "SELECT * FROM schedule WHERE state = 'pending' AND (? IS NULL OR kind = ?)"
            " ORDER BY due_at, id",
            (kind, kind),
        )
        return [_item(row) for row in rows]

    async def due(self, now: datetime, limit: int = 500) -> list[ScheduledItem]:
        rows = await self._db.fetch_all(
            "SELECT * FROM schedule WHERE state = 'pending' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_item(row) for row in rows]

    async def claim(self, item_id: int) -> bool:
        changed = await self._db.execute(
            "UPDATE schedule SET state = 'running', attempts = attempts + 1"
            " WHERE id = ? AND state = 'pending'",
            (item_id,),
        )
        return changed > 0

    async def finish(self, item_id: int, state: ItemState, now: datetime) -> None:
        await self._db.execute(
            "UPDATE schedule SET state = ?, finished_at = ? WHERE id = ?",
            (state.value, to_db(now), item_id),
        )

    async def retry_later(self, item_id: int, due_at: datetime) -> None:
        await self._db.execute(
            "UPDATE schedule SET state = 'pending', due_at = ? WHERE id = ?",
            (to_db(due_at), item_id),
        )

    async def settle_interrupted(self, now: datetime) -> int:
        """Rows left 'running' by a crash may have been sent: count them done, never send twice."""
        return await self._db.execute(
            "UPDATE schedule SET state = 'done', finished_at = ? WHERE state = 'running'",
            (to_db(now),),
        )
