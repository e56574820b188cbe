"""The bot's short "do this in private" replies in a group, kept until they are removed."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, to_db


class RedirectStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, chat_id: int, now: datetime) -> int | None:
        """A reply about to be sent in a building's group (None in any other chat); its message
        id follows once Telegram accepted it."""
        async with self._db.transaction() as tx:
            known = await tx.fetch_one("SELECT 1 FROM buildings WHERE chat_id = ?", (chat_id,))
            if known is None:
                return None
            return await tx.insert(
                "INSERT INTO redirect_replies (chat_id, created_at) VALUES (?, ?) RETURNING id",
                (chat_id, to_db(now)),
            )

    async def record(self, redirect_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE redirect_replies SET message_id = ? WHERE id = ?", (message_id, redirect_id)
        )

    async def message_id(self, redirect_id: int) -> int | None:
        value = await self._db.fetch_value(
            "SELECT message_id FROM redirect_replies WHERE id = ?", (redirect_id,)
        )
        return None if value is None else int(value)

    async def chat_of(self, redirect_id: int) -> int | None:
        value = await self._db.fetch_value(
            "SELECT chat_id FROM redirect_replies WHERE id = ?", (redirect_id,)
        )
        return None if value is None else int(value)

    async def drop(self, redirect_id: int) -> None:
        await self._db.execute("DELETE FROM redirect_replies WHERE id = ?", (redirect_id,))
