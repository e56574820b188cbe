"""Updates that survive a crash, are handled once, and in order per chat.

- `DurableBot.get_updates` stores each fetched batch in the inbox before returning it; PTB only
  confirms a batch to Telegram with its next getUpdates call, so nothing is confirmed unstored.
- `OmzienApplication.process_update` skips an update already handled, and runs the handlers in
  one unit of work with the mark that the update was handled: the state they change, the
  messages they leave in the outbox and that mark are committed together. A stop in between
  leaves the update unhandled, and it is handled (whole) again at the next start.
- `PerChatUpdateProcessor` runs updates of different chats concurrently but those of one chat in
  arrival order, so a resident's quick taps and answers are never handled out of order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram.ext import Application, BaseUpdateProcessor, ExtBot

from bot.clock import Clock
from bot.metrics import HANDLER_SECONDS, UPDATES_HANDLED, update_kind
from bot.origin import origin, update_origin
from bot.press_answers import HeldAnswers
from storage.inbox import UpdateInbox

log = logging.getLogger(__name__)


class DurableBot(ExtBot[None]):
    __slots__ = ("clock", "inbox")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inbox: UpdateInbox | None = None
        self.clock: Clock | None = None

    def __setattr__(self, key: str, value: object) -> None:
        """PTB freezes a bot after __init__; the inbox and clock are wired in once the DB is open."""
        if key in DurableBot.__slots__:
            object.__setattr__(self, key, value)
            return
        super().__setattr__(key, value)

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        """Each update is parsed on its own: one that cannot be parsed is recorded as handled and
        stands in as an empty update (so the offset moves past it) instead of failing the batch,
        which PTB would fetch again forever."""
        raw = await self._post(
            "getUpdates",
            {"timeout": timeout, "offset": offset, "limit": limit, "allowed_updates": allowed_updates},
            read_timeout=_read_timeout(self, timeout, kwargs.pop("read_timeout", DEFAULT_NONE)),
            **kwargs,
        )
        good: list[tuple[int, dict[str, Any]]] = []
        broken: list[tuple[int, dict[str, Any]]] = []
        updates: list[Update] = []
        for item in raw if isinstance(raw, list) else []:
            read = read_update(self, item)
            if read is None:
                continue
            update_id, update = read
            if update is None:
                broken.append((update_id, item))
                updates.append(Update(update_id))
                continue
            good.append((update_id, item))
            updates.append(update)
        if self.inbox is not None and self.clock is not None:
            now = self.clock.now()
            if good or broken:
                await self.inbox.store([*good, *broken], now)
            for update_id, _ in broken:
                await self.inbox.mark_handled(update_id, now)
        return tuple(updates)


def read_update(bot: ExtBot[None], item: object) -> tuple[int, Update | None] | None:
    """An update's id and the update as PTB reads it (None for one that cannot be read, which
    is then recorded as handled rather than tried forever); None when it has no update id."""
    update_id = item.get("update_id") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(update_id, int) or isinstance(update_id, bool):
        log.warning("an update without an update id was dropped")
        return None
    try:
        update = Update.de_json(item, bot)
    except Exception as exc:  # any shape Telegram (or a fake) might send
        log.warning("update %s could not be read (%s); skipped", update_id, type(exc).__name__)
        return update_id, None
    bot.insert_callback_data(update)
    return update_id, update


def _read_timeout(bot: ExtBot[None], timeout: Any, read_timeout: Any) -> float:
    """As PTB does it: the request's own read timeout plus the long-polling time."""
    polling_request = bot._request[0]
    base = (polling_request.read_timeout if isinstance(read_timeout, DefaultValue)
            else read_timeout) or 0
    if isinstance(timeout, timedelta):
        return float(base + timeout.total_seconds())
    return float(base + timeout) if timeout else float(base)


class OmzienApplication(Application):  # type: ignore[type-arg]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.press_answers = HeldAnswers()
        """Answers to presses, sent once their update's unit of work has ended."""

    async def stop(self) -> None:
        """PTB waits here for the jobs under way: the schedule's run is told first to take no
        further rows (those left run at the next start), so a stop in the middle of a Sunday's
        fan-out waits only for the rows already started."""
        services = self.bot_data.get("services")
        if services is not None:
            services.scheduler.stop()
        await super().stop()

    async def process_update(self, update: object) -> None:
        services = self.bot_data.get("services")
        if not isinstance(update, Update) or services is None:
            await super().process_update(update)
            return
        if await services.inbox.is_handled(update.update_id):
            log.info("update %s was handled before; skipped", update.update_id)
            return
        started = time.perf_counter()
        async with self.press_answers.around_update(), services.db.unit_of_work():
            with origin(update_origin(update.update_id)):
                await super().process_update(update)
            await services.db.run_before_commit()
            await services.inbox.mark_handled(update.update_id, services.clock.now())
        HANDLER_SECONDS.observe(time.perf_counter() - started)
        UPDATES_HANDLED.labels(kind=update_kind(update)).inc()


def chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0


WAITING_UPDATES = 1_000_000
"""PTB's own bound on updates in progress: only a safety net here (see below)."""


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """PTB takes a place in its bound before `do_process_update`; an update waiting there for
    its chat's turn would hold a place that other chats need (a group's burst of presses could
    stall every other chat). So PTB's bound is made loose, and the real one, `max_running`, is
    taken only once the chat's turn has come."""

    def __init__(self, max_running: int = 64) -> None:
        super().__init__(WAITING_UPDATES)
        self._running = asyncio.Semaphore(max_running)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._running:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to open: the locks live in memory."""

    async def shutdown(self) -> None:
        """Nothing to close."""
