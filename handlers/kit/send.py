"""The one way the bot says anything: every message, edit, file and deletion is an `Outgoing`.

Handlers never call the Bot API to send. They hand an `Outgoing` to the `Messenger`, which passes
it to its delivery backend: the durable outbox in production (stored in the same transaction as
the state change that caused it, sent by the delivery worker), or a direct call where no outbox is
wired. Either way nothing is returned to the handler: a card's message id is recorded by its
`CardSource` when the send succeeds, and later edits find it there.

Answers to button presses are not messages: they stay direct (see `guards.answer`).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, Field
from telegram import InlineKeyboardMarkup, Update

from bot.origin import next_key

log = logging.getLogger(__name__)


class Method(StrEnum):
    SEND = "sendMessage"
    EDIT = "editMessageText"
    EDIT_MARKUP = "editMessageReplyMarkup"
    DELETE = "deleteMessage"
    DOCUMENT = "sendDocument"
    PHOTO = "sendPhoto"


class CardRef(BaseModel, frozen=True):
    """A feature's card in a group: which kind of thing, and which one."""

    kind: str
    item_id: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item_id}"


class Outgoing(BaseModel):
    """One thing to send, as JSON-ready data (it is stored as is in the outbox)."""

    chat_id: int
    method: Method
    text: str | None = None
    keyboard: dict[str, Any] | None = None
    """`InlineKeyboardMarkup.to_dict()`; None leaves no keyboard (or removes it on an edit)."""
    message_id: int | None = None
    """The message to edit or delete (or None when `card` names it)."""
    card: CardRef | None = None
    """Send: the card whose message this is (its id is recorded on success).
    Edit or delete: the card to change; its message id is looked up when the row is sent, and
    a newer edit of the same card replaces an older one that is still waiting."""
    reply_to: int | None = None
    reply_to_card: CardRef | None = None
    file_name: str | None = None
    file_b64: str | None = None
    """A document or photo's bytes, base64 so the row stays JSON."""
    caption: str | None = None
    unreachable_user: int | None = None
    """A private message: when Telegram refuses it (403), this resident is marked unreachable."""
    on_refused: Outgoing | None = None
    """Sent instead when Telegram refuses this for good (403 Forbidden, 400 Bad Request); for
    example the group line with a deep link when a resident never opened the bot, or a fresh
    message when the message to edit is gone."""
    key: str | None = Field(default=None, max_length=200)
    """Idempotency: a second `Outgoing` with the same key is dropped (e.g. a scheduled run that
    is run again)."""

    @property
    def file_bytes(self) -> bytes:
        return base64.b64decode(self.file_b64 or "")


class Delivery(Protocol):
    """Where an `Outgoing` goes: the outbox, or straight to Telegram."""

    async def deliver(self, item: Outgoing) -> None: ...

    def busy(self) -> bool:
        """Is anything accepted but not yet sent (or given up)?"""
        ...

    async def close(self) -> None:
        """Send or hand back what is waiting, before the database closes."""
        ...


PromptFilter = Callable[[int, str], Awaitable[bool]]
"""(user_id, prompt kind) -> may a scheduled private prompt of this kind reach them now."""


def _markup(keyboard: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return keyboard.to_dict() if keyboard is not None else None


class Messenger:
    """What handlers and jobs call to say something. Returns nothing: delivery is the backend's."""

    def __init__(self, may_prompt: PromptFilter) -> None:
        self._delivery: Delivery | None = None
        self._may_prompt = may_prompt

    def attach(self, delivery: Delivery) -> None:
        """The backend comes second: it needs the card registry, which needs the messenger."""
        self._delivery = delivery

    async def send(self, item: Outgoing) -> None:
        """Without a key of its own, the item is keyed by the update or job it comes from."""
        assert self._delivery is not None, "no delivery attached"
        if item.key is None:
            key = next_key()
            if key is not None:
                item = item.model_copy(update={"key": key})
        await self._delivery.deliver(item)

    def busy(self) -> bool:
        return self._delivery is not None and self._delivery.busy()

    async def close(self) -> None:
        if self._delivery is not None:
            await self._delivery.close()

    async def message(
        self, chat_id: int, text: str, *, keyboard: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None, reply_to_card: CardRef | None = None,
        card: CardRef | None = None, key: str | None = None,
    ) -> None:
        """A new message in a chat (a group, or a private chat the resident opened just now)."""
        await self.send(Outgoing(
            chat_id=chat_id, method=Method.SEND, text=text, keyboard=_markup(keyboard),
            reply_to=reply_to, reply_to_card=reply_to_card, card=card, key=key,
        ))

    async def private(
        self, user_id: int, text: str, *, keyboard: InlineKeyboardMarkup | None = None,
        fallback: Outgoing | None = None, key: str | None = None,
    ) -> None:
        """To a resident privately. Refused (they never opened the bot, or blocked it): they are
        marked unreachable and `fallback`, if any, is sent instead."""
        await self.send(Outgoing(
            chat_id=user_id, method=Method.SEND, text=text, keyboard=_markup(keyboard),
            unreachable_user=user_id, on_refused=fallback, key=key,
        ))

    async def prompt(
        self, user_id: int, kind: str, text: str, *,
        keyboard: InlineKeyboardMarkup | None = None, key: str | None = None,
    ) -> bool:
        """A scheduled private prompt (reminder, follow-up): only if the resident allows this
        kind now (mutes, long absence); never falls back to the group. False when not sent."""
        if not await self._may_prompt(user_id, kind):
            return False
        await self.private(user_id, text, keyboard=keyboard, key=key)
        return True

    async def edit(
        self, chat_id: int, message_id: int, text: str, *,
        keyboard: InlineKeyboardMarkup | None = None, or_send: bool = False,
    ) -> None:
        """Change a message the bot sent. `or_send`: when it can no longer be edited, the text
        comes as a new message instead (a private answer must never get lost)."""
        fallback = (Outgoing(chat_id=chat_id, method=Method.SEND, text=text,
                             keyboard=_markup(keyboard)) if or_send else None)
        await self.send(Outgoing(
            chat_id=chat_id, method=Method.EDIT, message_id=message_id, text=text,
            keyboard=_markup(keyboard), on_refused=fallback,
        ))

    async def replace_pressed(
        self, update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Answer a press in a private chat in place of the message whose button was pressed
        (or as a new message when there is none)."""
        query = update.callback_query
        message = query.message if query is not None else None
        user = update.effective_user
        if message is not None:
            await self.edit(message.chat.id, message.message_id, text, keyboard=keyboard,
                            or_send=True)
        elif user is not None:
            await self.message(user.id, text, keyboard=keyboard)

    async def reply(
        self, update: Update, text: str, *, keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Answer a command where it was typed, as a reply to it."""
        message = update.effective_message
        if message is None:
            return
        await self.message(message.chat.id, text, keyboard=keyboard,
                           reply_to=message.message_id)

    async def edit_card(
        self, card: CardRef, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None,
    ) -> None:
        await self.send(Outgoing(chat_id=chat_id, method=Method.EDIT, card=card, text=text,
                                 keyboard=_markup(keyboard)))

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        await self.send(Outgoing(chat_id=chat_id, method=Method.EDIT_MARKUP,
                                 message_id=message_id))

    async def delete(self, chat_id: int, message_id: int | None = None, *,
                     card: CardRef | None = None) -> None:
        await self.send(Outgoing(chat_id=chat_id, method=Method.DELETE, message_id=message_id,
                                 card=card))

    async def document(
        self, chat_id: int, file_name: str, data: bytes, *, caption: str | None = None,
        keyboard: InlineKeyboardMarkup | None = None, private: bool = False,
    ) -> None:
        await self.send(Outgoing(
            chat_id=chat_id, method=Method.DOCUMENT, file_name=file_name,
            file_b64=base64.b64encode(data).decode(), caption=caption,
            keyboard=_markup(keyboard), unreachable_user=chat_id if private else None,
        ))

    async def photo(self, chat_id: int, file_name: str, data: bytes, *,
                    caption: str | None = None) -> None:
        await self.send(Outgoing(
            chat_id=chat_id, method=Method.PHOTO, file_name=file_name,
            file_b64=base64.b64encode(data).decode(), caption=caption,
        ))
