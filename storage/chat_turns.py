"""Turns that workers on one PostgreSQL take by chat: one worker at a time handles a chat's
updates, or sends a chat's outbox.

A turn is a PostgreSQL advisory lock held by the worker's own session (a connection of its own,
beside the pool): PostgreSQL gives it back the moment that session ends, so a worker that is
killed holds nothing. Taking a turn never waits (`pg_try_advisory_lock`): a worker that finds it
taken leaves the work to the holder. Session locks count: the same session may take a turn
twice, so the caller keeps one task per chat and kind.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from enum import IntEnum
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

_CHAT_BITS = 56
_CHAT_MASK = (1 << _CHAT_BITS) - 1


class Kind(IntEnum):
    """What a turn is for; each kind is its own range of lock keys (the migration lock's key,
    below 2^56, is in none of them)."""

    INBOX = 1
    OUTBOX = 2
    WORKER = 3
    """Held by each worker for itself, as long as it lives (the "chat" is its id)."""


def turn_key(kind: Kind, chat_id: int) -> int:
    """One 64-bit lock key per kind and chat. Telegram's chat ids fit 53 bits, signed."""
    return (int(kind) << _CHAT_BITS) | (chat_id & _CHAT_MASK)


class ChatTurns:
    """The turns one worker holds, on its own connection (one statement at a time on it)."""

    def __init__(self, url: str, connection: asyncpg.Connection[Any]) -> None:
        self._url = url
        self._connection = connection
        self._lock = asyncio.Lock()
        self.worker_id = secrets.randbits(52)
        """This worker's name in the rows it claims; alive while its WORKER turn is held."""

    @classmethod
    async def open(cls, url: str) -> ChatTurns:
        turns = cls(url, await asyncpg.connect(url))
        await turns.take(Kind.WORKER, turns.worker_id)
        return turns

    async def gone(self, worker_ids: list[int]) -> list[int]:
        """Those of `worker_ids` whose worker no longer lives."""
        return await self.free(Kind.WORKER, worker_ids)

    async def close(self) -> None:
        await self._connection.close()

    async def take(self, kind: Kind, chat_id: int) -> bool:
        """The chat's turn for this worker, if nobody holds it; False at once otherwise."""
        async with self._lock:
            if self._connection.is_closed():
                # The session ended (the server restarted): every turn it held is free again.
                log.warning("the connection holding chat turns was lost; opening another")
                self._connection = await asyncpg.connect(self._url)
                await self._connection.fetchval(
                    "SELECT pg_try_advisory_lock($1)", turn_key(Kind.WORKER, self.worker_id))
            return bool(await self._connection.fetchval(
                "SELECT pg_try_advisory_lock($1)", turn_key(kind, chat_id)))

    async def free(self, kind: Kind, chat_ids: list[int]) -> list[int]:
        """Those of `chat_ids` whose turn nobody holds (a worker that died holds none), so a
        sweep tries only those."""
        if not chat_ids:
            return []
        keys = {turn_key(kind, chat_id): chat_id for chat_id in chat_ids}
        async with self._lock:
            if self._connection.is_closed():
                return chat_ids
            rows = await self._connection.fetch(
                "SELECT key FROM unnest($1::bigint[]) AS key WHERE key NOT IN ("
                " SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks"
                " WHERE locktype = 'advisory' AND objsubid = 1 AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
                list(keys))
        return [keys[row[0]] for row in rows]

    async def give_back(self, kind: Kind, chat_id: int) -> None:
        async with self._lock:
            if not self._connection.is_closed():
                await self._connection.execute(
                    "SELECT pg_advisory_unlock($1)", turn_key(kind, chat_id))
