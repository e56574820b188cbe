"""Who comes: answers to activities, the waiting list, who came, and answers taken back.

Each press is applied in one transaction, so quick presses from many residents stay exact.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.domain.activities import Activity
from bot.domain.activity_rsvps import (
    Counts,
    Rsvp,
    RsvpChoice,
    RsvpDecision,
    RsvpStatus,
    count,
    decide_rsvp,
    promotions,
)
from storage.activity_rows import activity_from_row, bump_card
from storage.db import Database, Row, Transaction, from_db, to_db


def _rsvp(row: Row) -> Rsvp:
    return Rsvp(
        user_id=row["user_id"],
        status=RsvpStatus(row["status"]),
        guests=row["guests"],
        queued_at=from_db(row["queued_at"]),
        responded_at=from_db(row["responded_at"]),
    )


class RsvpResult(BaseModel):
    """What a press did: the activity as it is now, and the decision (None when it was closed)."""

    model_config = ConfigDict(frozen=True)

    activity: Activity
    decision: RsvpDecision | None
    counts: Counts
    waiting_position: int | None = None


class Withdrawal(BaseModel):
    """A resident's answer taken back (they left, or asked to be forgotten)."""

    model_config = ConfigDict(frozen=True)

    activity_id: int
    promoted: list[int]


_RSVP_COLUMNS = "user_id, status, guests, queued_at, responded_at"  # pragma: no mutate (SQL text)


async def _write_rsvp(tx: Transaction, activity: Activity, rsvp: Rsvp, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO activity_rsvps (activity_id, building_id, user_id, status, guests, queued_at,"
        " first_at, responded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (activity_id, user_id) DO UPDATE SET status = excluded.status,"
        " guests = excluded.guests, queued_at = excluded.queued_at,"
        " responded_at = excluded.responded_at",
        (activity.id, activity.building_id, rsvp.user_id, rsvp.status.value, rsvp.guests,
         to_db(rsvp.queued_at), to_db(now), to_db(rsvp.responded_at)),
    )


async def _rsvps_in(tx: Transaction, activity_id: int) -> list[Rsvp]:
    rows = await tx.fetch_all(
        f"SELECT {_RSVP_COLUMNS} FROM activity_rsvps WHERE activity_id = ? AND user_id IS NOT NULL",
        (activity_id,),
    )
    return [_rsvp(row) for row in rows]


def _waiting_position(rsvps: list[Rsvp], user_id: int) -> int | None:
    """Where this resident is on the waiting list (1 is next), if on it."""
    waiting = sorted((r for r in rsvps if r.status is RsvpStatus.WAITING),
                     key=lambda r: (r.queued_at or r.responded_at, r.user_id))
    for index, item in enumerate(waiting, start=1):
        if item.user_id == user_id:
            return index
    return None


class RsvpStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def respond(
        self, activity_id: int, user_id: int, choice: RsvpChoice, now: datetime
    ) -> RsvpResult | None:
        """Apply one press in one transaction, so quick presses from many residents stay exact."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT * FROM activities WHERE id = ?" + self._db.sql.for_update, (activity_id,)
            )
            if row is None:
                return None
            activity = activity_from_row(row)
            rsvps = await _rsvps_in(tx, activity_id)
            if not activity.accepts_answers(now):
                return RsvpResult(activity=activity, decision=None, counts=count(rsvps))
            decision = decide_rsvp(rsvps, user_id, choice, activity.capacity, now)
            for changed in [*([decision.mine] if decision.mine else []), *decision.promoted]:
                await _write_rsvp(tx, activity, changed, now)
            if decision.changed:
                await bump_card(tx, activity_id, now)
            after = await _rsvps_in(tx, activity_id)
        return RsvpResult(activity=activity, decision=decision, counts=count(after),
                          waiting_position=_waiting_position(after, user_id))

    async def set_capacity(
        self, activity_id: int, capacity: int | None, now: datetime
    ) -> tuple[Activity, list[int]] | None:
        """A new number of places for an open activity; whoever now fits moves up from the
        waiting list (returned, in order). None when it is no longer open."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activities SET capacity = ?, updated_at = ? WHERE id = ? AND status = 'open'",
                (capacity, to_db(now), activity_id),
            )
            if not changed:
                return None
            row = await tx.fetch_one("SELECT * FROM activities WHERE id = ?", (activity_id,))
            assert row is not None
            activity = activity_from_row(row)
            moved = promotions(await _rsvps_in(tx, activity_id), capacity)
            for rsvp in moved:
                await _write_rsvp(tx, activity, rsvp, now)
            await bump_card(tx, activity_id, now)
            row = await tx.fetch_one("SELECT * FROM activities WHERE id = ?", (activity_id,))
            assert row is not None
        return activity_from_row(row), [r.user_id for r in moved]

    async def rsvps(self, activity_id: int) -> list[Rsvp]:
        rows = await self._db.fetch_all(
            f"SELECT {_RSVP_COLUMNS} FROM activity_rsvps WHERE activity_id = ? AND user_id IS NOT NULL"
            " ORDER BY first_at, id",
            (activity_id,),
        )
        return [_rsvp(row) for row in rows]

    async def answered_by(self, user_id: int, now: datetime) -> list[tuple[Activity, Rsvp]]:
        """The resident's answers (going, maybe, waiting) to activities still to come."""
        rows = await self._db.fetch_all(
            "SELECT a.*, r.status AS rsvp_status, r.guests AS rsvp_guests,"
            " r.queued_at AS rsvp_queued_at, r.responded_at AS rsvp_responded_at"
            " FROM activity_rsvps r JOIN activities a ON a.id = r.activity_id"
            " WHERE r.user_id = ? AND r.status != 'no' AND a.status = 'open'"
            " AND a.removed_at IS NULL AND a.starts_at > ? ORDER BY a.starts_at LIMIT 20",
            (user_id, to_db(now)),
        )
        return [(activity_from_row(row), Rsvp(
            user_id=user_id, status=RsvpStatus(row["rsvp_status"]), guests=row["rsvp_guests"],
            queued_at=from_db(row["rsvp_queued_at"]), responded_at=from_db(row["rsvp_responded_at"]),
        )) for row in rows]

    async def waiting_position(self, activity_id: int, user_id: int) -> int | None:
        return _waiting_position(await self.rsvps(activity_id), user_id)

    async def counts(self, activity_id: int) -> Counts:
        return count(await self.rsvps(activity_id))

    async def begin(self, activity_id: int) -> int | None:
        """Freeze who came: the residents going plus their guests when it starts."""
        async with self._db.transaction() as tx:
            rsvps = await _rsvps_in(tx, activity_id)
            came = count(rsvps).seats
            changed = await tx.execute(
                "UPDATE activities SET came_count = ?, rsvp_count = ?"
                " WHERE id = ? AND status = 'open' AND came_count IS NULL",
                (came, len(rsvps), activity_id),
            )
        return came if changed else None

    async def came(self, activity_id: int) -> list[int]:
        """Residents who were going when it began (they get the look-back question)."""
        rows = await self._db.fetch_all(
            "SELECT user_id FROM activity_rsvps WHERE activity_id = ? AND status = 'going'"
            " AND user_id IS NOT NULL ORDER BY first_at, id",
            (activity_id,),
        )
        return [int(row[0]) for row in rows]

    async def withdraw(
        self, user_id: int, now: datetime, building_id: int | None = None
    ) -> list[Withdrawal]:
        """Take back the resident's answers to activities still to come; free places move up."""
        done: list[Withdrawal] = []
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT a.* FROM activities a JOIN activity_rsvps r ON r.activity_id = a.id"
                " WHERE r.user_id = ? AND a.status = 'open' AND a.starts_at > ?"
                " AND (CAST(? AS BIGINT) IS NULL OR a.building_id = ?)" + self._db.sql.for_update,
                (user_id, to_db(now), building_id, building_id),
            )
            for row in rows:
                activity = activity_from_row(row)
                await tx.execute(
                    "DELETE FROM activity_rsvps WHERE activity_id = ? AND user_id = ?",
                    (activity.id, user_id),
                )
                moved = promotions(await _rsvps_in(tx, activity.id), activity.capacity)
                for rsvp in moved:
                    await _write_rsvp(tx, activity, rsvp, now)
                await bump_card(tx, activity.id, now)
                done.append(Withdrawal(activity_id=activity.id, promoted=[r.user_id for r in moved]))
        return done
