"""Activities in the making: one draft per resident, so a restart continues where it was."""

from __future__ import annotations

from bot.domain.activity_drafts import Draft, DraftStep
from bot.domain.activity_series import Repeat
from storage.db import Database, Row, from_db, to_db


def _draft(row: Row) -> Draft:
    return Draft(
        user_id=row["user_id"],
        building_id=row["building_id"],
        step=DraftStep(row["step"]),
        title=row["title"],
        description=row["description"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        place=row["place"],
        capacity=row["capacity"],
        repeat=Repeat(row["repeat"]),
        activity_id=row["activity_id"],
        idea_id=row["idea_id"],
        updated_at=from_db(row["updated_at"]),
    )


class ActivityDraftStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def draft(self, user_id: int) -> Draft | None:
        row = await self._db.fetch_one("SELECT * FROM activity_drafts WHERE user_id = ?", (user_id,))
        return None if row is None else _draft(row)

    async def save_draft(self, draft: Draft) -> None:
        await self._db.execute(
            "INSERT INTO activity_drafts (user_id, building_id, step, title, description, starts_at,"
            " ends_at, place, capacity, repeat, activity_id, idea_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET building_id = excluded.building_id,"
            " step = excluded.step, title = excluded.title, description = excluded.description,"
            " starts_at = excluded.starts_at, ends_at = excluded.ends_at, place = excluded.place,"
            " capacity = excluded.capacity, repeat = excluded.repeat,"
            " activity_id = excluded.activity_id, idea_id = excluded.idea_id,"
            " updated_at = excluded.updated_at",
            (draft.user_id, draft.building_id, draft.step.value, draft.title, draft.description,
             to_db(draft.starts_at), to_db(draft.ends_at), draft.place, draft.capacity,
             draft.repeat.value, draft.activity_id, draft.idea_id, to_db(draft.updated_at)),
        )

    async def delete_draft(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM activity_drafts WHERE user_id = ?", (user_id,)) > 0
