"""Several webhook workers on one PostgreSQL: each update handled once, each chat's in order.

Any worker may receive any update (a load balancer picks), and stores it in the inbox (its
unique update id makes a second delivery a no-op) with its chat. Then it tries to take the
chat's turn (storage/chat_turns.py): with it, the worker handles the chat's waiting updates in
update-id order until none is left, gives the turn back, and looks once more (an update stored
meanwhile by a worker that found the turn taken). Without it, it does nothing more: the holder
finds the update on its next look. A sweep takes the chats whose updates wait while nobody holds
their turn, as when their holder died (its session ended and PostgreSQL freed the turn), and at
start it takes over whatever was stored before.

Each update still runs in one unit of work with its handled mark, and that mark is only set on
an update not handled yet: a worker that lost its turn in between rolls back instead of doing
the work twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.clock import Clock
from bot.durable import chat_key
from storage.chat_turns import ChatTurns, Kind
from storage.inbox import UpdateInbox

log = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0
"""How often a worker looks for chats whose updates wait with nobody holding their turn; also
about how long a chat waits after its worker died."""
BATCH = 50
MAX_RUNNING = 64
"""Chats handled at once by one worker (as for polling), and so turns held at once."""

Read = Callable[[dict[str, Any]], Update | None]
Handle = Callable[[Update], Awaitable[None]]


class SharedInbox:
    def __init__(self, inbox: UpdateInbox, turns: ChatTurns, clock: Clock, read: Read,
                 handle: Handle) -> None:
        """`read`: an update as PTB reads it (None: unreadable); `handle`: its unit of work."""
        self._inbox = inbox
        self._turns = turns
        self._clock = clock
        self._read = read
        self._handle = handle
        self._running = asyncio.Semaphore(MAX_RUNNING)
        self._chats: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Take over what waits now, then sweep until stopped."""
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="inbox sweep")

    async def stop(self) -> None:
        """Handle no more; updates under way finish (their chats' turns are given back)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        if self._stopping:
            return
        self._stopping = True
        self._again.clear()
        await asyncio.gather(*self._chats.values(), return_exceptions=True)

    async def received(self, update: Update) -> None:
        """The webhook stored `update`: its chat's turn decides who handles it."""
        self.arrived(chat_key(update))

    def arrived(self, chat_id: int) -> None:
        """An update of `chat_id` was stored: handle it here if this worker gets the turn."""
        if self._stopping:
            return
        if chat_id in self._chats:
            self._again.add(chat_id)  # its task looks once more before it ends
            return
        self._chats[chat_id] = asyncio.create_task(self._take_turns(chat_id),
                                                   name=f"inbox:{chat_id}")

    def busy(self) -> bool:
        """Is any chat's turn being taken or handled here?"""
        return bool(self._chats)

    async def _take_turns(self, chat_id: int) -> None:
        after = 0
        try:
            while not self._stopping:
                self._again.discard(chat_id)
                async with self._running:  # a place first: a waiting chat holds no turn
                    if not await self._turns.take(Kind.INBOX, chat_id):
                        return  # the holder finds what was stored
                    try:
                        after = await self._handle_waiting(chat_id, after)
                    finally:
                        await self._turns.give_back(Kind.INBOX, chat_id)
                if chat_id not in self._again and not await self._inbox.waiting_in(
                        chat_id, after, 1):
                    return
        except Exception:
            log.exception("handling the stored updates of a chat failed; the sweep tries again")
        finally:
            del self._chats[chat_id]

    async def _handle_waiting(self, chat_id: int, after: int) -> int:
        """Handle the chat's waiting updates above `after` in id order; returns the last id
        tried. One that fails stays unhandled (the sweep tries it again) and the next go on."""
        while not self._stopping:
            batch = await self._inbox.waiting_in(chat_id, after, BATCH)
            if not batch:
                break
            for update_id, payload in batch:
                if self._stopping:
                    break
                after = update_id
                update = self._read(payload)
                if update is None:
                    await self._inbox.mark_handled(update_id, self._clock.now())
                    continue
                try:
                    await self._handle(update)
                except Exception:
                    log.exception("update %s failed; the sweep tries it again", update_id)
        return after

    async def _sweep_forever(self) -> None:
        while True:
            try:
                waiting = [chat_id for chat_id in await self._inbox.chats_waiting()
                           if chat_id not in self._chats]
                for chat_id in await self._turns.free(Kind.INBOX, waiting):
                    self.arrived(chat_id)
            except Exception:
                log.exception("looking for waiting updates failed")
            await asyncio.sleep(SWEEP_SECONDS)
