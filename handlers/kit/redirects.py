"""A calm group: the bot's short "do this in private" replies are removed a minute later.

A command typed in the group that belongs in the private chat gets one line with a button that
opens it. Once the resident has seen it, the line only fills the group, so it goes. The reply is
posted as a card of kind "redirect" (the delivery records its message id here), and a schedule
row deletes it. Deleting messages no one, so the row may run in quiet hours too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Update

from bot.clock import Clock
from bot.domain.schedule import ItemState, ScheduledItem
from bot.scheduler import Scheduler
from handlers.kit.cards import RenderedCard
from handlers.kit.send import CardRef, Messenger
from storage.redirects import RedirectStore

KIND = "redirect"
"""Card kind of a redirect reply in `svc.cards`."""
REMOVE_JOB = "redirect.remove"
LIFETIME = timedelta(minutes=1)


class Redirects:
    """Sends redirect replies and removes them; also the `CardSource` that keeps their ids."""

    def __init__(self, store: RedirectStore, out: Messenger, scheduler: Scheduler,
                 clock: Clock) -> None:
        self._store = store
        self._out = out
        self._scheduler = scheduler
        self._clock = clock

    async def reply(self, update: Update, text: str, *,
                    keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Answer a group command with a line that points to the private chat; it is removed
        after `LIFETIME`."""
        message = update.effective_message
        if message is None:
            return
        chat_id, now = message.chat.id, self._clock.now()
        redirect_id = await self._store.add(chat_id, now)
        if redirect_id is None:
            await self._out.reply(update, text, keyboard=keyboard)
            return
        await self._out.message(chat_id, text, keyboard=keyboard, reply_to=message.message_id,
                                card=CardRef(kind=KIND, item_id=redirect_id))
        await self._scheduler.add(REMOVE_JOB, str(redirect_id), now + LIFETIME,
                                  building_id=chat_id)

    async def remove(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """The scheduled removal: delete the reply if it was posted, and forget it."""
        redirect_id = int(item.ref) if item.ref.isdigit() else 0
        chat_id = await self._store.chat_of(redirect_id)
        if chat_id is None:
            return ItemState.SKIPPED
        message_id = await self._store.message_id(redirect_id)
        if message_id is not None:
            await self._out.delete(chat_id, message_id)
        await self._store.drop(redirect_id)
        return None if message_id is not None else ItemState.SKIPPED

    async def render(self, item_id: int) -> RenderedCard | None:
        """A redirect is never shown again or changed."""
        return None

    async def message_id(self, item_id: int) -> int | None:
        return await self._store.message_id(item_id)

    async def record(self, item_id: int, message_id: int) -> None:
        await self._store.record(item_id, message_id)
