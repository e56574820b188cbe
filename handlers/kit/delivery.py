"""The two delivery backends, carrying out one `Outgoing`, and what a refusal means.

`OutboxDelivery` stores each item in the outbox (the bot's backend; `bot.delivery_worker` sends
the rows). `DirectDelivery` sends at once, for tools and tests without an outbox. Both carry an
item out with `perform`. Telegram's refusals for good are settled here once: "message is
not modified" counts as done, a 403 on a private message marks the resident unreachable, and
`on_refused` goes out instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, ReplyParameters
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import Clock
from handlers.kit.cards import Cards
from handlers.kit.send import Method, Outgoing
from storage.db import Database
from storage.outbox import OutboxStore

log = logging.getLogger(__name__)

MarkUnreachable = Callable[[int], Awaitable[None]]
CARD_SETTLE_SECONDS = 1.0
"""A card edit waits this long, so a burst of presses on one card becomes one edit."""
CARD_INTERVAL_SECONDS = 2.5
"""Two edits of one card are at least this far apart, however long a burst of presses lasts
(a group takes about 20 messages and edits a minute)."""
REMEMBERED_EDITS = 1000


class Skipped(Exception):
    """Nothing to do: the card this row refers to has no message (yet, or any more)."""


def _keyboard(item: Outgoing) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup.de_json(item.keyboard, None) if item.keyboard else None


def not_modified(error: TelegramError) -> bool:
    return isinstance(error, BadRequest) and "not modified" in str(error).lower()


async def perform(bot: Bot, item: Outgoing, cards: Cards, *,
                  timeout: float | None = None) -> int | None:
    """Make the call; the message id of a new message, else None. Raises TelegramError.
    `timeout`: how long to wait for Telegram's answer (else the bot's default)."""
    message_id = item.message_id
    if message_id is None and item.card is not None and item.method is not Method.SEND:
        message_id = await cards.message_id(item.card)
        if message_id is None:
            raise Skipped(item.card.key)
    reply_to = item.reply_to
    if reply_to is None and item.reply_to_card is not None:
        reply_to = await cards.message_id(item.reply_to_card)
    reply = (ReplyParameters(reply_to, allow_sending_without_reply=True)
             if reply_to is not None else None)
    markup = _keyboard(item)
    waits: dict[str, Any] = {"read_timeout": timeout} if timeout is not None else {}
    common: dict[str, Any] = {"reply_markup": markup, **waits} if markup is not None else waits
    match item.method:
        case Method.SEND:
            sent = await bot.send_message(item.chat_id, item.text or "",
                                          reply_parameters=reply, **common)
            return sent.message_id
        case Method.EDIT:
            await bot.edit_message_text(item.text or "", chat_id=item.chat_id,
                                        message_id=message_id, reply_markup=markup, **waits)
        case Method.EDIT_MARKUP:
            # The method has no parse_mode in the Bot API, but PTB fills in the bot's default
            # one; a None is dropped before the request goes out (a fresh dict: PTB adds to it).
            await bot.edit_message_reply_markup(chat_id=item.chat_id, message_id=message_id,
                                                reply_markup=markup,
                                                api_kwargs={"parse_mode": None}, **waits)
        case Method.DELETE:
            await bot.delete_message(item.chat_id, message_id or 0, **waits)
        case Method.DOCUMENT:
            sent = await bot.send_document(
                item.chat_id, InputFile(item.file_bytes, filename=item.file_name),
                caption=item.caption, reply_parameters=reply, **common)
            return sent.message_id
        case Method.PHOTO:
            sent = await bot.send_photo(
                item.chat_id, InputFile(item.file_bytes, filename=item.file_name),
                caption=item.caption, reply_parameters=reply, **common)
            return sent.message_id
    return None


async def settle_refusal(item: Outgoing, error: TelegramError,
                         mark_unreachable: MarkUnreachable) -> Outgoing | None:
    """Telegram refused `item` for good: record what that means; what to send instead, if any."""
    if not_modified(error):
        return None
    if isinstance(error, Forbidden) and item.unreachable_user is not None:
        await mark_unreachable(item.unreachable_user)
    log.info("%s to a chat was refused: %s", item.method.value, type(error).__name__)
    return item.on_refused


class OutboxDelivery:
    """Stores each item as an outbox row, inside the caller's unit of work when there is one
    (so it is sent only if the change that caused it is committed), and wakes the delivery
    worker for the row's chat once it is committed."""

    def __init__(self, db: Database, store: OutboxStore, clock: Clock,
                 wake: Callable[[int], None], sending: Callable[[], bool], *,
                 settle: float = CARD_SETTLE_SECONDS) -> None:
        self._db = db
        self._store = store
        self._clock = clock
        self._wake = wake
        self._sending = sending
        self._settle = settle

    async def deliver(self, item: Outgoing) -> None:
        card_edit = item.card is not None and item.method is Method.EDIT
        await self._store.add(
            chat_id=item.chat_id, method=item.method.value,
            payload=item.model_dump_json(exclude_none=True),
            not_before=time.time() + (self._settle if card_edit else 0.0),
            now=self._clock.now(), key=item.key,
            card_key=item.card.key if item.card is not None else None,
        )
        chat_id = item.chat_id
        self._db.after_commit(lambda: self._wake(chat_id))

    def busy(self) -> bool:
        return self._sending() or self._db.finishing

    async def close(self) -> None:
        """Nothing to do: what waits is stored, and the worker sends it at the next start."""


class DirectDelivery:
    """Sends at once, in the caller's task; card edits settle briefly and coalesce per card,
    one edit of a card per interval at most."""

    def __init__(self, bot: Bot, cards: Cards, mark_unreachable: MarkUnreachable, *,
                 settle: float = CARD_SETTLE_SECONDS,
                 interval: float = CARD_INTERVAL_SECONDS) -> None:
        self._bot = bot
        self._cards = cards
        self._mark_unreachable = mark_unreachable
        self._settle = settle
        self._interval = interval
        self._waiting: dict[str, Outgoing] = {}
        self._edited: dict[str, float] = {}
        """Card key -> when it was last edited (the event loop's clock)."""
        self._tasks: set[asyncio.Task[None]] = set()

    async def deliver(self, item: Outgoing) -> None:
        if item.card is not None and item.method is Method.EDIT and self._settle > 0:
            first = item.card.key not in self._waiting
            self._waiting[item.card.key] = item
            if first:
                task = asyncio.create_task(self._edit_later(item.card.key))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return
        await self._now(item)

    async def _edit_later(self, key: str) -> None:
        loop = asyncio.get_running_loop()
        last = self._edited.get(key)
        wait = self._settle if last is None else max(self._settle,
                                                     last + self._interval - loop.time())
        await asyncio.sleep(wait)
        item = self._waiting.pop(key, None)
        if item is None:
            return
        now = loop.time()
        if len(self._edited) > REMEMBERED_EDITS:
            self._edited = {k: at for k, at in self._edited.items() if now - at < self._interval}
        self._edited[key] = now
        await self._quietly(item)

    async def _quietly(self, item: Outgoing | None) -> None:
        """A settled card edit has no caller left to fail: a failure is only logged."""
        try:
            await self._now(item)
        except TelegramError as error:
            log.warning("%s failed: %s", item.method.value if item else "?", type(error).__name__)

    async def _now(self, item: Outgoing | None) -> None:
        """A refusal for good is settled; any other failure (a network error, Telegram's 5xx)
        is raised to the caller, as a direct call would, so the update fails and the resident
        is told something went wrong."""
        while item is not None:
            try:
                message_id = await perform(self._bot, item, self._cards)
            except Skipped:
                return
            except (Forbidden, BadRequest) as error:
                item = await settle_refusal(item, error, self._mark_unreachable)
                continue
            if message_id is not None and item.card is not None:
                await self._cards.record(item.card, message_id)
            return

    def busy(self) -> bool:
        return bool(self._waiting)

    async def close(self) -> None:
        """Send the card edits still settling (at shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        for key in list(self._waiting):
            await self._quietly(self._waiting.pop(key, None))
