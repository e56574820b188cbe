"""Answers to button presses leave right after their update's transaction, not inside it.

A handler answers a press once it knows what the press did, which is usually after its first
write: from then on its unit of work holds the database, and every other chat's update waits
for it. Answering there would make every chat wait for a round trip to Telegram. So while an
update is handled its answers are held, and sent the moment its unit of work has ended
(committed, or rolled back: an answer given is given either way, as before). They are still
sent directly, never through the outbox, and well within Telegram's deadline for an answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from telegram.error import BadRequest, TelegramError

log = logging.getLogger(__name__)

Answer = Callable[[], Awaitable[object]]
_HELD: ContextVar[tuple[HeldAnswers, list[Answer]] | None] = ContextVar("held_answers",
                                                                          default=None)


class HeldAnswers:
    """The answers held by the updates being handled, and those under way once released;
    `waiting` counts both. Released answers are sent in their own tasks, so the next update of
    the same chat does not wait for a round trip either."""

    def __init__(self) -> None:
        self.waiting = 0
        self._under_way: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def around_update(self) -> AsyncIterator[None]:
        """Hold the answers given inside the block; send them when it ends."""
        held: list[Answer] = []
        token = _HELD.set((self, held))
        try:
            yield
        finally:
            _HELD.reset(token)
            for call in held:
                task = asyncio.create_task(self._send(call), name="press answer")
                self._under_way.add(task)
                task.add_done_callback(self._under_way.discard)

    async def _send(self, call: Answer) -> None:
        try:
            await send_answer(call)
        finally:
            self.waiting -= 1

    async def finish(self, timeout: float) -> None:
        """At a stop: let the answers under way arrive (bounded; an answer is not kept)."""
        if self._under_way:
            await asyncio.wait(list(self._under_way), timeout=timeout)


def hold(call: Answer) -> bool:
    """Keep `call` for the end of the update being handled; False when none is."""
    current = _HELD.get()
    if current is None:
        return False
    answers, held = current
    answers.waiting += 1
    held.append(call)
    return True


async def send_answer(call: Answer) -> None:
    """A press answered too late (or twice) is refused by Telegram; that changes nothing."""
    try:
        await call()
    except BadRequest as error:
        log.info("a press could not be answered: %s", error)
    except TelegramError as error:
        log.warning("a press could not be answered: %s", error)
