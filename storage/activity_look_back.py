"""After an activity: the look-back question to those who came, and who hosts a series next."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.domain.activities import Activity
from storage.db import Database, Row, to_db


class HostOffer(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    series_id: int
    building_id: int
    activity_id: int
    user_id: int | None
    user_name: str
    status: str
    message_id: int | None


def _offer(row: Row) -> HostOffer:
    return HostOffer(
        id=row["id"], series_id=row["series_id"], building_id=row["building_id"],
        activity_id=row["activity_id"], user_id=row["user_id"], user_name=row["user_name"],
        status=row["status"], message_id=row["message_id"],
    )


class ActivityLookBackStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ask_feedback(self, activity: Activity, user_id: int, now: datetime) -> bool:
        """Ask each resident once; False when they were asked before."""
        changed = await self._db.execute(
            "INSERT INTO activity_feedback (activity_id, building_id, user_id, asked_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (activity_id, user_id) DO NOTHING",
            (activity.id, activity.building_id, user_id, to_db(now)),
        )
        return changed > 0

    async def rate(self, activity_id: int, user_id: int, rating: str, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE activity_feedback SET rating = ?, answered_at = ?"
            " WHERE activity_id = ? AND user_id = ?",
            (rating, to_db(now), activity_id, user_id),
        )
        return changed > 0

    async def answer_help(self, activity_id: int, user_id: int, yes: bool, now: datetime) -> bool:
        """True only the first time, so the organiser hears an offer of help once."""
        changed = await self._db.execute(
            "UPDATE activity_feedback SET help_next = ?, answered_at = ?"
            " WHERE activity_id = ? AND user_id = ? AND help_next IS NULL",
            (int(yes), to_db(now), activity_id, user_id),
        )
        return changed > 0

    # --- host hand-over -------------------------------------------------------------------

    async def open_host_offer(self, activity: Activity, now: datetime) -> HostOffer | None:
        """The group is asked "who hosts next time?" once per held date of a series."""
        if activity.series_id is None:
            return None
        await self._db.execute(
            "INSERT INTO activity_host_offers (series_id, building_id, activity_id, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (activity_id) DO NOTHING",
            (activity.series_id, activity.building_id, activity.id, to_db(now)),
        )
        row = await self._db.fetch_one(
            "SELECT * FROM activity_host_offers WHERE activity_id = ?", (activity.id,)
        )
        return None if row is None else _offer(row)

    async def host_offer(self, offer_id: int) -> HostOffer | None:
        row = await self._db.fetch_one("SELECT * FROM activity_host_offers WHERE id = ?", (offer_id,))
        return None if row is None else _offer(row)

    async def set_offer_message(self, offer_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE activity_host_offers SET message_id = ? WHERE id = ?", (message_id, offer_id)
        )

    async def offer_to_host(self, offer_id: int, user_id: int, name: str) -> bool:
        changed = await self._db.execute(
            "UPDATE activity_host_offers SET user_id = ?, user_name = ?, status = 'offered'"
            " WHERE id = ? AND status = 'asked'",
            (user_id, name, offer_id),
        )
        return changed > 0

    async def decide_offer(self, offer_id: int, confirm: bool, now: datetime) -> bool:
        """The organiser (or an admin) says yes (hand over) or no (ask the group again)."""
        if confirm:
            sql = ("UPDATE activity_host_offers SET status = 'confirmed', decided_at = ?"
                   " WHERE id = ? AND status = 'offered'")
        else:
            sql = ("UPDATE activity_host_offers SET status = 'asked', user_id = NULL,"
                   " user_name = '', decided_at = ? WHERE id = ? AND status = 'offered'")
        return await self._db.execute(sql, (to_db(now), offer_id)) > 0
