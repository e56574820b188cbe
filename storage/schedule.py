"""Stored schedule rows. Claiming a row is one conditional UPDATE, so two polls never run it at
the same time; a claimed row is finished in the unit of work that does its job."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, time
from typing import Any

from bot.domain.quiet_hours import QuietHours
from bot.domain.schedule import ItemState, ScheduledItem
from storage.db import Database, Row, Transaction, from_db, to_db


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _item(row: Row) -> ScheduledItem:
    return ScheduledItem(
        id=row["id"],
        kind=row["kind"],
        ref=row["ref"],
        building_id=row["building_id"],
        due_at=from_db(row["due_at"]),
        stale_after=from_db(row["stale_after"]),
        payload=json.loads(row["payload"]),
        state=ItemState(row["state"]),
        attempts=row["attempts"],
    )


class ScheduleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def unit_of_work(self) -> AbstractAsyncContextManager[None]:
        """A job and its row's "done" mark commit together (see `Database.unit_of_work`)."""
        return self._db.unit_of_work()

    def before_commit(self, hook: Callable[[], Awaitable[None]]) -> bool:
        """See `Database.before_commit`."""
        return self._db.before_commit(hook)

    def savepoint(self) -> AbstractAsyncContextManager[Transaction]:
        """All or nothing of a block, inside the caller's unit of work."""
        return self._db.transaction()

    async def add(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        now: datetime,
        *,
        building_id: int | None = None,
        stale_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
        replace: bool = False,
        revive: bool = False,
    ) -> bool:
        """Store a due item once per (kind, ref). With `replace`, a pending one is moved; with
        `revive`, a cancelled one (which never ran) is scheduled again. A row that ran stays."""
        states = [state for state, wanted in (("pending", replace), ("cancelled", revive)) if wanted]
        conflict = (
            " ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at,"
            " stale_after = excluded.stale_after, payload = excluded.payload,"
            " building_id = excluded.building_id, state = 'pending', attempts = 0,"
            " finished_at = NULL WHERE schedule.state IN ("
            + ", ".join(f"'{state}'" for state in states) + ")"
            if states
            else " ON CONFLICT (kind, ref) DO NOTHING"
        )
        changed = await self._db.execute(
            "INSERT INTO schedule (kind, ref, building_id, due_at, stale_after, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)" + conflict,
            (kind, ref, building_id, to_db(due_at), to_db(stale_after),
             json.dumps(payload or {}), to_db(now)),
        )
        return changed > 0

    async def cancel(self, kind: str, ref_prefix: str, now: datetime) -> int:
        """Cancel pending items of a kind whose ref starts with `ref_prefix`."""
        return await self._db.execute(
            "UPDATE schedule SET state = 'cancelled', finished_at = ?"
            " WHERE kind = ? AND state = 'pending' AND ref LIKE ? ESCAPE '\\'",
            (to_db(now), kind, _like_prefix(ref_prefix)),
        )

    async def cancel_for_building(self, kind: str, building_id: int, now: datetime) -> int:
        """Cancel a building's pending items of a kind (refs may still name an old chat id)."""
        return await self._db.execute(
            "UPDATE schedule SET state = 'cancelled', finished_at = ?"
            " WHERE kind = ? AND state = 'pending' AND building_id = ?",
            (to_db(now), kind, building_id),
        )

    async def reschedule(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        now: datetime,
        *,
        building_id: int | None = None,
        cancel_prefix: str | None = None,
        stale_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """In one transaction: cancel the other pending items of `kind` for `building_id` or
        under `cancel_prefix`, and make (kind, ref) pending at `due_at`. False when that
        occurrence already ran."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE schedule SET state = 'cancelled', finished_at = ?"
                " WHERE kind = ? AND state = 'pending' AND ref != ? AND ("
                " (CAST(? AS BIGINT) IS NOT NULL AND building_id = ?)"
                " OR (CAST(? AS TEXT) IS NOT NULL AND ref LIKE ? ESCAPE '\\'))",
                (to_db(now), kind, ref, building_id, building_id, cancel_prefix,
                 _like_prefix(cancel_prefix or "")),
            )
            changed = await tx.execute(
                "INSERT INTO schedule (kind, ref, building_id, due_at, stale_after, payload,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at,"
                " stale_after = excluded.stale_after, payload = excluded.payload,"
                " building_id = excluded.building_id, state = 'pending', attempts = 0,"
                " finished_at = NULL WHERE schedule.state IN ('pending', 'cancelled')",
                (kind, ref, building_id, to_db(due_at), to_db(stale_after),
                 json.dumps(payload or {}), to_db(now)),
            )
        return changed > 0

    async def get(self, kind: str, ref: str) -> ScheduledItem | None:
        row = await self._db.fetch_one(
            "SELECT * FROM schedule WHERE kind = ? AND ref = ?", (kind, ref)
        )
        return None if row is None else _item(row)

    async def pending(self, kind: str | None = None) -> list[ScheduledItem]:
        rows = await self._db.fetch_all(
            "SELECT * FROM schedule WHERE state = 'pending' AND (CAST(? AS TEXT) IS NULL OR kind = ?)"
            " ORDER BY due_at, id",
            (kind, kind),
        )
        return [_item(row) for row in rows]

    async def due(self, now: datetime, limit: int = 500) -> list[ScheduledItem]:
        rows = await self._db.fetch_all(
            "SELECT * FROM schedule WHERE state = 'pending' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_item(row) for row in rows]

    async def postpone(self, item_id: int, due_at: datetime) -> bool:
        """Move a pending item later without running it (it fell in quiet hours)."""
        changed = await self._db.execute(
            "UPDATE schedule SET due_at = ? WHERE id = ? AND state = 'pending'",
            (to_db(due_at), item_id),
        )
        return changed > 0

    async def quiet_hours_of(self, building_ids: set[int]) -> dict[int, QuietHours]:
        """Each building's quiet hours, for the items that must not run at night."""
        if not building_ids:
            return {}
        marks = ", ".join("?" for _ in building_ids)
        rows = await self._db.fetch_all(
            f"SELECT chat_id, quiet_start, quiet_end FROM buildings WHERE chat_id IN ({marks})",
            tuple(building_ids),
        )
        return {
            row["chat_id"]: QuietHours(
                start=time.fromisoformat(row["quiet_start"]), end=time.fromisoformat(row["quiet_end"])
            )
            for row in rows
        }

    async def claim(self, item_id: int, worker: int | None = None) -> bool:
        """Mark a pending row running, in the name of `worker` when several share the database.
        On PostgreSQL a row another worker is claiming at this moment is passed over at once
        (`SKIP LOCKED`) instead of waited for; SQLite has one writer at a time anyway."""
        skip = " FOR UPDATE SKIP LOCKED" if self._db.sql.postgresql else ""
        changed = await self._db.execute(
            "UPDATE schedule SET state = 'running', attempts = attempts + 1, claimed_by = ?"
            " WHERE id = (SELECT id FROM schedule WHERE id = ? AND state = 'pending'" + skip + ")",
            (worker, item_id),
        )
        return changed > 0

    async def running_claimants(self) -> list[int]:
        """The workers named by rows running now."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT claimed_by FROM schedule"
            " WHERE state = 'running' AND claimed_by IS NOT NULL"
        )
        return [int(row[0]) for row in rows]

    async def finish(self, item_id: int, state: ItemState, now: datetime) -> None:
        await self._db.execute(
            "UPDATE schedule SET state = ?, finished_at = ? WHERE id = ?",
            (state.value, to_db(now), item_id),
        )

    async def retry_later(self, item_id: int, due_at: datetime) -> None:
        await self._db.execute(
            "UPDATE schedule SET state = 'pending', due_at = ? WHERE id = ?",
            (to_db(due_at), item_id),
        )

    async def requeue_interrupted(self, now: datetime, max_attempts: int,
                                  gone: list[int] | None = None) -> tuple[int, int]:
        """Rows left 'running' by a crash never committed their job (a job and its "done" mark
        commit together): they run again, unless they were tried `max_attempts` times already
        (then they are skipped, so a job that takes the bot down cannot do so forever).
        `gone`: with several workers, only the rows of these workers (they died) and those no
        worker claimed; the others' rows are running now. Returns (run again, skipped)."""
        running = "state = 'running'"
        if gone is not None:
            marks = ", ".join("?" for _ in gone) or "NULL"
            running += f" AND (claimed_by IS NULL OR claimed_by IN ({marks}))"
        async with self._db.transaction() as tx:
            skipped = await tx.execute(
                "UPDATE schedule SET state = 'skipped', finished_at = ?"
                f" WHERE {running} AND attempts >= ?",
                (to_db(now), *(gone or ()), max_attempts),
            )
            again = await tx.execute(
                f"UPDATE schedule SET state = 'pending' WHERE {running}", tuple(gone or ())
            )
        return again, skipped
