"""Bot API methods on top of the world: parameters in, Telegram-shaped results or errors out.

Each method declares the parameters it understands; anything else is refused, so the bot's
requests stay exact. Permission rules and error wording follow Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import mimetypes
import struct
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sandbox.errors import (
    ApiError,
    Unsupported,
    bad_request,
    forbidden,
    too_many_requests,
)
from sandbox.html_text import EntityParseError, normalize_url, parse_html, trim
from sandbox.limits import RateLimiter
from sandbox.models import CallbackAnswer, SandboxMessage, StoredFile
from sandbox.params import Params, Upload, to_bool, to_int
from sandbox.text_entities import check_entities, detect_entities
from sandbox.world import ADMIN_STATUSES, MEMBER_STATUSES, World, chat_member_dict

TEXT_LIMIT = 4096  # characters after entity parsing
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
CALLBACK_ANSWER_LIMIT = 200  # characters
COMMANDS_LIMIT = 100
DELETE_WINDOW = 48 * 3600  # bots delete others' and old messages only as admins
SEND_METHODS = ("sendMessage", "sendDocument", "sendPhoto")
EDIT_METHODS = ("editMessageText", "editMessageReplyMarkup", "editMessageCaption")
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")
_PLAIN_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
_SEND_COMMON = (
    "chat_id", "message_thread_id", "disable_notification", "protect_content",
    "allow_paid_broadcast", "message_effect_id", "reply_parameters", "reply_markup",
)  # fmt: skip
_TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


@dataclass
class Reply:
    """A method's result, plus what the bot-event log should say about it."""

    result: Any
    chat_id: int | None = None
    message: SandboxMessage | None = None
    # What the spec check covers when not the whole result (updates queued raw are exempt).
    checks: list[tuple[tuple[str, ...], Any]] | None = None


Handler = Callable[[Params], Awaitable[Reply]]


@dataclass(frozen=True)
class MethodDef:
    name: str
    params: frozenset[str]
    handler: Handler


def scope_key(scope: Any) -> str:
    """The storage key of a BotCommandScope: its type and, for chat scopes, the ids."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise ValueError("scope must be a BotCommandScope object")
    kind = scope["type"]
    if kind in _PLAIN_SCOPES:
        return json.dumps({"type": kind})
    if kind not in _CHAT_SCOPES:
        raise ValueError(f"unknown scope type {kind!r}")
    normalized: dict[str, Any] = {"type": kind, "chat_id": to_int(scope.get("chat_id"))}
    if kind == "chat_member":
        normalized["user_id"] = to_int(scope.get("user_id"))
    return json.dumps(normalized, sort_keys=True)


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF or WebP image; None when it is none of those."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        if data[12:16] == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
        if data[12:16] == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return int(width) & 0x3FFF, int(height) & 0x3FFF
        if data[12:16] == b"VP8L" and len(data) >= 25:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                index += 2
                continue
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and markup.get("inline_keyboard") else None


class BotApi:
    """The methods the sandbox serves, over one world."""

    def __init__(self, world: World, limiter: RateLimiter) -> None:
        self.world = world
        self.limiter = limiter
        self.methods: dict[str, MethodDef] = {}
        self._poll_generation = 0
        self._closing = False
        self._waiters: set[asyncio.Event] = set()
        world.subscribe(self._wake)
        self._define()

    def find(self, name: str) -> MethodDef | None:
        return self.methods.get(name.lower())

    def _add(self, name: str, params: Sequence[str], handler: Handler) -> None:
        self.methods[name.lower()] = MethodDef(name, frozenset(params), handler)

    def _define(self) -> None:
        add = self._add
        add("getMe", (), self.get_me)
        add("logOut", (), self.log_out)
        add("close", (), self.log_out)
        add("getUpdates", ("offset", "limit", "timeout", "allowed_updates"), self.get_updates)
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

    # -- polling -------------------------------------------------------------------------------

    def _wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    async def _wait_for_change(self, timeout: float) -> None:
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), timeout)
        finally:
            self._waiters.discard(waiter)

    def close_polls(self) -> None:
        """Answer waiting long polls now (the server is stopping)."""
        self._closing = True
        self._wake()

    def open_polls(self) -> None:
        self._closing = False

    async def get_updates(self, p: Params) -> Reply:
        offset = p.get_int("offset")
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = max(p.get_float("timeout") or 0.0, 0.0)
        allowed = p.get_json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise bad_request("wrong type of parameter allowed_updates")
            self.world.allowed_updates = list(allowed)
        if offset is not None:
            self.world.updates.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting is terminated, as Telegram does
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        batch = []
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT)
            if self._closing or not p.is_alive():
                break
            if self.world.updates.pending:
                batch = self.world.updates.take(limit)
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._wait_for_change(remaining)
        result = [update.to_dict() for update in batch]
        checks: list[tuple[tuple[str, ...], Any]] = [
            (("Update",), data) for update, data in zip(batch, result, strict=True) if not update.raw
        ]
        if batch:
            self.world.notify()
        return Reply(result, checks=checks)

    async def delete_webhook(self, p: Params) -> Reply:
        if p.get_bool("drop_pending_updates"):
            self.world.updates.clear()
        return Reply(True)

    async def get_webhook_info(self, p: Params) -> Reply:
        return Reply(
            {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.world.updates.pending),
            }
        )

    async def get_me(self, p: Params) -> Reply:
        return Reply(
            {
                **self.world.bot_user.to_dict(),
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )

    async def log_out(self, p: Params) -> Reply:
        return Reply(True)

    # -- chats and permissions -----------------------------------------------------------------

    def _chat(self, p: Params) -> int:
        """The target chat; the bot must have access to it."""
        raw = p.get_chat_id()
        if isinstance(raw, str):
            raise bad_request("chat not found")  # no public @usernames in the sandbox
        if raw > 0:
            if raw not in self.world.users:
                raise bad_request("chat not found")
            return raw
        state = self.world.group(raw)
        if state is None:
            raise bad_request("chat not found")
        if state.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        status = state.status(self.world.bot_user.id)
        if status not in MEMBER_STATUSES:
            if not state.bot_was_member:
                raise bad_request("chat not found")
            kind = "supergroup" if state.is_supergroup else "group"
            if status == "kicked":
                raise forbidden(f"bot was kicked from the {kind} chat")
            raise forbidden(f"bot is not a member of the {kind} chat")
        return raw

    def _writable_chat(self, p: Params) -> int:
        chat_id = self._chat(p)
        if chat_id > 0:
            state = self.world.private_state(chat_id)
            if state.blocked:
                raise forbidden("bot was blocked by the user")
            if not state.started:
                raise forbidden("bot can't initiate conversation with a user")
        return chat_id

    def _throttle(self, chat_id: int) -> None:
        retry_after = self.limiter.acquire(chat_id, is_group=chat_id < 0)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def _is_admin(self, chat_id: int) -> bool:
        return chat_id > 0 or self.world.bot_status(chat_id) in ADMIN_STATUSES

    # -- text, markup, replies -----------------------------------------------------------------

    def _formatted(
        self, raw: str, parse_mode: str | None, given: Any, entities_name: str
    ) -> tuple[str, list[dict[str, Any]], str | None]:
        """Plain text, entities and the raw HTML (if any) of a text or caption."""
        html = None
        if given is not None:
            if not isinstance(given, list):
                raise bad_request(f"wrong type of parameter {entities_name}")
            try:
                entities = check_entities(raw, given)
            except ValueError as error:
                raise bad_request(f"can't parse entities: {error}") from error
            text = raw
        else:
            mode = (parse_mode or "").strip()
            if not mode:
                text, entities = raw, []
            elif mode.lower() == "html":
                try:
                    text, entities = parse_html(raw)
                except EntityParseError as error:
                    raise bad_request(f"can't parse entities: {error}") from error
                html = raw
            elif mode.lower() in ("markdown", "markdownv2"):
                raise Unsupported(f"parse_mode {mode}")
            else:
                raise bad_request("unsupported parse_mode")
        text, entities = trim(text, entities)
        entities = self._resolve_mentions(entities)
        return text, detect_entities(text, entities), html

    def _resolve_mentions(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """text_mention entities carry the full user, so only known users can be mentioned."""
        resolved = []
        for entity in entities:
            if entity["type"] == "text_mention":
                user_id = entity.get("user", {}).get("id")
                user = self.world.user_by_id(user_id) if isinstance(user_id, int) else None
                if user is None:
                    continue
                entity = {**entity, "user": user.to_dict()}
            resolved.append(entity)
        return resolved

    def _reply_markup(self, p: Params, *, inline_only: bool) -> dict[str, Any] | None:
        markup = p.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("wrong type of parameter reply_markup")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise bad_request("inline keyboard expected")
            return dict(markup)
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("wrong type of parameter reply_markup")
        kept_rows = []
        for row in rows:
            for button in row:
                self._check_button(button)
            if row:
                kept_rows.append([dict(button) for button in row])
        return {"inline_keyboard": kept_rows} if kept_rows else None

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("wrong type of parameter reply_markup")
        if not any(action in button for action in BUTTON_ACTIONS):
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or normalize_url(url) is None:
                raise bad_request("BUTTON_URL_INVALID")
            if not url.lower().startswith(("http://", "https://", "tg://")):
                raise bad_request("BUTTON_URL_INVALID")

    def _reply_target(self, p: Params, chat_id: int) -> SandboxMessage | None:
        parameters = p.get_json("reply_parameters")
        if parameters is None:
            return None
        if not isinstance(parameters, dict) or "message_id" not in parameters:
            raise bad_request("wrong type of parameter reply_parameters")
        try:
            message_id = to_int(parameters["message_id"])
            target_chat = parameters.get("chat_id", chat_id)
            target_chat = to_int(target_chat) if not isinstance(target_chat, int) else target_chat
            tolerant = to_bool(parameters.get("allow_sending_without_reply", False))
        except ValueError as error:
            raise bad_request("wrong type of parameter reply_parameters") from error
        target = self.world.get_message(chat_id, message_id) if target_chat == chat_id else None
        if target is None or target.deleted:
            if tolerant:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _check_send_options(self, p: Params) -> None:
        """Type-check the options the sandbox stores nowhere, as Telegram would."""
        p.get_int("message_thread_id")
        p.get_bool("disable_notification")
        p.get_bool("allow_paid_broadcast")
        p.get_str("message_effect_id")

    def _bot_message(self, chat_id: int, **fields: Any) -> SandboxMessage:
        return self.world.put(self.world.new_message(chat_id, self.world.bot_user, **fields))

    # -- sending -------------------------------------------------------------------------------

    async def send_message(self, p: Params) -> Reply:
        chat_id = self._writable_chat(p)
        text, entities, html = self._formatted(
            p.need_str("text"), p.get_str("parse_mode"), p.get_json("entities"), "entities"
        )
        if not text:
            raise bad_request("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        markup = self._reply_markup(p, inline_only=False)
        reply_to = self._reply_target(p, chat_id)
        preview = p.get_json("link_preview_options")
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
            link_preview_options=preview if isinstance(preview, dict) else None,
        )
        return Reply(message.to_dict(), chat_id, message)

    def _caption(self, p: Params) -> tuple[str, list[dict[str, Any]], str | None]:
        raw = p.get_str("caption")
        if raw is None:
            return "", [], None
        text, entities, html = self._formatted(
            raw, p.get_str("parse_mode"), p.get_json("caption_entities"), "caption_entities"
        )
        if len(text) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
        return text, entities, html

    def _input_file(self, p: Params, name: str, kind: str) -> StoredFile:
        value = p.get_file(name, required=True)
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            width = height = 0
            if kind == "photo":
                size = image_size(value.data)
                if size is None:
                    raise bad_request("IMAGE_PROCESS_FAILED")
                width, height = size
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                guessed = mimetypes.guess_type(value.filename or "")[0]
                mime = guessed or mime
            return self.world.store_file(
                value.data,
                kind=kind,
                file_name=value.filename if kind == "document" else None,
                mime_type=mime if kind == "document" else None,
                width=width,
                height=height,
            )
        assert isinstance(value, str)
        if value.lower().startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        stored = self.world.files.get(value)
        if stored is None or stored.info.kind != kind:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    async def _send_file(self, p: Params, kind: str) -> Reply:
        chat_id = self._writable_chat(p)
        stored = self._input_file(p, kind, kind)
        caption, entities, html = self._caption(p)
        markup = self._reply_markup(p, inline_only=False)
        reply_to = self._reply_target(p, chat_id)
        self._check_send_options(p)
        self._throttle(chat_id)
        message = self._bot_message(
            chat_id,
            text=caption,
            html=html,
            entities=entities,
            reply_markup=markup,
            reply_to=reply_to,
            protect_content=p.get_bool("protect_content"),
            **{kind: stored.info},
        )
        return Reply(message.to_dict(), chat_id, message)

    async def send_document(self, p: Params) -> Reply:
        return await self._send_file(p, "document")

    async def send_photo(self, p: Params) -> Reply:
        return await self._send_file(p, "photo")

    async def get_file(self, p: Params) -> Reply:
        stored = self.world.files.get(p.need_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        return Reply(
            {
                "file_id": stored.info.file_id,
                "file_unique_id": stored.info.file_unique_id,
                "file_size": stored.info.file_size,
                "file_path": stored.file_path,
            }
        )

    # -- editing and deleting ------------------------------------------------------------------

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

    async def edit_message_text(self, p: Params) -> Reply:
        chat_id, current = self._editable(p)
        if current.document is not None or current.photo is not None:
            raise bad_request("there is no text in the message to edit")
        text, entities, html = self._formatted(
            p.need_str("text"), p.get_str("parse_mode"), p.get_json("entities"), "entities"
        )
        if not text:
            raise bad_request("text must be non-empty")
        if len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        markup = self._reply_markup(p, inline_only=True)
        if (text, entities, markup) == (
            current.text,
            current.entities,
            _inline(current.reply_markup),
        ):
            raise bad_request(MESSAGE_NOT_MODIFIED)
        preview = p.get_json("link_preview_options")
        edited = self._store_edit(
            current,
            text=text,
            html=html,
            entities=entities,
            reply_markup=markup,
            edit_date=self.world.now(),
            link_preview_options=preview if isinstance(preview, dict) else None,
        )
        return Reply(edited.to_dict(), chat_id, edited)

    async def edit_message_caption(self, p: Params) -> Reply:
        chat_id, current = self._editable(p)
        if current.document is None and current.photo is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities, html = self._caption(p)
        markup = self._reply_markup(p, inline_only=True)
        if (caption, entities, markup) == (
            current.text,
            current.entities,
            _inline(current.reply_markup),
        ):
            raise bad_request(MESSAGE_NOT_MODIFIED)
        edited = self._store_edit(
            current,
            text=caption,
            html=html,
            entities=entities,
            reply_markup=markup,
            edit_date=self.world.now(),
        )
        return Reply(edited.to_dict(), chat_id, edited)

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

    # -- callback queries ----------------------------------------------------------------------

    async def answer_callback_query(self, p: Params) -> Reply:
        query_id = p.need_str("callback_query_id")
        state = self.world.callback_queries.get(query_id)
        if state is None or state.answer is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.get_str("text")
        if text is not None and len(text) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        state.answer = CallbackAnswer(
            query_id=query_id,
            text=text,
            show_alert=p.get_bool("show_alert"),
            url=p.get_str("url"),
            cache_time=p.get_int("cache_time") or 0,
        )
        return Reply(True, state.chat_id)

    # -- chat information ----------------------------------------------------------------------

    async def get_chat(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        info = self.world.chat_dict(chat_id)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        )
        state = self.world.group(chat_id)
        if state is not None:
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
            }
            live = [
                m
                for mid in state.pinned
                if (m := self.world.get_message(chat_id, mid)) is not None and not m.deleted
            ]
            if live:
                info["pinned_message"] = live[-1].to_dict(with_reply=False)
        return Reply(info, chat_id)

    async def get_chat_member(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        user = self.world.user_by_id(p.need_int("user_id"))
        if user is None:
            raise bad_request("user not found")
        return Reply(self.world.member_dict(chat_id, user), chat_id)

    async def get_chat_administrators(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        state = self.world.group(chat_id)
        if state is None:
            raise bad_request("there are no administrators in the private chat")
        order = ("creator", "administrator")
        admins = sorted(
            (uid for uid, status in state.members.items() if status in order),
            key=lambda uid: order.index(state.members[uid]),
        )
        result = []
        for user_id in admins:
            user = self.world.user_by_id(user_id)
            if user is not None:
                result.append(chat_member_dict(user, state.members[user_id], supergroup=state.is_supergroup))
        return Reply(result, chat_id)

    async def get_chat_member_count(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        state = self.world.group(chat_id)
        if state is None:
            return Reply(2, chat_id)
        count = sum(1 for status in state.members.values() if status in MEMBER_STATUSES)
        return Reply(count, chat_id)

    # -- pins ----------------------------------------------------------------------------------

    def _pin_rights(self, p: Params) -> int:
        chat_id = self._writable_chat(p)
        if not self._is_admin(chat_id):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        return chat_id

    async def pin(self, p: Params) -> Reply:
        chat_id = self._pin_rights(p)
        message = self.world.get_message(chat_id, p.need_int("message_id"))
        if message is None or message.deleted or message.is_service:
            raise bad_request("message to pin not found")
        p.get_bool("disable_notification")
        state = self.world.group(chat_id)
        if state is not None:
            if message.message_id in state.pinned:
                state.pinned.remove(message.message_id)
            state.pinned.append(message.message_id)
        self._bot_message(chat_id, service={"pinned_message": message.to_dict(with_reply=False)})
        return Reply(True, chat_id)

    async def unpin(self, p: Params) -> Reply:
        chat_id = self._pin_rights(p)
        state = self.world.group(chat_id)
        message_id = p.get_int("message_id")
        if message_id is not None and self.world.get_message(chat_id, message_id) is None:
            raise bad_request("message to unpin not found")
        if state is not None and state.pinned:
            if message_id is None:
                state.pinned.pop()
            elif message_id in state.pinned:
                state.pinned.remove(message_id)
        return Reply(True, chat_id)

    async def unpin_all(self, p: Params) -> Reply:
        chat_id = self._pin_rights(p)
        state = self.world.group(chat_id)
        if state is not None:
            state.pinned.clear()
        return Reply(True, chat_id)

    # -- commands and profile texts ------------------------------------------------------------

    def _scope(self, p: Params) -> str:
        scope = p.get_json("scope")
        try:
            key = scope_key(scope)
        except ValueError as error:
            raise bad_request("wrong type of parameter scope") from error
        chat_id = json.loads(key).get("chat_id")
        known = chat_id in self.world.users or chat_id in self.world.groups
        if isinstance(chat_id, int) and not known:
            raise bad_request("chat not found")
        return key

    async def set_my_commands(self, p: Params) -> Reply:
        commands = p.get_json("commands", required=True)
        if not isinstance(commands, list):
            raise bad_request("wrong type of parameter commands")
        if len(commands) > COMMANDS_LIMIT:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        stored = []
        for entry in commands:
            if not isinstance(entry, dict):
                raise bad_request("wrong type of parameter commands")
            command, description = entry.get("command"), entry.get("description")
            if not isinstance(command, str) or not (
                1 <= len(command) <= 32
                and all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in command)
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": command, "description": description})
        key = (self._scope(p), p.get_str("language_code") or "")
        if stored:
            self.world.commands[key] = stored
        else:
            self.world.commands.pop(key, None)
        return Reply(True)

    async def get_my_commands(self, p: Params) -> Reply:
        key = (self._scope(p), p.get_str("language_code") or "")
        return Reply([dict(c) for c in self.world.commands.get(key, [])])

    async def delete_my_commands(self, p: Params) -> Reply:
        key = (self._scope(p), p.get_str("language_code") or "")
        self.world.commands.pop(key, None)
        return Reply(True)

    def _text_setter(self, field: str) -> Handler:
        async def setter(p: Params) -> Reply:
            value = p.get_str(field) or ""
            if len(value) > _TEXT_LIMITS[field]:
                raise bad_request(f"{field.replace('_', ' ')} is too long")
            key = (field, p.get_str("language_code") or "")
            if value:
                self.world.bot_texts[key] = value
            else:
                self.world.bot_texts.pop(key, None)
            return Reply(True)

        return setter

    def _text_getter(self, field: str) -> Handler:
        async def getter(p: Params) -> Reply:
            language = p.get_str("language_code") or ""
            texts = self.world.bot_texts
            value = texts.get((field, language), texts.get((field, ""), ""))
            if field == "name" and not value:
                value = self.world.bot_user.first_name
            return Reply({field: value})

        return getter

    # -- presence ------------------------------------------------------------------------------

    async def send_chat_action(self, p: Params) -> Reply:
        chat_id = self._writable_chat(p)
        p.get_int("message_thread_id")
        if p.need_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return Reply(True, chat_id)

    async def leave_chat(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        if chat_id > 0:
            raise bad_request("chat member status can't be changed in private chats")
        self.world.bot_leaves(chat_id)
        return Reply(True, chat_id)
