"""The foundation's personal data (residents, memberships, their deep links), reports, group
erasure and the nightly clean-up: every privacy-related statement in one place."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from bot.domain.privacy import GroupErasure, Report, ReportState
from storage.db import Database, Row, from_db, to_db
from storage.inbox import UpdateInbox

_SCRUB_HANDLED_UPDATES = "UPDATE inbox SET payload = '{}' WHERE handled_at IS NOT NULL AND payload != '{}'"
"""Handled updates are kept only to recognise a redelivery by id; their contents are not needed."""
_SCRUB_SETTLED_SENDS = "UPDATE outbox SET payload = '{}' WHERE state != 'pending' AND payload != '{}'"
"""Messages that went out (or were given up) are kept only to recognise a repeated key."""


def _when(text: str | None) -> str | None:
    moment = from_db(text)
    return None if moment is None else moment.isoformat()


class FoundationData:
    """The PersonalData of the foundation tables: who a resident is and where they belong.

    Registered like every feature's, and forgotten last, because features look up memberships
    while they erase their own rows.
    """

    name = "resident"

    def __init__(self, db: Database) -> None:
        self._db = db
        self._inbox = UpdateInbox(db)

    async def export(self, user_id: int) -> dict[str, Any]:
        resident = await self._db.fetch_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        memberships = await self._db.fetch_all(
            "SELECT m.building_id, b.title, m.status, m.joined_at, m.updated_at, m.confirmed_at"
            " FROM memberships m LEFT JOIN buildings b ON b.chat_id = m.building_id"
            " WHERE m.user_id = ? ORDER BY m.joined_at",
            (user_id,),
        )
        links = await self._db.fetch_all(
            "SELECT kind, created_at, expires_at, used_at FROM deep_links"
            " WHERE created_by = ? OR for_user = ? ORDER BY created_at",
            (user_id, user_id),
        )
        return {
            "profile": None if resident is None else _profile(resident),
            "memberships": [
                {
                    "building": row["title"],
                    "building_id": row["building_id"],
                    "status": row["status"],
                    "joined_at": _when(row["joined_at"]),
                    "updated_at": _when(row["updated_at"]),
                    "confirmed_at": _when(row["confirmed_at"]),
                }
                for row in memberships
            ],
            "links_created": [
                {
                    "kind": row["kind"],
                    "created_at": _when(row["created_at"]),
                    "expires_at": _when(row["expires_at"]),
                    "used_at": _when(row["used_at"]),
                }
                for row in links
            ],
            "stored_updates": await self._inbox.kept_about(user_id),
        }

    async def forget(self, user_id: int, now: datetime) -> None:
        """Who she is, where she belongs, links made for her, schedule rows about her, what
        she sent the bot (also the update that asked for this, still being handled) and what
        the bot sent her. Run last, after every feature erased its own rows."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM deep_links WHERE created_by = ? OR for_user = ?", (user_id, user_id)
            )
            await tx.execute("DELETE FROM memberships WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM residents WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM schedule WHERE "
                             + self._db.sql.json_names_number("schedule.payload", "user_id"), (user_id,))
            await tx.execute(_SCRUB_HANDLED_UPDATES)
        await self.forget_sent(user_id)
        await self._inbox.forget(user_id)

    async def forget_sent(self, user_id: int) -> None:
        """What the bot said to her privately goes from the outbox, and what it said to others
        (where her name may stand) keeps only its key once it went out. Run again once the
        last messages of her erasure went out."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM outbox WHERE chat_id = ? AND state != 'pending'",
                             (user_id,))
            await tx.execute(_SCRUB_SETTLED_SENDS)
            # Telegram's windows for her private chat (PostgreSQL counts them in the database):
            # a few seconds of pacing are not worth her id left behind.
            await tx.execute("DELETE FROM send_slots WHERE scope = ?", (str(user_id),))
            await tx.execute("DELETE FROM send_pauses WHERE scope = ?", (str(user_id),))

    async def last_send(self) -> int:
        """The newest outbox row now (to wait for what was said up to this moment)."""
        return int(await self._db.fetch_value("SELECT COALESCE(MAX(id), 0) FROM outbox"))

    async def sending(self, up_to: int) -> bool:
        """Is any outbox row up to `up_to` still waiting to go out?"""
        return await self._db.fetch_value(
            "SELECT 1 FROM outbox WHERE state = 'pending' AND id <= ? LIMIT 1", (up_to,)
        ) is not None

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty it: with `secure_delete`
        on, erased words are then gone from both files, not only from the tables. PostgreSQL
        has no such step: its autovacuum reclaims the erased rows' space."""
        if self._db.sql.checkpoint is not None:
            await self._db.fetch_all(self._db.sql.checkpoint)

    async def expire(self, before: datetime) -> int:
        cutoff = to_db(before)
        async with self._db.transaction() as tx:
            erased = await tx.execute(
                "DELETE FROM memberships WHERE status = 'left' AND updated_at < ?", (cutoff,)
            )
            erased += await tx.execute(
                "DELETE FROM residents WHERE last_seen_at < ? AND NOT EXISTS ("
                " SELECT 1 FROM memberships m WHERE m.user_id = residents.user_id"
                " AND m.status != 'left')",
                (cutoff,),
            )
            erased += await tx.execute(
                "DELETE FROM deep_links WHERE (single_use = 1 AND used_at IS NOT NULL AND used_at < ?)"
                " OR (expires_at IS NOT NULL AND expires_at < ?)",
                (cutoff, cutoff),
            )
            erased += await tx.execute(_SCRUB_HANDLED_UPDATES)
            erased += await tx.execute(_SCRUB_SETTLED_SENDS)
        return erased


def _profile(row: Row) -> dict[str, Any]:
    return {
        "user_id": row["user_id"],
        "first_name": row["first_name"],
        "telegram_language": row["telegram_language"],
        "chosen_language": row["language"],
        "started_private_chat_at": _when(row["started_at"]),
        "first_seen_at": _when(row["created_at"]),
        "last_seen_at": _when(row["last_seen_at"]),
    }


def _report(row: Row) -> Report:
    return Report(
        id=row["id"],
        building_id=row["building_id"],
        kind=row["kind"],
        item_id=row["item_id"],
        state=ReportState(row["state"]),
        created_at=from_db(row["created_at"]),
        closed_at=from_db(row["closed_at"]),
    )


class ReportStore:
    """Reported cards. One open report per card: a second "Meld" does not alert the admins again."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(self, building_id: int, kind: str, item_id: int, now: datetime) -> tuple[Report, bool]:
        """The open report for this card, and whether it was opened just now."""
        created = await self._db.execute(
            "INSERT INTO reports (building_id, kind, item_id, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (building_id, kind, item_id) WHERE state = 'open' DO NOTHING",
            (building_id, kind, item_id, to_db(now)),
        )
        row = await self._db.fetch_one(
            "SELECT * FROM reports WHERE building_id = ? AND kind = ? AND item_id = ?"
            " AND state = 'open'",
            (building_id, kind, item_id),
        )
        assert row is not None
        return _report(row), created > 0

    async def get(self, report_id: int) -> Report | None:
        row = await self._db.fetch_one("SELECT * FROM reports WHERE id = ?", (report_id,))
        return None if row is None else _report(row)

    async def close(self, report_id: int, state: ReportState, now: datetime) -> bool:
        """Hide or keep: only the first admin's decision counts."""
        changed = await self._db.execute(
            "UPDATE reports SET state = ?, closed_at = ? WHERE id = ? AND state = 'open'",
            (state.value, to_db(now), report_id),
        )
        return changed > 0

    async def expire(self, before: datetime) -> int:
        return await self._db.execute(
            "DELETE FROM reports WHERE COALESCE(closed_at, created_at) < ?", (to_db(before),)
        )


def _erasure(row: Row) -> GroupErasure:
    requested_at = from_db(row["requested_at"])
    assert requested_at is not None
    return GroupErasure(
        building_id=row["building_id"],
        message_id=row["message_id"],
        step=row["step"],
        requested_at=requested_at,
    )


class GroupErasureStore:
    """A group erasure waiting for its confirmations, and the erasure itself."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def begin(self, building_id: int, message_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO group_erasures (building_id, message_id, step, requested_at)"
            " VALUES (?, ?, 1, ?) ON CONFLICT (building_id) DO UPDATE SET"
            " message_id = excluded.message_id, step = 1, requested_at = excluded.requested_at",
            (building_id, message_id, to_db(now)),
        )

    async def get(self, building_id: int) -> GroupErasure | None:
        row = await self._db.fetch_one(
            "SELECT * FROM group_erasures WHERE building_id = ?", (building_id,)
        )
        return None if row is None else _erasure(row)

    async def advance(self, building_id: int, message_id: int) -> bool:
        """First confirmation given; False when someone else was first or it was called off."""
        changed = await self._db.execute(
            "UPDATE group_erasures SET step = 2 WHERE building_id = ? AND message_id = ? AND step = 1",
            (building_id, message_id),
        )
        return changed > 0

    async def call_off(self, building_id: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM group_erasures WHERE building_id = ?", (building_id,)
        )
        return changed > 0

    async def erase_building(self, building_id: int, message_id: int) -> bool:
        """Delete the building row; every feature's rows go with it (ON DELETE CASCADE).

        Only when the second confirmation is still pending on that message, so two admins
        pressing at once erase once."""
        async with self._db.transaction() as tx:
            pending = await tx.fetch_value(
                "SELECT 1 FROM group_erasures WHERE building_id = ? AND message_id = ? AND step = 2",
                (building_id, message_id),
            )
            if pending is None:
                return False
            await tx.execute("DELETE FROM buildings WHERE chat_id = ?", (building_id,))
        return True

    async def expire(self, before: datetime) -> int:
        return await self._db.execute(
            "DELETE FROM group_erasures WHERE requested_at < ?", (to_db(before),)
        )


class RetentionStore:
    """What the nightly clean-up needs beyond each feature's own `expire`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def erase_removed_groups(self, removed_before: datetime) -> list[int]:
        """Groups whose bot was removed before the cutoff and not added back: erased entirely."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT chat_id FROM buildings WHERE active = 0 AND removed_at IS NOT NULL"
                " AND removed_at < ?",
                (to_db(removed_before),),
            )
            erased = [int(row[0]) for row in rows]
            for chat_id in erased:
                await tx.execute("DELETE FROM buildings WHERE chat_id = ?", (chat_id,))
        return erased

    async def secret(self, name: str, now: datetime) -> str:
        """A random value made once per database (e.g. the key for pseudonyms in logs)."""
        await self._db.execute(
            "INSERT INTO privacy_secrets (name, value, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO NOTHING",
            (name, secrets.token_hex(32), to_db(now)),  # pragma: no mutate (32 bytes is the default)
        )
        value = await self._db.fetch_value(
            "SELECT value FROM privacy_secrets WHERE name = ?", (name,)
        )
        return str(value)
