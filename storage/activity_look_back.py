"""After an activity: the look-back question to those who said they would come (and whether
they did), and who takes over as host: the next date of a series, one activity, or a series."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.domain.activities import Activity
from storage.activity_rows import bump_card
from storage.db import Database, Row, to_db


class HostScope(StrEnum):
    """What a new host takes on."""

    NEXT = "next"
    """The next date of a series (asked in the group's thank-you after a date)."""
    ACTIVITY = "activity"
    """One activity that has not begun (asked by its organiser)."""
    SERIES = "series"
    """A whole series from now on (asked by its organiser)."""


class HostOffer(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    series_id: int | None
    building_id: int
    activity_id: int
    scope: HostScope
    user_id: int | None
    user_name: str
    status: str
    message_id: int | None


def _offer(row: Row) -> HostOffer:
    return HostOffer(
        id=row["id"], series_id=row["series_id"], building_id=row["building_id"],
        activity_id=row["activity_id"], scope=HostScope(row["scope"]), user_id=row["user_id"],
        user_name=row["user_name"], status=row["status"], message_id=row["message_id"],
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

    async def was_asked(self, activity_id: int, user_id: int) -> bool:
        """The look-back's buttons are for those who were asked, and nobody else."""
        found = await self._db.fetch_value(
            "SELECT 1 FROM activity_feedback WHERE activity_id = ? AND user_id = ?",
            (activity_id, user_id),
        )
        return found is not None

    async def rate(self, activity_id: int, user_id: int, rating: str, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE activity_feedback SET rating = ?, answered_at = ?"
            " WHERE activity_id = ? AND user_id = ?",
            (rating, to_db(now), activity_id, user_id),
        )
        return changed > 0

    async def say_came(self, activity_id: int, user_id: int, people: int, now: datetime) -> bool:
        """A resident who was asked says whether they were there (`people`: they and the guest
        they brought, or 0). The activity's count follows; False when they were not asked."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activity_feedback SET came = ?, answered_at = ?"
                " WHERE activity_id = ? AND user_id = ?",
                (people, to_db(now), activity_id, user_id),
            )
            if not changed:
                return False
            counted = await tx.execute(
                "UPDATE activities SET came_confirmed = (SELECT NULLIF(SUM(came), 0)"
                " FROM activity_feedback WHERE activity_id = ? AND came > 0)"
                " WHERE id = ? AND came_confirmed IS DISTINCT FROM (SELECT NULLIF(SUM(came), 0)"
                " FROM activity_feedback WHERE activity_id = ? AND came > 0)",
                (activity_id, activity_id, activity_id),
            )
            if counted:
                await bump_card(tx, activity_id, now)
        return True

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
            "INSERT INTO activity_host_offers (series_id, building_id, activity_id, scope,"
            " created_at) VALUES (?, ?, ?, 'next', ?)"
            " ON CONFLICT (activity_id) WHERE scope = 'next' DO NOTHING",
            (activity.series_id, activity.building_id, activity.id, to_db(now)),
        )
        row = await self._db.fetch_one(
            "SELECT * FROM activity_host_offers WHERE activity_id = ? AND scope = 'next'",
            (activity.id,),
        )
        return None if row is None else _offer(row)

    async def ask_hand_over(self, activity: Activity, scope: HostScope,
                            now: datetime) -> HostOffer | None:
        """The organiser asks the group who takes over; None while such a question is still
        open for this activity."""
        async with self._db.transaction() as tx:
            open_one = await tx.fetch_one(
                "SELECT id FROM activity_host_offers WHERE activity_id = ? AND scope != 'next'"
                " AND status IN ('asked', 'offered')",
                (activity.id,),
            )
            if open_one is not None:
                return None
            offer_id = await tx.insert(
                "INSERT INTO activity_host_offers (series_id, building_id, activity_id, scope,"
                " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (activity.series_id, activity.building_id, activity.id, scope.value, to_db(now)),
            )
        return await self.host_offer(offer_id)

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
