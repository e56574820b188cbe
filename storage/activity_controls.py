"""Which private messages carry an activity's controls, so they can be shown as they are now
(without buttons) once the activity is called off, over, or in someone else's hands."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from storage.db import Database


class ControlsMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    user_id: int
    message_id: int | None
    """None until the delivery has sent it."""


class ActivityControlStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep_controls(self, activity_id: int, user_id: int,
                            message_id: int | None = None) -> int:
        """A message with the controls, to be retired later; its id comes later when not yet
        sent. Returns the row's id (what the delivery records the message id against)."""
        if message_id is not None:
            row = await self._db.fetch_one(
                "SELECT id FROM activity_controls WHERE activity_id = ? AND user_id = ?"
                " AND message_id = ?", (activity_id, user_id, message_id))
            if row is not None:
                return int(row[0])
        return await self._db.insert(
            "INSERT INTO activity_controls (activity_id, user_id, message_id) VALUES (?, ?, ?) RETURNING id",
            (activity_id, user_id, message_id),
        )

    async def controls_message(self, row_id: int) -> int | None:
        value = await self._db.fetch_value(
            "SELECT message_id FROM activity_controls WHERE id = ?", (row_id,))
        return int(value) if value is not None else None

    async def record_controls(self, row_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE activity_controls SET message_id = ? WHERE id = ?", (message_id, row_id))

    async def controls_messages(self, activity_id: int) -> list[ControlsMessage]:
        rows = await self._db.fetch_all(
            "SELECT id, user_id, message_id FROM activity_controls WHERE activity_id = ?"
            " ORDER BY id", (activity_id,))
        return [ControlsMessage(id=row[0], user_id=row[1], message_id=row[2]) for row in rows]

    async def drop_controls(self, activity_id: int) -> None:
        """Forget every controls message of an activity."""
        await self._db.execute(
            "DELETE FROM activity_controls WHERE activity_id = ?", (activity_id,))

    async def drop_controls_message(self, activity_id: int, user_id: int,
                                    message_id: int) -> None:
        """One message in this resident's chat no longer carries the controls."""
        await self._db.execute(
            "DELETE FROM activity_controls WHERE activity_id = ? AND user_id = ?"
            " AND message_id = ?", (activity_id, user_id, message_id))
