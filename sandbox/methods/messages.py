"""Sending, editing and deleting text messages, with Telegram's limits and its "message is
not modified" refusal."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.base import Reply
from sandbox.methods.formatting import Formatted, Formatting
from sandbox.models import SandboxMessage
from sandbox.params import Params

TEXT_LIMIT = 4096  # characters after entity parsing
DELETE_WINDOW = 48 * 3600  # bots delete others' and old messages only as admins
SEND_METHODS = ("sendMessage", "sendDocument", "sendPhoto")
EDIT_METHODS = ("editMessageText", "editMessageReplyMarkup", "editMessageCaption")
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and markup.get("inline_keyboard") else None


class MessageMethods(Formatting):
    def _text(self, p: Params, empty: str) -> Formatted:
        """A message's text as Telegram takes it: formatted, not empty, not too long."""
        text, entities, html = self._formatted(
            p.need_str("text"), p.get_str("parse_mode"), p.get_json("entities"), "entities"
        )
        if not text:
            raise bad_request(empty)
        if len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        return text, entities, html

    @staticmethod
    def _preview(p: Params) -> dict[str, Any]:
        preview = p.get_json("link_preview_options")
        return {"link_preview_options": preview if isinstance(preview, dict) else None}

    def _send(self, p: Params, chat_id: int, formatted: Formatted, *, preview: bool = False,
              media: dict[str, Any] | None = None) -> Reply:
        """A new message from the bot with this text (or caption, under `media`), its keyboard
        and reply."""
        text, entities, html = formatted
        fields = dict(media or {})
        markup = self._reply_markup(p, inline_only=False)
        reply_to = self._reply_target(p, chat_id)
        if preview:
            fields.update(self._preview(p))
        self._check_send_options(p)
        self._throttle(chat_id)
        message = self._bot_message(
            chat_id,
            text=text,
            html=html,
            entities=entities,
            reply_markup=markup,
            reply_to=reply_to,
            protect_content=p.get_bool("protect_content"),
            **fields,
        )
        return Reply(message.to_dict(), chat_id, message)

    async def send_message(self, p: Params) -> Reply:
        chat_id = self._writable_chat(p)
        return self._send(p, chat_id, self._text(p, "message text is empty"), preview=True)

    def _editable(self, p: Params) -> tuple[int, SandboxMessage]:
        if not p.has("chat_id") or not p.has("message_id"):
            raise bad_request("message identifier is not specified")
        chat_id = self._writable_chat(p)
        current = self.world.get_message(chat_id, p.need_int("message_id"))
        if current is None or current.deleted:
            raise bad_request("message to edit not found")
        if current.from_user.id != self.world.bot_user.id or current.is_service:
            raise bad_request("message can't be edited")
        return chat_id, current

    def _store_edit(self, current: SandboxMessage, **changes: Any) -> SandboxMessage:
        self._throttle(current.chat_id)
        return self.world.put(replace(current, edited=True, **changes))

    def _edit(self, p: Params, chat_id: int, current: SandboxMessage, formatted: Formatted,
              *, preview: bool = False) -> Reply:
        """The bot's message gets this text (or caption) and keyboard, unless nothing changes."""
        text, entities, html = formatted
        markup = self._reply_markup(p, inline_only=True)
        if (text, entities, markup) == (
            current.text,
            current.entities,
            _inline(current.reply_markup),
        ):
            raise bad_request(MESSAGE_NOT_MODIFIED)
        edited = self._store_edit(
            current,
            text=text,
            html=html,
            entities=entities,
            reply_markup=markup,
            edit_date=self.world.now(),
            **(self._preview(p) if preview else {}),
        )
        return Reply(edited.to_dict(), chat_id, edited)

    async def edit_message_text(self, p: Params) -> Reply:
        chat_id, current = self._editable(p)
        if current.document is not None or current.photo is not None:
            raise bad_request("there is no text in the message to edit")
        return self._edit(p, chat_id, current, self._text(p, "text must be non-empty"),
                          preview=True)

    async def edit_message_caption(self, p: Params) -> Reply:
        chat_id, current = self._editable(p)
        if current.document is None and current.photo is None:
            raise bad_request("there is no caption in the message to edit")
        return self._edit(p, chat_id, current, self._caption(p))

    async def edit_message_reply_markup(self, p: Params) -> Reply:
        chat_id, current = self._editable(p)
        markup = self._reply_markup(p, inline_only=True)
        if markup == _inline(current.reply_markup):
            raise bad_request(MESSAGE_NOT_MODIFIED)
        edited = self._store_edit(current, reply_markup=markup)
        return Reply(edited.to_dict(), chat_id, edited)

    def _may_delete(self, message: SandboxMessage) -> bool:
        if message.chat_id < 0 and self._is_admin(message.chat_id):
            return True
        fresh = self.world.now() - message.date <= DELETE_WINDOW
        own = message.from_user.id == self.world.bot_user.id
        return fresh and (own or message.chat_id > 0)

    def _delete(self, message: SandboxMessage) -> SandboxMessage:
        state = self.world.group(message.chat_id)
        if state is not None and message.message_id in state.pinned:
            state.pinned.remove(message.message_id)
        return self.world.put(replace(message, deleted=True))

    async def delete_message(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        current = self.world.get_message(chat_id, p.need_int("message_id"))
        if current is None or current.deleted:
            raise bad_request("message to delete not found")
        if not self._may_delete(current):
            raise bad_request("message can't be deleted")
        return Reply(True, chat_id, self._delete(current))

    async def delete_messages(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        ids = p.get_json("message_ids", required=True)
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise bad_request("wrong type of parameter message_ids")
        if not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            current = self.world.get_message(chat_id, message_id)
            if current is not None and not current.deleted and self._may_delete(current):
                self._delete(current)
        return Reply(True, chat_id)
