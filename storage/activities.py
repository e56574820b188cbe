"""Activities: posting, the card's state, changes, the end, the figures, and personal data.

`ActivityStore` is made of parts, each in its own module: `activity_drafts` (the flow's
drafts), `activity_rsvps` (answers and the waiting list), `activity_series` (series and hosts),
`activity_look_back` (the look-back question and host hand-overs) and `activity_controls` (the
private messages with the organiser's controls).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.activities import Activity, Change
from bot.domain.activity_drafts import Draft
from bot.domain.activity_series import Repeat
from storage.activity_controls import ActivityControlStore
from storage.activity_drafts import ActivityDraftStore
from storage.activity_look_back import ActivityLookBackStore, HostOffer, HostScope
from storage.activity_rows import activity_from_row, bump_card
from storage.activity_rsvps import RsvpResult, RsvpStore, Withdrawal
from storage.activity_series import ActivitySeriesStore
from storage.db import Database, from_db, to_db

__all__ = ["ActivityStore", "HostOffer", "HostScope", "RsvpResult", "Withdrawal"]


class ActivityStore(ActivityDraftStore, RsvpStore, ActivitySeriesStore, ActivityLookBackStore,
                    ActivityControlStore):
    """Everything stored about activities; drafts, answers, series, the look-back and the
    organiser's controls messages are the parts it is made of, each in its own module."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- activities -----------------------------------------------------------------------

    async def publish(self, draft: Draft, organiser_name: str, now: datetime) -> Activity:
        """Turn a finished draft into an activity (and a series when it repeats); the draft goes."""
        assert draft.starts_at is not None
        async with self._db.transaction() as tx:
            series_id = None
            if draft.repeat is not Repeat.NONE:
                series_id = await tx.insert(
                    "INSERT INTO activity_series (building_id, organiser_id, organiser_name, repeat,"
                    " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (draft.building_id, draft.user_id, organiser_name, draft.repeat.value,
                     to_db(now)),
                )
            activity_id = await tx.insert(
                "INSERT INTO activities (building_id, series_id, occurrence, organiser_id,"
                " organiser_name, title, description, place, starts_at, ends_at, capacity, repeat,"
                " idea_id, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (draft.building_id, series_id, draft.user_id, organiser_name, draft.title,
                 draft.description, draft.place, to_db(draft.starts_at), to_db(draft.ends_at),
                 draft.capacity, draft.repeat.value, draft.idea_id, to_db(now), to_db(now)),
            )
            await tx.execute("DELETE FROM activity_drafts WHERE user_id = ?", (draft.user_id,))
        activity = await self.get(activity_id)
        assert activity is not None
        return activity

    async def get(self, activity_id: int) -> Activity | None:
        row = await self._db.fetch_one("SELECT * FROM activities WHERE id = ?", (activity_id,))
        return None if row is None else activity_from_row(row)

    async def set_message(self, activity_id: int, message_id: int, version: int) -> None:
        await self._db.execute(
            "UPDATE activities SET message_id = ?,"
            " card_shown = CASE WHEN card_shown > ? THEN card_shown ELSE ? END WHERE id = ?",
            (message_id, version, version, activity_id),
        )

    async def mark_shown(self, activity_id: int, version: int) -> None:
        await self._db.execute(
            "UPDATE activities SET card_shown = CASE WHEN card_shown > ? THEN card_shown ELSE ? END"
            " WHERE id = ?",
            (version, version, activity_id),
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
        return [activity_from_row(row) for row in rows]

    async def open_without_card(self, building_id: int) -> list[Activity]:
        """Open activities of the building whose card has no message: after the group became a
        supergroup, these go up there anew."""
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE building_id = ? AND message_id IS NULL"
            " AND status = 'open' AND removed_at IS NULL ORDER BY id",
            (building_id,),
        )
        return [activity_from_row(row) for row in rows]

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
                await bump_card(tx, activity_id, now)
        return await self.get(activity_id) if changed else None

    async def cancel(self, activity_id: int, now: datetime) -> Activity | None:
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activities SET status = 'cancelled', cancelled_at = ?, updated_at = ?"
                " WHERE id = ? AND status = 'open'",
                (to_db(now), to_db(now), activity_id),
            )
            if changed:
                await bump_card(tx, activity_id, now)
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
                await bump_card(tx, activity_id, now)
        return await self.get(activity_id) if changed else None

    async def organised_by(self, user_id: int, now: datetime) -> list[Activity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE organiser_id = ? AND status = 'open' AND starts_at > ?"
            " ORDER BY starts_at LIMIT 20",
            (user_id, to_db(now)),
        )
        return [activity_from_row(row) for row in rows]

    async def upcoming(self, building_id: int, since: datetime, until: datetime) -> list[Activity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE building_id = ? AND status = 'open'"
            " AND starts_at >= ? AND starts_at < ? ORDER BY starts_at",
            (building_id, to_db(since), to_db(until)),
        )
        return [activity_from_row(row) for row in rows]

    async def upcoming_of_series(self, series_id: int, now: datetime) -> list[Activity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM activities WHERE series_id = ? AND status = 'open' AND starts_at > ?"
            " ORDER BY starts_at",
            (series_id, to_db(now)),
        )
        return [activity_from_row(row) for row in rows]

    async def last_activity_in(self, building_id: int) -> datetime | None:
        """When someone last posted an activity or answered one in this building."""
        value = await self._db.fetch_value(
            "SELECT MAX(at) FROM ("
            " SELECT MAX(created_at) AS at FROM activities WHERE building_id = ?"
            " UNION ALL SELECT MAX(responded_at) FROM activity_rsvps WHERE building_id = ?) AS moments",
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

    # --- personal data, expiring ---------------------------------------------------------
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
            "SELECT a.title, f.rating, f.came, f.help_next, f.answered_at FROM activity_feedback f"
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
        """Withdraw answers still to come, unlink the rest, show "een buur" as organiser and
        erase what the organiser wrote (title, text, place); the counts stay.

        Returns the withdrawals and the activities whose card changes."""
        withdrawals = await self.withdraw(user_id, now)
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT id FROM activities WHERE organiser_id = ?", (user_id,)
            )
            renamed = [int(row[0]) for row in rows]
            await tx.execute(
                "UPDATE activities SET organiser_id = NULL, organiser_name = '', title = '',"
                " description = '', place = '', details_erased_at = COALESCE(details_erased_at, ?)"
                " WHERE organiser_id = ?",
                (to_db(now), user_id),
            )
            for activity_id in renamed:
                await bump_card(tx, activity_id, now)
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
            await tx.execute("DELETE FROM activity_controls WHERE user_id = ?", (user_id,))
        return withdrawals, renamed

    async def expire(self, before: datetime) -> int:
        """Erase what was written about activities that ended before `before`, and drafts left
        alone since then; counts stay."""
        async with self._db.transaction() as tx:
            erased = await tx.execute(
                "UPDATE activities SET description = '', place = '', details_erased_at = ?"
                " WHERE details_erased_at IS NULL AND status IN ('ended', 'cancelled')"
                " AND COALESCE(ends_at, starts_at) < ?",
                (to_db(before), to_db(before)),
            )
            return erased + await tx.execute(
                "DELETE FROM activity_drafts WHERE updated_at < ?", (to_db(before),))
