"""Bot API methods on top of the world: parameters in, Telegram-shaped results or errors out.

Each method declares the parameters it understands; anything else is refused, so the bot's
requests stay exact. Permission rules and error wording follow Telegram. The methods live by
family: updates, messages, files, callbacks, chats, commands.
"""

from __future__ import annotations

from sandbox.limits import RateLimiter
from sandbox.methods.base import MethodDef, Reply
from sandbox.methods.callbacks import CallbackMethods
from sandbox.methods.chats import ChatMethods
from sandbox.methods.commands import CommandMethods, scope_key
from sandbox.methods.files import FileMethods, image_size
from sandbox.methods.messages import EDIT_METHODS, SEND_METHODS, MessageMethods
from sandbox.methods.updates import UpdateMethods
from sandbox.world import World

__all__ = ["EDIT_METHODS", "SEND_METHODS", "BotApi", "MethodDef", "Reply", "image_size",
           "scope_key"]

_SEND_COMMON = (
    "chat_id", "message_thread_id", "disable_notification", "protect_content",
    "allow_paid_broadcast", "message_effect_id", "reply_parameters", "reply_markup",
)  # fmt: skip


class BotApi(UpdateMethods, FileMethods, MessageMethods, CallbackMethods, ChatMethods,
             CommandMethods):
    """The methods the sandbox serves, over one world."""

    def __init__(self, world: World, limiter: RateLimiter) -> None:
        super().__init__(world, limiter)
        self._start_polling()
        self._define()

    def _define(self) -> None:
        add = self._add
        add("getMe", (), self.get_me)
        add("logOut", (), self.log_out)
        add("close", (), self.log_out)
        add("getUpdates", ("offset", "limit", "timeout", "allowed_updates"), self.get_updates)
        add("setWebhook", ("url", "max_connections", "allowed_updates", "drop_pending_updates",
                           "secret_token"), self.set_webhook)
        add("deleteWebhook", ("drop_pending_updates",), self.delete_webhook)
        add("getWebhookInfo", (), self.get_webhook_info)
        add(
            "sendMessage",
            (*_SEND_COMMON, "text", "parse_mode", "entities", "link_preview_options"),
            self.send_message,
        )
        add(
            "sendDocument",
            (
                *_SEND_COMMON, "document", "thumbnail", "caption", "parse_mode",
                "caption_entities", "disable_content_type_detection",
            ),
            self.send_document,
        )  # fmt: skip
        add(
            "sendPhoto",
            (
                *_SEND_COMMON, "photo", "caption", "parse_mode", "caption_entities",
                "show_caption_above_media", "has_spoiler",
            ),
            self.send_photo,
        )  # fmt: skip
        add(
            "editMessageText",
            (
                "chat_id", "message_id", "text", "parse_mode", "entities",
                "link_preview_options", "reply_markup",
            ),
            self.edit_message_text,
        )  # fmt: skip
        add(
            "editMessageCaption",
            (
                "chat_id", "message_id", "caption", "parse_mode", "caption_entities",
                "show_caption_above_media", "reply_markup",
            ),
            self.edit_message_caption,
        )  # fmt: skip
        add(
            "editMessageReplyMarkup",
            ("chat_id", "message_id", "reply_markup"),
            self.edit_message_reply_markup,
        )
        add("deleteMessage", ("chat_id", "message_id"), self.delete_message)
        add("deleteMessages", ("chat_id", "message_ids"), self.delete_messages)
        add(
            "answerCallbackQuery",
            ("callback_query_id", "text", "show_alert", "url", "cache_time"),
            self.answer_callback_query,
        )
        add("getChat", ("chat_id",), self.get_chat)
        add("getChatMember", ("chat_id", "user_id"), self.get_chat_member)
        add("getChatAdministrators", ("chat_id",), self.get_chat_administrators)
        add("getChatMemberCount", ("chat_id",), self.get_chat_member_count)
        add("setMyCommands", ("commands", "scope", "language_code"), self.set_my_commands)
        add("getMyCommands", ("scope", "language_code"), self.get_my_commands)
        add("deleteMyCommands", ("scope", "language_code"), self.delete_my_commands)
        for field, setter, getter in (
            ("description", "setMyDescription", "getMyDescription"),
            ("short_description", "setMyShortDescription", "getMyShortDescription"),
            ("name", "setMyName", "getMyName"),
        ):
            add(setter, (field, "language_code"), self._text_setter(field))
            add(getter, ("language_code",), self._text_getter(field))
        add("pinChatMessage", ("chat_id", "message_id", "disable_notification"), self.pin)
        add("unpinChatMessage", ("chat_id", "message_id"), self.unpin)
        add("unpinAllChatMessages", ("chat_id",), self.unpin_all)
        add("getFile", ("file_id",), self.get_file)
        add("sendChatAction", ("chat_id", "message_thread_id", "action"), self.send_chat_action)
        add("leaveChat", ("chat_id",), self.leave_chat)
