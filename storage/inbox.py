"""The update inbox: every update is stored before Telegram is told it arrived.

PTB confirms a batch to Telegram on its next getUpdates call, before handlers have run. Storing
the batch first means a crash loses nothing (unhandled rows are replayed at start), and
recording `handled_at` means an update delivered twice changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.db import Database, to_db


class UpdateInbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def store(self, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime) -> None:
        if not updates:
            return
        async with self._db.transaction() as tx:
            await tx.execute_many(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                [(update_id, json.dumps(payload), to_db(now)) for update_id, payload in updates],
            )

    async def is_handled(self, update_id: int) -> bool:
        value = await self._db.fetch_value(
            "SELECT handled_at FROM inbox WHERE update_id = ?", (update_id,)
        )
        return value is not None

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO inbox (update_id, payload, received_at, handled_at) VALUES (?, '{}', ?, ?)"
            " ON CONFLICT (update_id) DO UPDATE SET handled_at = excluded.handled_at",
            (update_id, to_db(now), to_db(now)),
        )

    async def unhandled(self) -> list[dict[str, Any]]:
        rows = await self._db.fetch_all(
            "SELECT payload FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
        )
        return [json.loads(row[0]) for row in rows]

    async def prune(self, handled_before: datetime) -> int:
        """Handled updates are kept a while to recognise late redeliveries, then dropped."""
        return await self._db.execute(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?",
            (to_db(handled_before),),
        )
