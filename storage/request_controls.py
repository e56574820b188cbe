"""Which private message of a request's requester and helper carries its live buttons.

Each of the two has at most one: a newer message with buttons takes them off the older one, so a
button left in a chat never offers something that is no longer true. The message's text is kept
with it, because taking the buttons off is an edit that repeats the text.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from storage.db import Database


class Role(StrEnum):
    """Whose private buttons: the one who asked, or the one who helps."""

    ASKER = "asker"
    HELPER = "helper"


class LiveMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: int
    message_id: int | None
    """None until the delivery has sent it."""
    text: str


class RequestControlStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def live_message(self, request_id: int, role: Role) -> LiveMessage | None:
        row = await self._db.fetch_one(
            "SELECT user_id, message_id, text FROM request_buttons WHERE request_id = ?"
            " AND role = ?",
            (request_id, role.value),
        )
        if row is None:
            return None
        return LiveMessage(user_id=row["user_id"], message_id=row["message_id"], text=row["text"])

    async def keep_live(self, request_id: int, role: Role, user_id: int, text: str,
                        message_id: int | None = None) -> None:
        """This message now carries the role's buttons (its id comes later when not yet sent)."""
        await self._db.execute(
            "INSERT INTO request_buttons (request_id, role, user_id, message_id, text)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id, role) DO UPDATE SET"
            " user_id = excluded.user_id, message_id = excluded.message_id, text = excluded.text",
            (request_id, role.value, user_id, message_id, text),
        )

    async def record_live(self, request_id: int, role: Role, message_id: int) -> None:
        await self._db.execute(
            "UPDATE request_buttons SET message_id = ? WHERE request_id = ? AND role = ?",
            (message_id, request_id, role.value),
        )

    async def drop_live(self, request_id: int, role: Role) -> None:
        await self._db.execute(
            "DELETE FROM request_buttons WHERE request_id = ? AND role = ?",
            (request_id, role.value),
        )
