"""Sends the outbox: in order within each chat, concurrently across chats, until Telegram took it.

One task per chat with pending rows, started when a commit leaves a row for that chat (never by
polling) and ended when the chat has nothing left, so a busy group waiting for its rate window
delays only its own rows. A row is marked sent in its own transaction right after Telegram
accepted it (with the card's message id, for a card post), so a restart sends what is pending and
nothing twice; only a send cut off by the stop itself may go out again.

What Telegram answers decides what happens to a row:
- accepted, or "message is not modified": sent;
- 429: tried again once the asked pause is over; 5xx, timeouts, network trouble: tried again with
  a growing pause, for as long as it takes;
- 400 or 403: settled for good (`settle_refusal`: a 403 marks the resident unreachable, and the
  row's `on_refused` is stored instead, keyed by the row so it is stored once);
- the group became a supergroup: the chat's waiting rows follow it;
- anything else (a row this bot cannot carry out): failed, logged, and the chat goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.metrics import RETRIES, RETRY_BY_DELIVERY
from bot.ratelimit import OmzienRateLimiter, retry_after_seconds
from handlers.kit.cards import Cards
from handlers.kit.delivery import (
    MarkUnreachable,
    OutboxDelivery,
    Skipped,
    not_modified,
    perform,
    settle_refusal,
)
from handlers.kit.send import Method, Outgoing
from storage.chat_turns import ChatTurns, Kind
from storage.db import Database
from storage.outbox import OutboxRow, OutboxStore

log = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 60.0
ERROR_PAUSE_SECONDS = 5.0
"""After something unexpected (the database, say), how long a chat waits before going on."""
SWEEP_SECONDS = 1.0
"""With other workers: how often chats whose turn nobody holds are looked for."""
MAX_HELD_CHATS = 512
"""With other workers: chats one worker sends at once, each holding its turn (an advisory
lock: PostgreSQL's lock table is shared and bounded, and a Sunday's fan-out to thousands of
groups waits for Telegram's limits anyway). The others wait for a place, holding nothing."""
STOP_GRACE_SECONDS = 5.0
"""At a stop, how long calls under way may take to finish before they are cut off."""
ERROR_LENGTH = 300
NEW_MESSAGES = frozenset({Method.SEND, Method.DOCUMENT, Method.PHOTO})


def backoff(attempts: int) -> float:
    """The pause before the next try of a row that failed `attempts` times before this one."""
    return float(min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** min(attempts, 10)))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


class DeliveryWorker:
    def __init__(self, bot: Bot, db: Database, clock: Clock, *,
                 send_timeout: float | None = None, turns: ChatTurns | None = None) -> None:
        """`turns`: with other workers on the database, each chat is sent by one of them at a
        time, the one holding its turn; a sweep takes chats nobody holds (their worker died)."""
        self._bot = bot
        self._db = db
        self._store = OutboxStore(db)
        self._clock = clock
        self._send_timeout = send_timeout
        self.delivery = OutboxDelivery(db, self._store, clock, self.wake, self.sending)
        """The backend for `Services.create`: stores rows and wakes this worker."""
        self._cards: Cards | None = None
        self._mark_unreachable: MarkUnreachable | None = None
        self._chats: dict[int, asyncio.Task[None]] = {}
        self._bells: dict[int, asyncio.Event] = {}
        self._running = False
        self._turns = turns
        self._held = asyncio.Semaphore(MAX_HELD_CHATS)
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def store(self) -> OutboxStore:
        return self._store

    def sending(self) -> bool:
        """Is any chat's outbox being sent (or waiting for its time)?"""
        return bool(self._chats)

    async def start(self, cards: Cards, mark_unreachable: MarkUnreachable) -> None:
        """Start sending, beginning with every row left pending by the last run."""
        self._cards, self._mark_unreachable = cards, mark_unreachable
        self._running = True
        if self._turns is not None:
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="outbox sweep")
            return
        for chat_id in await self._store.chats_with_pending():
            self.wake(chat_id)

    async def _sweep_forever(self) -> None:
        """Chats with rows waiting whose turn nobody holds: at start, and after a worker died
        (or a row was committed just as its chat's holder gave the turn back)."""
        assert self._turns is not None
        while self._running:
            try:
                waiting = [chat_id for chat_id in await self._store.chats_with_pending()
                           if chat_id not in self._chats]
                for chat_id in await self._turns.free(Kind.OUTBOX, waiting):
                    self.wake(chat_id)
            except Exception:
                log.exception("looking for chats with rows to send failed")
            await asyncio.sleep(SWEEP_SECONDS)

    def wake(self, chat_id: int) -> None:
        """A row for `chat_id` was committed: make sure its chat is being sent."""
        if not self._running:
            return
        bell = self._bells.get(chat_id)
        if bell is not None:
            bell.set()
            return
        bell = asyncio.Event()
        self._bells[chat_id] = bell
        self._chats[chat_id] = asyncio.create_task(self._run_chat(chat_id, bell),
                                                   name=f"outbox:{chat_id}")

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Take no new rows; let calls under way finish for up to `grace` seconds, then cut
        them off (their rows stay pending and go out at the next start). A send still waiting
        for its chat's rate window has not left: it is cut off at once."""
        self._running = False
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        for bell in self._bells.values():
            bell.set()
        tasks = list(self._chats.values())
        if not tasks:
            return
        limiter = self._bot.rate_limiter if isinstance(self._bot, ExtBot) else None
        if isinstance(limiter, OmzienRateLimiter):
            for task in tasks:
                if limiter.is_queued(task):
                    task.cancel()
        _, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        if late:
            log.warning("%d chat(s) still sending at the stop; their rows go out next start",
                        len(late))

    async def _run_chat(self, chat_id: int, bell: asyncio.Event) -> None:
        try:
            if self._turns is None:
                await self._send_chat(chat_id, bell)
                return
            while self._running:
                async with self._held:
                    if not self._running or not await self._turns.take(Kind.OUTBOX, chat_id):
                        return  # its holder sends the row too: it reads the chat's rows afresh
                    try:
                        await self._send_chat(chat_id, bell)
                    finally:
                        await self._turns.give_back(Kind.OUTBOX, chat_id)
                if not await self._store.pending_count(chat_id):
                    return  # else: a row committed by a worker that found the turn taken
        finally:
            if self._bells.get(chat_id) is bell:
                del self._bells[chat_id]
                del self._chats[chat_id]

    async def _send_chat(self, chat_id: int, bell: asyncio.Event) -> None:
        """The chat's rows in id order, until none is left (or the worker stops)."""
        while self._running:
            bell.clear()
            try:
                row, later = await self._store.next_for(chat_id, time.time())
                if row is None and later is None:
                    if bell.is_set():
                        continue
                    return
                due = later if row is None else row.not_before
                if row is None or (due is not None and due > time.time()):
                    await _sleep(bell, (due or 0.0) - time.time())
                    continue
                await self._send(row)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sending the outbox of a chat failed; trying again")
                await _sleep(bell, ERROR_PAUSE_SECONDS)

    async def _send(self, row: OutboxRow) -> None:
        assert self._cards is not None and self._mark_unreachable is not None
        try:
            item = Outgoing.model_validate_json(row.payload)
        except ValueError as error:
            log.error("outbox row %s cannot be read; dropped", row.id)
            await self._store.settle(row.id, "failed", _describe(error))
            return
        try:
            message_id = await perform(self._bot, item, self._cards, timeout=self._send_timeout)
        except Skipped:
            await self._store.settle(row.id, "skipped", "the card has no message")
        except ChatMigrated as error:
            moved = await self._store.move_chat(row.chat_id, error.new_chat_id)
            log.info("%d waiting row(s) follow their group to its supergroup", moved)
            self.wake(error.new_chat_id)
        except RetryAfter as error:
            await self._retry(row, retry_after_seconds(error), error)
        except (BadRequest, Forbidden) as error:
            await self._refused(row, item, error)
        except TelegramError as error:
            await self._retry(row, backoff(row.attempts), error)
        except Exception as error:
            # Not Telegram's answer but a row this bot cannot carry out (a card kind nobody
            # registered, say): trying again would hold the chat up forever.
            log.exception("outbox row %s cannot be sent; dropped", row.id)
            await self._store.settle(row.id, "failed", _describe(error))
        else:
            await self._sent(row, item, message_id)

    async def _sent(self, row: OutboxRow, item: Outgoing, message_id: int | None) -> None:
        async with self._db.unit_of_work():
            marked = await self._store.mark_sent(row.id, self._clock.now())
            if marked and item.card is not None and message_id is not None \
                    and item.method in NEW_MESSAGES:
                assert self._cards is not None
                try:
                    async with self._db.transaction():
                        await self._cards.record(item.card, message_id)
                except Exception:
                    log.exception("the message id of a posted %s card was not recorded",
                                  item.card.kind)

    async def _retry(self, row: OutboxRow, pause: float, error: TelegramError) -> None:
        log.warning("%s failed (%s); trying again in %.1f s", row.method,
                    type(error).__name__, pause)
        RETRIES.labels(by=RETRY_BY_DELIVERY).inc()
        await self._store.retry_later(row.id, time.time() + pause, _describe(error))

    async def _refused(self, row: OutboxRow, item: Outgoing, error: TelegramError) -> None:
        assert self._mark_unreachable is not None
        if not_modified(error):
            await self._sent(row, item, None)
            return
        async with self._db.unit_of_work():
            instead = await settle_refusal(item, error, self._mark_unreachable)
            await self._store.settle(row.id, "refused", _describe(error))
            if instead is not None:
                await self.delivery.deliver(instead.model_copy(update={"key": f"r{row.id}"}))


async def _sleep(bell: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less when the chat's bell rings."""
    if seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(bell.wait(), timeout=seconds)
