"""Telegram's limits shared by every process that sends for the bot, through the database.

On PostgreSQL several processes send at once, so windows in one process's memory would let them
together exceed what Telegram allows. Here each send takes its places in the database
(storage/send_slots.py) just before it leaves, in one call, and reports its answer after: the
windows are those of bot/ratelimit.py (a message counts from its leaving until a period after
its answer), only counted across all processes. A 429 pauses every process.

Inside one process the senders still queue first come, first served, overall and per chat, so
that only the first in line asks the database: thousands of waiting chats do not all ask again
each time a place frees up. A chat whose own window is full waits outside the overall queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from storage.send_slots import OVERALL, PAUSE, Scope, SendSlotStore

IN_FLIGHT_POLL = 0.01
"""How long to wait when a full window's oldest place is held by a request still under way."""
FLIGHT_SECONDS = 30.0
"""The longest a request can be under way (past the HTTP timeouts): a place taken by a process
that died before the answer came counts this long, plus its period."""


class SharedWindows:
    def __init__(self, store: SendSlotStore, *, overall: Scope, group_limit: int,
                 group_period: float, private_burst: int, private_rate: float,
                 flight: float = FLIGHT_SECONDS) -> None:
        self._store = store
        self._overall = overall
        self._group_limit = group_limit
        self._group_period = group_period
        self._private_burst = private_burst
        self._private_rate = private_rate
        self._flight = flight
        self._gate = asyncio.Lock()
        self._chat_locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self.paused_until = 0.0
        """When the last pause seen in the database ends, on this process's event loop clock
        (for the calls that spend no budget but still wait out a pause)."""

    def scopes(self, chat: int | str, counts_in_chat: bool) -> list[Scope]:
        """The windows a message into `chat` counts in: overall, and (`counts_in_chat`) its
        chat's, a group's strict minute or a private chat's short burst."""
        is_private = isinstance(chat, int) and chat > 0
        if not counts_in_chat or (is_private and not self._private_rate):
            return [self._overall]
        if is_private:
            burst = self._private_burst
            return [self._overall,
                    Scope(str(chat), burst, burst / self._private_rate, held=False)]
        return [self._overall, Scope(str(chat), self._group_limit, self._group_period)]

    async def take(self, scopes: list[Scope]) -> tuple[int, ...]:
        """Wait for room in every one of `scopes` and take it; the slots taken."""
        async with self._chat_turn(scopes[1].name if len(scopes) > 1 else None):
            while True:
                async with self._gate:
                    while True:
                        taken = await self._store.take(scopes, self._flight)
                        if taken.slots:
                            return taken.slots
                        wait = taken.wait if taken.wait > 0 else IN_FLIGHT_POLL
                        if taken.blocked == PAUSE:
                            self.paused_until = asyncio.get_running_loop().time() + wait
                        if taken.blocked not in (OVERALL, PAUSE):
                            break
                        await asyncio.sleep(wait)
                await asyncio.sleep(wait)  # the chat's window is full: others go first

    async def answered(self, slots: tuple[int, ...]) -> None:
        await self._store.answered(slots)

    async def pause(self, seconds: float) -> None:
        await self._store.pause(seconds)

    @contextlib.asynccontextmanager
    async def _chat_turn(self, name: str | None) -> AsyncIterator[None]:
        """One chat's senders in this process, one at a time, first come first served."""
        if name is None:
            yield
            return
        lock, users = self._chat_locks.get(name, (asyncio.Lock(), 0))
        self._chat_locks[name] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chat_locks[name]
            if users == 1:
                del self._chat_locks[name]
            else:
                self._chat_locks[name] = (lock, users - 1)
