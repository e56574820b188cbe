"""Deep-link tokens that point to a row, so a link can expire or be used once."""

from __future__ import annotations

from datetime import datetime

from bot.domain.deeplinks import DeepLink, new_token
from storage.db import Database, Row, from_db, to_db


def _link(row: Row) -> DeepLink:
    return DeepLink(
        token=row["token"],
        kind=row["kind"],
        building_id=row["building_id"],
        target=row["target"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        single_use=bool(row["single_use"]),
        used_at=from_db(row["used_at"]),
        for_user=row["for_user"],
    )


class DeepLinkStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        kind: str,
        now: datetime,
        *,
        building_id: int | None = None,
        target: str = "",
        created_by: int | None = None,
        expires_at: datetime | None = None,
        single_use: bool = False,
        for_user: int | None = None,
    ) -> DeepLink:
        token = new_token()
        await self._db.execute(
            "INSERT INTO deep_links (token, kind, building_id, target, created_by, created_at,"
            " expires_at, single_use, for_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (token, kind, building_id, target, created_by, to_db(now), to_db(expires_at),
             int(single_use), for_user),
        )
        link = await self.get(token)
        assert link is not None
        return link

    async def reusable(self, kind: str, building_id: int, target: str, now: datetime) -> DeepLink:
        """The standing link of a kind for a building (e.g. "open the bot from this group")."""
        row = await self._db.fetch_one(
            "SELECT * FROM deep_links WHERE kind = ? AND building_id = ? AND target = ?"
            " AND single_use = 0 AND expires_at IS NULL AND for_user IS NULL"
            " ORDER BY created_at LIMIT 1",
            (kind, building_id, target),
        )
        if row is not None:
            return _link(row)
        return await self.create(kind, now, building_id=building_id, target=target)

    async def get(self, token: str) -> DeepLink | None:
        row = await self._db.fetch_one("SELECT * FROM deep_links WHERE token = ?", (token,))
        return None if row is None else _link(row)

    async def use(self, token: str, now: datetime) -> bool:
        """Mark a single-use link used; False when someone was first or it expired."""
        changed = await self._db.execute(
            "UPDATE deep_links SET used_at = ? WHERE token = ? AND used_at IS NULL"
            " AND (expires_at IS NULL OR expires_at > ?)",
            (to_db(now), token, to_db(now)),
        )
        return changed > 0
