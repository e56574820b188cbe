"""Cards: the bot's messages in a group that show the current state of one thing (a help
request, an activity, an idea) with its buttons.

A feature registers one `CardSource` per kind of card. Posting and refreshing then work the same
for every kind: render the current state, hand it to the messenger, and let the delivery record
the message id (on a post) or look it up (on an edit). "Message is not modified" is handled once,
in the delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from telegram import InlineKeyboardMarkup

from handlers.kit.send import CardRef, Messenger


@dataclass(frozen=True)
class RenderedCard:
    """What a card shows now, and in which chat it lives."""

    chat_id: int
    text: str
    keyboard: InlineKeyboardMarkup | None


class CardSource(Protocol):
    """One kind of card: how to render it and where its message id is kept."""

    async def render(self, item_id: int) -> RenderedCard | None:
        """The card as it should look now, or None when it should not be shown or changed."""
        ...

    async def message_id(self, item_id: int) -> int | None:
        """The card's message in its group, once posted."""
        ...

    async def record(self, item_id: int, message_id: int) -> None:
        """The card was posted as `message_id` (called by the delivery, once it is sent)."""
        ...


class Cards:
    def __init__(self, messenger: Messenger) -> None:
        self._messenger = messenger
        self._sources: dict[str, CardSource] = {}

    def register(self, kind: str, source: CardSource) -> None:
        if kind in self._sources:
            raise ValueError(f"a card source for {kind!r} is already registered")
        self._sources[kind] = source

    def source(self, kind: str) -> CardSource:
        return self._sources[kind]

    async def post(self, ref: CardRef, *, key: str | None = None) -> bool:
        """Post the card as a new group message; False when there is nothing to show."""
        rendered = await self._sources[ref.kind].render(ref.item_id)
        if rendered is None:
            return False
        await self._messenger.message(rendered.chat_id, rendered.text,
                                      keyboard=rendered.keyboard, card=ref, key=key)
        return True

    async def refresh(self, ref: CardRef) -> None:
        """Bring the posted card in line with the stored state (the latest state wins)."""
        rendered = await self._sources[ref.kind].render(ref.item_id)
        if rendered is None:
            return
        await self._messenger.edit_card(ref, rendered.chat_id, rendered.text, rendered.keyboard)

    async def delete(self, ref: CardRef, chat_id: int) -> None:
        await self._messenger.delete(chat_id, card=ref)

    async def message_id(self, ref: CardRef) -> int | None:
        return await self._sources[ref.kind].message_id(ref.item_id)

    async def record(self, ref: CardRef, message_id: int) -> None:
        await self._sources[ref.kind].record(ref.item_id, message_id)
