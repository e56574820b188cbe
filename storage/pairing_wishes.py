"""What residents wish for: one open wish per kind, withdrawn at will."""

from __future__ import annotations

from datetime import datetime

from bot.domain.pairing import PairingDraft, PairKind, Wish
from storage.db import Database, to_db
from storage.pairing_rows import (
    IN_FLIGHT_SQL,
    REACHABLE_MEMBER_SQL,
    days_text,
    wish_from_row,
    words_text,
)


class WishStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_wish(self, draft: PairingDraft, kind: PairKind, now: datetime) -> Wish:
        """A new wish (or the same kind again: the open one is changed), and the draft ends."""
        async with self._db.transaction() as tx:
            existing = await tx.fetch_value(
                "SELECT id FROM pairing_wishes WHERE building_id = ? AND user_id = ? AND kind = ?"
                " AND status = 'open'",
                (draft.building_id, draft.user_id, kind.value),
            )
            if existing is None:
                wish_id = await tx.insert(
                    "INSERT INTO pairing_wishes (building_id, user_id, kind, days, parts, status,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                    (draft.building_id, draft.user_id, kind.value, days_text(draft.when.days),
                     words_text(draft.when.parts), to_db(now), to_db(now)),
                )
            else:
                wish_id = int(existing)
                await tx.execute(
                    "UPDATE pairing_wishes SET days = ?, parts = ?, updated_at = ? WHERE id = ?",
                    (days_text(draft.when.days), words_text(draft.when.parts), to_db(now), wish_id),
                )
            await tx.execute("DELETE FROM pairing_drafts WHERE user_id = ?", (draft.user_id,))
            row = await tx.fetch_one("SELECT * FROM pairing_wishes WHERE id = ?", (wish_id,))
        assert row is not None
        return wish_from_row(row)

    async def wish(self, wish_id: int) -> Wish | None:
        row = await self._db.fetch_one("SELECT * FROM pairing_wishes WHERE id = ?", (wish_id,))
        return None if row is None else wish_from_row(row)

    async def open_wishes_of(self, user_id: int) -> list[Wish]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pairing_wishes WHERE user_id = ? AND status = 'open' ORDER BY id",
            (user_id,),
        )
        return [wish_from_row(row) for row in rows]

    async def wishes_of(self, user_id: int) -> list[Wish]:
        rows = await self._db.fetch_all(
            "SELECT * FROM pairing_wishes WHERE user_id = ? ORDER BY id", (user_id,))
        return [wish_from_row(row) for row in rows]

    async def matchable_wishes(self, building_id: int) -> list[Wish]:
        rows = await self._db.fetch_all(
            "SELECT x.* FROM pairing_wishes x" + REACHABLE_MEMBER_SQL
            + " WHERE x.building_id = ? AND x.status = 'open' ORDER BY x.created_at, x.id",
            (building_id,),
        )
        return [wish_from_row(row) for row in rows]

    async def withdraw_wish(self, wish_id: int, user_id: int, now: datetime) -> bool:
        """The resident no longer wishes this; a suggestion still waiting for it is called off,
        so nobody is asked further. False when there was nothing to withdraw."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pairing_wishes SET status = 'withdrawn', updated_at = ?"
                " WHERE id = ? AND user_id = ? AND status = 'open'",
                (to_db(now), wish_id, user_id),
            )
            if not changed:
                return False
            await tx.execute(
                "UPDATE pairings SET status = 'cancelled', ended_at = ?"
                f" WHERE wish_id = ? AND status IN {IN_FLIGHT_SQL}",
                (to_db(now), wish_id),
            )
        return True
