"""What helpers offer: kinds of help, when, and how often; paused or withdrawn at will."""

from __future__ import annotations

from datetime import datetime

from bot.domain.pairing import Offer, PairingDraft
from storage.db import Database, to_db
from storage.pairing_rows import REACHABLE_MEMBER_SQL, days_text, offer_from_row, words_text


class OfferStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def offer(self, building_id: int, user_id: int) -> Offer | None:
        row = await self._db.fetch_one(
            "SELECT * FROM pairing_offers WHERE building_id = ? AND user_id = ?",
            (building_id, user_id),
        )
        return None if row is None else offer_from_row(row)

    async def offers_of(self, user_id: int) -> list[Offer]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pairing_offers WHERE user_id = ? ORDER BY id", (user_id,))
        return [offer_from_row(row) for row in rows]

    async def save_offer(self, draft: PairingDraft, now: datetime) -> Offer:
        """Create or change the resident's offer for the draft's building, and end the draft."""
        assert draft.frequency is not None
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO pairing_offers (building_id, user_id, kinds, days, parts, frequency,"
                " paused, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)"
                " ON CONFLICT (building_id, user_id) DO UPDATE SET kinds = excluded.kinds,"
                " days = excluded.days, parts = excluded.parts, frequency = excluded.frequency,"
                " paused = 0, updated_at = excluded.updated_at",
                (draft.building_id, draft.user_id, words_text(draft.kinds),
                 days_text(draft.when.days), words_text(draft.when.parts), draft.frequency.value,
                 to_db(now), to_db(now)),
            )
            await tx.execute("DELETE FROM pairing_drafts WHERE user_id = ?", (draft.user_id,))
            row = await tx.fetch_one(
                "SELECT * FROM pairing_offers WHERE building_id = ? AND user_id = ?",
                (draft.building_id, draft.user_id),
            )
        assert row is not None
        return offer_from_row(row)

    async def set_paused(self, building_id: int, user_id: int, paused: bool, now: datetime) -> bool:
        return await self._db.execute(
            "UPDATE pairing_offers SET paused = ?, updated_at = ?"
            " WHERE building_id = ? AND user_id = ? AND paused = ?",
            (int(paused), to_db(now), building_id, user_id, int(not paused)),
        ) > 0

    async def delete_offer(self, building_id: int, user_id: int) -> bool:
        return await self._db.execute(
            "DELETE FROM pairing_offers WHERE building_id = ? AND user_id = ?",
            (building_id, user_id),
        ) > 0

    async def matchable_offers(self, building_id: int) -> list[Offer]:
        rows = await self._db.fetch_all(
            "SELECT x.* FROM pairing_offers x" + REACHABLE_MEMBER_SQL
            + " WHERE x.building_id = ? AND x.paused = 0 ORDER BY x.id",
            (building_id,),
        )
        return [offer_from_row(row) for row in rows]
