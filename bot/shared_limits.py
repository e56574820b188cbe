"""Telegram's limits shared by every process that sends for the bot, through the database.

On PostgreSQL several processes send at once, so windows in one process's memory would let them
together exceed what Telegram allows. Here each send takes its places in the database
(storage/send_slots.py) before it leaves, in one call, and reports its answer after: the windows
are those of bot/ratelimit.py (a message counts from its leaving until a period after its
answer), only counted across all processes. A 429 pauses every process.

A place may be taken up to one overall period ahead: while the window is full, the next send
already holds the place that frees first, and leaves the moment it does, instead of asking the
database again only then. "The moment" is on the database server's clock, which this process
follows from the round trips of its calls (`ServerClock`): the places count from no later than
the request left until no earlier than a period after its answer, however slow a round trip.

Inside one process the senders still queue first come, first served, overall and per chat, so
that only the first few in line ask the database: thousands of waiting chats do not all ask
again each time a place frees up. A chat whose own window is full waits outside the overall queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator

from storage.send_slots import OVERALL, PAUSE, Answer, Scope, SendSlotStore, Taken

log = logging.getLogger(__name__)

IN_FLIGHT_POLL = 0.002
"""How long to wait when a full window's oldest place is held by a request still under way."""
FLIGHT_SECONDS = 30.0
"""The longest a request can be under way (past the HTTP timeouts): a place taken by a process
that died before the answer came counts this long, plus its period."""
TAKERS = 4
"""How many of this process's senders may ask the database at once: enough that a slow round
trip does not hold the rest up, few enough that a full window is not asked about by all."""
ANSWER_DELAY = 0.001
"""How long an answer waits for the next call to carry it before it is recorded on its own.
Until then other processes count its places as under way, and may have to ask again."""
CLOCK_MEMORY_SECONDS = 10.0
"""How long a round trip's bounds on the server's clock are trusted: over seconds the two
clocks keep pace well within the windows' margins; over hours they might not."""
CLOCK_MEMORY_CALLS = 64
"""And of how many recent calls at most (each send looks at them all)."""


class ServerClock:
    """The database server's clock as seen from this process's event loop clock.

    A call's `moment` was read on the server between the call leaving and its answer coming
    back, so the server's clock ran ahead of ours by at least `moment - answered` and at most
    `moment - asked`. The tightest bounds of the recent calls hold: the fastest round trip
    decides, not the last one.
    """

    def __init__(self) -> None:
        self._bounds: deque[tuple[float, float, float]] = deque(maxlen=CLOCK_MEMORY_CALLS)

    def observe(self, asked: float, moment: float, answered: float) -> None:
        self._bounds.append((answered, moment - answered, moment - asked))
        while self._bounds[0][0] < answered - CLOCK_MEMORY_SECONDS:
            self._bounds.popleft()

    def local(self, at: float) -> float:
        """By this moment of ours, the server's clock has passed `at` for sure."""
        return at - max(low for _, low, _ in self._bounds)

    def server(self, local: float) -> float:
        """When ours shows `local`, the server's shows this at most."""
        return local + min(high for _, _, high in self._bounds)


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
        self._clock = ServerClock()
        self._answers: list[Answer] = []
        self._flusher: asyncio.Task[None] | None = None
        self._gate = asyncio.Semaphore(TAKERS)
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
        """Wait for room in every one of `scopes`, take it, and wait for its start: the slots
        taken."""
        slots, start = await self._queued_take(scopes)
        await asyncio.sleep(start - asyncio.get_running_loop().time())
        return slots

    async def _queued_take(self, scopes: list[Scope]) -> tuple[tuple[int, ...], float]:
        """The slots and when (our clock) they start."""
        loop = asyncio.get_running_loop()
        async with self._chat_turn(scopes[1].name if len(scopes) > 1 else None):
            while True:
                async with self._gate:
                    while True:
                        asked = loop.time()
                        taken = await self._take(scopes)
                        self._clock.observe(asked, taken.moment, loop.time())
                        start = self._clock.local(taken.at)
                        if taken.slots:
                            return taken.slots, start
                        wait = max(start - loop.time(), IN_FLIGHT_POLL)
                        if taken.blocked == PAUSE:
                            self.paused_until = start
                        if taken.blocked not in (OVERALL, PAUSE):
                            break
                        await asyncio.sleep(wait)
                await asyncio.sleep(wait)  # the chat's window is full: others go first

    async def _take(self, scopes: list[Scope]) -> Taken:
        """One call: the answers heard since the last call, and a place in `scopes`."""
        answers, self._answers = self._answers, []
        try:
            return await self._store.take(scopes, flight=self._flight,
                                          ahead=self._overall.period, answers=answers)
        except BaseException:
            self._answers[:0] = answers
            raise

    def answered(self, slots: tuple[int, ...]) -> None:
        """Telegram answered the send that took `slots`: told with the next call, or on its
        own if none comes within ANSWER_DELAY."""
        at = self._clock.server(asyncio.get_running_loop().time())
        self._answers.extend(Answer(slot, at) for slot in slots)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon(), name="send-slot answers")

    async def _flush_soon(self) -> None:
        await asyncio.sleep(ANSWER_DELAY)
        await self.flush()

    async def flush(self) -> None:
        """Record the answers not told yet. (Lost, they only make later sends wait longer.)"""
        answers, self._answers = self._answers, []
        try:
            await self._store.answered(answers)
        except Exception:
            log.exception("answers to sends were not recorded in the shared windows")

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()

    async def pause(self, seconds: float) -> None:
        """Every process waits `seconds` before its next send. (Not stored, only this process
        waits: the next 429 elsewhere pauses the others.)"""
        try:
            await self._store.pause(seconds)
        except Exception:
            log.exception("a 429's pause was not recorded in the shared windows")

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
