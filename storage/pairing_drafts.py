"""The offer and wish flows' drafts: one per resident; starting a new flow replaces the old."""

from __future__ import annotations

from bot.domain.pairing import PairingDraft
from storage.db import Database, to_db
from storage.pairing_rows import days_text, draft_from_row, words_text


class PairingDraftStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def draft(self, user_id: int) -> PairingDraft | None:
        row = await self._db.fetch_one("SELECT * FROM pairing_drafts WHERE user_id = ?", (user_id,))
        return None if row is None else draft_from_row(row)

    async def save_draft(self, draft: PairingDraft) -> None:
        """One draft per resident: starting a new flow replaces the old one."""
        await self._db.execute(
            "INSERT INTO pairing_drafts (user_id, purpose, step, building_id, kinds,"
            " days, parts, frequency, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET purpose = excluded.purpose,"
            " step = excluded.step, building_id = excluded.building_id, kinds = excluded.kinds,"
            " days = excluded.days, parts = excluded.parts, frequency = excluded.frequency,"
            " updated_at = excluded.updated_at",
            (draft.user_id, draft.purpose.value, draft.step.value, draft.building_id,
             words_text(draft.kinds), days_text(draft.when.days), words_text(draft.when.parts),
             draft.frequency.value if draft.frequency else None, to_db(draft.updated_at)),
        )

    async def drop_draft(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM pairing_drafts WHERE user_id = ?", (user_id,)) > 0
