"""Telegram's rate windows kept in PostgreSQL, so that every process sending for one bot shares
them (migration 0016: the tables and `take_send_slots`).

A send takes its slots in one call (one round trip, one short transaction under one advisory
lock), possibly to start a little later; when its answer came goes with the next call (or on its
own when no call follows soon); nothing is locked while the request travels. Every moment is on
the database server's clock, so processes on machines whose clocks differ still agree on every
window. PostgreSQL only: one process on SQLite keeps its windows in memory (bot/ratelimit.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from storage.db import Database

T = TypeVar("T")

OVERALL = "all"
"""The scope every message counts in; a chat's scope is its id as text."""
PAUSE = "pause"
"""What blocks a send while Telegram's 429 pause lasts."""
_NOW = "extract(epoch FROM clock_timestamp())"


@dataclass(frozen=True)
class Scope:
    """At most `limit` messages in any `period` seconds. `held`: a message counts from its
    leaving until a period after its answer (Telegram counts it somewhere in between); else
    for a period from its leaving (a private chat's looser limit)."""

    name: str
    limit: int
    period: float
    held: bool = True


@dataclass(frozen=True)
class Answer:
    """Telegram answered the send that took `slot` at `at` (the server's clock) or before."""

    slot: int
    at: float


@dataclass(frozen=True)
class Taken:
    """Slots taken (`slots`: the message may leave at `at`), or none: then `blocked` (a scope's
    name, or PAUSE) could have room at `at` at the earliest. `moment`: when the call ran. All
    three on the database server's clock."""

    slots: tuple[int, ...]
    at: float
    blocked: str | None
    moment: float


class SendSlotStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _alone(self, work: Awaitable[T]) -> T:
        """Outside any unit of work: a slot must be committed (and the lock let go) at once,
        whatever transaction the sending task happens to be in."""
        if not self._db.in_unit_of_work:
            return await work
        return await asyncio.create_task(_awaited(work))

    async def take(self, scopes: Sequence[Scope], *, flight: float, ahead: float,
                   answers: Sequence[Answer] = ()) -> Taken:
        """A slot in every one of `scopes`, starting at most `ahead` seconds from now, or in
        none; `answers` recorded first (see `answered`). `flight`: the longest a request may be
        under way; a slot whose answer never comes back (its process died) counts that long."""
        row = await self._alone(self._db.fetch_one(
            "SELECT slots, at, blocked, moment FROM take_send_slots(?::TEXT[], ?::BIGINT[],"
            " ?::DOUBLE PRECISION[], ?::BOOLEAN[], ?, ?, ?::BIGINT[], ?::DOUBLE PRECISION[])",
            ([scope.name for scope in scopes], [scope.limit for scope in scopes],
             [scope.period for scope in scopes], [scope.held for scope in scopes], flight,
             ahead, [answer.slot for answer in answers], [answer.at for answer in answers]),
        ))
        assert row is not None
        return Taken(tuple(row["slots"] or ()), float(row["at"]), row["blocked"],
                     float(row["moment"]))

    async def answered(self, answers: Sequence[Answer]) -> None:
        """Telegram answered the sends whose slots these are: each slot counts until a period
        after its answer."""
        if answers:
            await self._alone(self._db.execute(
                "UPDATE send_slots SET counts_until = a.at + send_slots.held_for, held_for = NULL"
                " FROM unnest(?::BIGINT[], ?::DOUBLE PRECISION[]) AS a(id, at)"
                " WHERE send_slots.id = a.id AND send_slots.held_for IS NOT NULL",
                ([answer.slot for answer in answers], [answer.at for answer in answers]),
            ))

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: no process sends for `seconds` from now."""
        await self._alone(self._db.execute(
            f"INSERT INTO send_pauses (scope, paused_until) VALUES (?, {_NOW} + ?)"
            " ON CONFLICT (scope) DO UPDATE SET paused_until ="
            " GREATEST(send_pauses.paused_until, excluded.paused_until)",
            (OVERALL, seconds),
        ))

    async def counted(self, scope: str) -> int:
        """How many slots of `scope` count now."""
        return int(await self._alone(self._db.fetch_value(
            f"SELECT COUNT(*) FROM send_slots WHERE scope = ? AND counts_until > {_NOW}",
            (scope,),
        )))


async def _awaited(work: Awaitable[T]) -> T:
    return await work
