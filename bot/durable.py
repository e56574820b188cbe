"""Updates that survive a crash, are handled once, and in order per chat.

- `DurableBot.get_updates` stores each fetched batch in the inbox before returning it; PTB only
  confirms a batch to Telegram with its next getUpdates call, so nothing is confirmed unstored.
- `OmzienApplication.process_update` skips an update already handled and records it afterwards.
- `PerChatUpdateProcessor` runs updates of different chats concurrently but those of one chat in
  arrival order, so a resident's quick taps and answers are never handled out of order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor, ExtBot

from bot.clock import Clock
from storage.inbox import UpdateInbox

log = logging.getLogger(__name__)


class DurableBot(ExtBot[None]):
    __slots__ = ("clock", "inbox")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inbox: UpdateInbox | None = None
        self.clock: Clock | None = None

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        updates = await super().get_updates(
            offset=offset, limit=limit, timeout=timeout, allowed_updates=allowed_updates, **kwargs
        )
        if updates and self.inbox is not None and self.clock is not None:
            await self.inbox.store(
                [(update.update_id, update.to_dict()) for update in updates], self.clock.now()
            )
        return updates


class OmzienApplication(Application):  # type: ignore[type-arg]
    async def process_update(self, update: object) -> None:
        services = self.bot_data.get("services")
        if not isinstance(update, Update) or services is None:
            await super().process_update(update)
            return
        if await services.inbox.is_handled(update.update_id):
            log.info("update %s was handled before; skipped", update.update_id)
            return
        try:
            await super().process_update(update)
        finally:
            await services.inbox.mark_handled(update.update_id, services.clock.now())


def chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
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
