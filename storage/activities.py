"""Activities, their series, RSVPs, drafts, look-back answers and host hand-overs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.domain.activities import Activity, ActivityStatus, Change
from bot.domain.activity_drafts import Draft, DraftStep
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
from bot.domain.activity_series import Repeat, Series
from storage.db import Database, Row, Transaction, from_db, to_db


def _activity(row: Row) -> Activity:
    return Activity(
        id=row["id"],
        building_id=row["building_id"],
        series_id=row["series_id"],
        occurrence=row["occurrence"],
        organiser_id=row["organiser_id"],
        organiser_name=row["organiser_name"],
        title=row["title"],
        description=row["description"],
        place=row["place"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        capacity=row["capacity"],
        repeat=Repeat(row["repeat"]),
        status=ActivityStatus(row["status"]),
        message_id=row["message_id"],
        card_version=row["card_version"],
        card_shown=row["card_shown"],
        came_count=row["came_count"],
        last_change=row["last_change"],
        idea_id=row["idea_id"],
        created_at=from_db(row["created_at"]),
        removed_at=from_db(row["removed_at"]),
    )


def _rsvp(row: Row) -> Rsvp:
    return Rsvp(
        user_id=row["user_id"],
        status=RsvpStatus(row["status"]),
        guests=row["guests"],
        queued_at=from_db(row["queued_at"]),
        responded_at=from_db(row["responded_at"]),
    )


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


def _series(row: Row) -> Series:
    return Series(
        id=row["id"],
        building_id=row["building_id"],
        organiser_id=row["organiser_id"],
        organiser_name=row["organiser_name"],
        repeat=Repeat(row["repeat"]),
        active=bool(row["active"]),
        fade_noted_at=row["fade_noted_at"],
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


_RSVP_COLUMNS = "user_id, status, guests, queued_at, responded_at"


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


async def _bump(tx: Transaction, activity_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE activities SET card_version = card_version + 1, updated_at = ? WHERE id = ?",
        (to_db(now), activity_id),
    )


class ActivityStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- drafts ---------------------------------------------------------------------------

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

    # --- activities -----------------------------------------------------------------------

    async def publish(self, draft: Draft, organiser_name: str, now: datetime) -> Activity:
        """Turn a finished draft into an activity (and a series when it repeats); the draft goes."""
        assert draft.starts_at is not None
        async with self._db.transaction() as tx:
            series_id = None
            if draft.repeat is not Repeat.NONE:
                series_id = await tx.insert(
                    "INSERT INTO activity_series (building_id, organiser_id, organiser_name, repeat,"
                    " created_at) VALUES (?, ?, ?, ?, ?)",
                    (draft.building_id, draft.user_id, organiser_name, draft.repeat.value,
                     to_db(now)),
                )
            activity_id = await tx.insert(
                "INSERT INTO activities (building_id, series_id, occurrence, organiser_id,"
                " organiser_name, title, description, place, starts_at, ends_at, capacity, repeat,"
                " idea_id, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (draft.building_id, series_id, draft.user_id, organiser_name, draft.title,
                 draft.description, draft.place, to_db(draft.starts_at), to_db(draft.ends_at),
                 draft.capacity, draft.repeat.value, draft.idea_id, to_db(now), to_db(now)),
            )
            await tx.execute("DELETE FROM activity_drafts WHERE user_id = ?", (draft.user_id,))
        activity = await self.get(activity_id)
        assert activity is not None
        return activity

    async def add_occurrence(
        self, previous: Activity, series: Series, starts_at: datetime, ends_at: datetime | None,
        now: datetime,
    ) -> Activity:
        """The next date of a series; made once however often this is called."""
        occurrence = previous.occurrence + 1
        await self._db.execute(
            "INSERT INTO activities (building_id, series_id, occurrence, organiser_id, organiser_name,"
            " title, description, place, starts_at, ends_at, capacity, repeat, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (series_id, occurrence) DO NOTHING",
            (previous.building_id, series.id, occurrence, series.organiser_id, series.organiser_name,
             previous.title, previous.description, previous.place, to_db(starts_at),
             to_db(ends_at), previous.capacity, series.repeat.value, to_db(now), to_db(now)),
        )
        row = await self._db.fetch_one(
            "SELECT * FROM activities WHERE series_id = ? AND occurrence = ?", (series.id, occurrence)
        )
        assert row is not None
        return _activity(row)

    async def get(self, activity_id: int) -> Activity | None:
        row = await self._db.fetch_one("SELECT * FROM activities WHERE id = ?", (activity_id,))
        return None if row is None else _activity(row)

    async def set_message(self, activity_id: int, message_id: int, version: int) -> None:
        await self._db.execute(
            "UPDATE activities SET message_id = ?, card_shown = MAX(card_shown, ?) WHERE id = ?",
            (message_id, version, activity_id),
        )

    async def mark_shown(self, activity_id: int, version: int) -> None:
        await self._db.execute(
            "UPDATE activities SET card_shown = MAX(card_shown, ?) WHERE id = ?",
            (version, activity_id),
        )

    async def dirty(self) -> list[int]:
        """Cards whose group message shows an older state (e.g. the bot stopped mid-burst)."""
        rows = await self._db.fetch_all(
            "SELECT id FROM activities WHERE card_version > card_shown AND message_id IS NOT NULL"
            " ORDER BY id"
        )
        return [int(row[0]) for row in rows]

    async def unposted(self, before: datetime) -> list[Activity]:
        """Open activities made before `before` whose card never reached the group (the bot
        stopped in between)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE message_id IS NULL AND status = 'open'"
            " AND created_at < ? AND starts_at > ? ORDER BY id",
            (to_db(before), to_db(before)),
        )
        return [_activity(row) for row in rows]

    async def respond(
        self, activity_id: int, user_id: int, choice: RsvpChoice, now: datetime
    ) -> RsvpResult | None:
        """Apply one press in one transaction, so quick presses from many residents stay exact."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one("SELECT * FROM activities WHERE id = ?", (activity_id,))
            if row is None:
                return None
            activity = _activity(row)
            rsvps = await _rsvps_in(tx, activity_id)
            if not activity.accepts_answers(now):
                return RsvpResult(activity=activity, decision=None, counts=count(rsvps))
            decision = decide_rsvp(rsvps, user_id, choice, activity.capacity, now)
            for changed in [*([decision.mine] if decision.mine else []), *decision.promoted]:
                await _write_rsvp(tx, activity, changed, now)
            if decision.changed:
                await _bump(tx, activity_id, now)
            after = await _rsvps_in(tx, activity_id)
        position = None
        waiting = sorted((r for r in after if r.status is RsvpStatus.WAITING),
                         key=lambda r: (r.queued_at or r.responded_at, r.user_id))
        for index, item in enumerate(waiting, start=1):
            if item.user_id == user_id:
                position = index
        return RsvpResult(activity=activity, decision=decision, counts=count(after),
                          waiting_position=position)

    async def rsvps(self, activity_id: int) -> list[Rsvp]:
        rows = await self._db.fetch_all(
            f"SELECT {_RSVP_COLUMNS} FROM activity_rsvps WHERE activity_id = ? AND user_id IS NOT NULL"
            " ORDER BY first_at, id",
            (activity_id,),
        )
        return [_rsvp(row) for row in rows]

    async def counts(self, activity_id: int) -> Counts:
        return count(await self.rsvps(activity_id))

    async def update_details(
        self, activity_id: int, change: Change, now: datetime, **fields: Any
    ) -> Activity | None:
        """Change time, place or text of an open activity; the card shows what changed."""
        allowed = {"title", "description", "place", "starts_at", "ends_at"}
        assert fields and set(fields) <= allowed
        values = [to_db(v) if isinstance(v, datetime) else v for v in fields.values()]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                f"UPDATE activities SET {assignments}, last_change = ?, updated_at = ?"
                " WHERE id = ? AND status = 'open'",
                (*values, change.value, to_db(now), activity_id),
            )
            if changed:
                await _bump(tx, activity_id, now)
        return await self.get(activity_id) if changed else None

    async def cancel(self, activity_id: int, now: datetime) -> Activity | None:
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activities SET status = 'cancelled', cancelled_at = ?, updated_at = ?"
                " WHERE id = ? AND status = 'open'",
                (to_db(now), to_db(now), activity_id),
            )
            if changed:
                await _bump(tx, activity_id, now)
        return await self.get(activity_id) if changed else None

    async def remove(self, activity_id: int, now: datetime) -> Activity | None:
        """A group admin hid the reported card: removed, and cancelled if it was still on. The
        card is being deleted, so it counts as shown: nothing edits it again."""
        changed = await self._db.execute(
            "UPDATE activities SET removed_at = ?, updated_at = ?, card_shown = card_version,"
            " cancelled_at = CASE WHEN status = 'open' THEN ? ELSE cancelled_at END,"
            " status = CASE WHEN status = 'open' THEN 'cancelled' ELSE status END"
            " WHERE id = ? AND removed_at IS NULL",
            (to_db(now), to_db(now), to_db(now), activity_id),
        )
        return await self.get(activity_id) if changed else None

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

    async def finish(self, activity_id: int, now: datetime) -> Activity | None:
        """Mark it over (once); came_count is frozen now if the start was missed."""
        await self.begin(activity_id)
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activities SET status = 'ended', ended_at = ?, updated_at = ?"
                " WHERE id = ? AND status = 'open'",
                (to_db(now), to_db(now), activity_id),
            )
            if changed:
                await _bump(tx, activity_id, now)
        return await self.get(activity_id) if changed else None

    async def came(self, activity_id: int) -> list[int]:
        """Residents who were going when it began (they get the look-back question)."""
        rows = await self._db.fetch_all(
            "SELECT user_id FROM activity_rsvps WHERE activity_id = ? AND status = 'going'"
            " AND user_id IS NOT NULL ORDER BY first_at, id",
            (activity_id,),
        )
        return [int(row[0]) for row in rows]

    async def organised_by(self, user_id: int, now: datetime) -> list[Activity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE organiser_id = ? AND status = 'open' AND starts_at > ?"
            " ORDER BY starts_at LIMIT 20",
            (user_id, to_db(now)),
        )
        return [_activity(row) for row in rows]

    async def upcoming(self, building_id: int, since: datetime, until: datetime) -> list[Activity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE building_id = ? AND status = 'open'"
            " AND starts_at >= ? AND starts_at < ? ORDER BY starts_at",
            (building_id, to_db(since), to_db(until)),
        )
        return [_activity(row) for row in rows]

    async def upcoming_of_series(self, series_id: int, now: datetime) -> list[Activity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE series_id = ? AND status = 'open' AND starts_at > ?"
            " ORDER BY starts_at",
            (series_id, to_db(now)),
        )
        return [_activity(row) for row in rows]

    async def last_activity_in(self, building_id: int) -> datetime | None:
        """When someone last posted an activity or answered one in this building."""
        value = await self._db.fetch_value(
            "SELECT MAX(at) FROM ("
            " SELECT MAX(created_at) AS at FROM activities WHERE building_id = ?"
            " UNION ALL SELECT MAX(responded_at) FROM activity_rsvps WHERE building_id = ?)",
            (building_id, building_id),
        )
        return from_db(value) if value else None

    async def figures(self, building_id: int, since: datetime, until: datetime) -> dict[str, int]:
        """Anonymous counts for the building's figures: no names, no texts."""
        row = await self._db.fetch_one(
            "SELECT"
            " (SELECT COUNT(*) FROM activities WHERE building_id = :b AND created_at >= :s"
            "  AND created_at < :u) AS posted,"
            " (SELECT COUNT(*) FROM activities WHERE building_id = :b AND status = 'ended'"
            "  AND starts_at >= :s AND starts_at < :u) AS held,"
            " (SELECT COALESCE(SUM(came_count), 0) FROM activities WHERE building_id = :b"
            "  AND status = 'ended' AND starts_at >= :s AND starts_at < :u) AS came,"
            " (SELECT COUNT(*) FROM activity_rsvps WHERE building_id = :b AND first_at >= :s"
            "  AND first_at < :u) AS rsvps,"
            " (SELECT COUNT(*) FROM ideas WHERE building_id = :b AND created_at >= :s"
            "  AND created_at < :u) AS ideas,"
            " (SELECT COUNT(*) FROM ideas WHERE building_id = :b AND converted_at >= :s"
            "  AND converted_at < :u) AS ideas_became_activities",
            {"b": building_id, "s": to_db(since), "u": to_db(until)},
        )
        assert row is not None
        return {key: int(value) for key, value in dict(row).items()}

    # --- series ---------------------------------------------------------------------------

    async def series(self, series_id: int) -> Series | None:
        row = await self._db.fetch_one("SELECT * FROM activity_series WHERE id = ?", (series_id,))
        return None if row is None else _series(row)

    async def stop_series(self, series_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE activity_series SET active = 0, stopped_at = ? WHERE id = ? AND active = 1",
            (to_db(now), series_id),
        )
        return changed > 0

    async def history(self, series_id: int) -> list[tuple[int, int]]:
        """(occurrence, people who came) of the series' held dates, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT occurrence, came_count FROM activities WHERE series_id = ? AND status = 'ended'"
            " AND came_count IS NOT NULL ORDER BY occurrence",
            (series_id,),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def note_fade(self, series_id: int, occurrence: int) -> None:
        await self._db.execute(
            "UPDATE activity_series SET fade_noted_at = ? WHERE id = ?", (occurrence, series_id)
        )

    async def hand_over(self, series_id: int, user_id: int, name: str, now: datetime) -> list[int]:
        """A new host for the series and its coming dates; returns the dates whose card changes."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE activity_series SET organiser_id = ?, organiser_name = ? WHERE id = ?",
                (user_id, name, series_id),
            )
            rows = await tx.fetch_all(
                "SELECT id FROM activities WHERE series_id = ? AND status = 'open' AND starts_at > ?",
                (series_id, to_db(now)),
            )
            ids = [int(row[0]) for row in rows]
            for activity_id in ids:
                await tx.execute(
                    "UPDATE activities SET organiser_id = ?, organiser_name = ? WHERE id = ?",
                    (user_id, name, activity_id),
                )
                await _bump(tx, activity_id, now)
        return ids

    # --- look-back ------------------------------------------------------------------------

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

    # --- leaving, forgetting, expiring ----------------------------------------------------

    async def withdraw(
        self, user_id: int, now: datetime, building_id: int | None = None
    ) -> list[Withdrawal]:
        """Take back the resident's answers to activities still to come; free places move up."""
        done: list[Withdrawal] = []
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT a.* FROM activities a JOIN activity_rsvps r ON r.activity_id = a.id"
                " WHERE r.user_id = ? AND a.status = 'open' AND a.starts_at > ?"
                " AND (? IS NULL OR a.building_id = ?)",
                (user_id, to_db(now), building_id, building_id),
            )
            for row in rows:
                activity = _activity(row)
                await tx.execute(
                    "DELETE FROM activity_rsvps WHERE activity_id = ? AND user_id = ?",
                    (activity.id, user_id),
                )
                moved = promotions(await _rsvps_in(tx, activity.id), activity.capacity)
                for rsvp in moved:
                    await _write_rsvp(tx, activity, rsvp, now)
                await _bump(tx, activity.id, now)
                done.append(Withdrawal(activity_id=activity.id, promoted=[r.user_id for r in moved]))
        return done

    async def export(self, user_id: int) -> dict[str, Any]:
        organised = await self._db.fetch_all(
            "SELECT title, description, place, starts_at, ends_at, status FROM activities"
            " WHERE organiser_id = ? ORDER BY starts_at",
            (user_id,),
        )
        answers = await self._db.fetch_all(
            "SELECT a.title, a.starts_at, r.status, r.guests, r.first_at, r.responded_at"
            " FROM activity_rsvps r JOIN activities a ON a.id = r.activity_id"
            " WHERE r.user_id = ? ORDER BY a.starts_at",
            (user_id,),
        )
        feedback = await self._db.fetch_all(
            "SELECT a.title, f.rating, f.help_next, f.answered_at FROM activity_feedback f"
            " JOIN activities a ON a.id = f.activity_id WHERE f.user_id = ? ORDER BY f.asked_at",
            (user_id,),
        )
        offers = await self._db.fetch_all(
            "SELECT a.title, o.status, o.decided_at FROM activity_host_offers o"
            " JOIN activities a ON a.id = o.activity_id WHERE o.user_id = ?",
            (user_id,),
        )
        draft = await self.draft(user_id)
        return {
            "activities_organised": [dict(row) for row in organised],
            "rsvps": [dict(row) for row in answers],
            "feedback": [
                {**dict(row), "help_next": None if row["help_next"] is None else bool(row["help_next"])}
                for row in feedback
            ],
            "offers_to_host": [dict(row) for row in offers],
            "draft": draft.model_dump(mode="json") if draft else None,
        }

    async def forget(self, user_id: int, now: datetime) -> tuple[list[Withdrawal], list[int]]:
        """Withdraw answers still to come, unlink the rest, and show "een buur" as organiser.

        Returns the withdrawals and the activities whose card changes."""
        withdrawals = await self.withdraw(user_id, now)
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT id FROM activities WHERE organiser_id = ?", (user_id,)
            )
            renamed = [int(row[0]) for row in rows]
            await tx.execute(
                "UPDATE activities SET organiser_id = NULL, organiser_name = '' WHERE organiser_id = ?",
                (user_id,),
            )
            for activity_id in renamed:
                await _bump(tx, activity_id, now)
            await tx.execute(
                "UPDATE activity_series SET organiser_id = NULL, organiser_name = ''"
                " WHERE organiser_id = ?",
                (user_id,),
            )
            await tx.execute("UPDATE activity_rsvps SET user_id = NULL WHERE user_id = ?", (user_id,))
            await tx.execute(
                "UPDATE activity_feedback SET user_id = NULL WHERE user_id = ?", (user_id,)
            )
            await tx.execute(
                "UPDATE activity_host_offers SET user_id = NULL, user_name = '',"
                " status = CASE WHEN status = 'offered' THEN 'asked' ELSE status END"
                " WHERE user_id = ?",
                (user_id,),
            )
            await tx.execute("DELETE FROM activity_drafts WHERE user_id = ?", (user_id,))
        return withdrawals, renamed

    async def expire(self, before: datetime) -> int:
        """Erase what was written about activities that ended before `before`; counts stay."""
        return await self._db.execute(
            "UPDATE activities SET description = '', place = '', details_erased_at = ?"
            " WHERE details_erased_at IS NULL AND status IN ('ended', 'cancelled')"
            " AND COALESCE(ends_at, starts_at) < ?",
            (to_db(before), to_db(before)),
        )
