"""The sandbox against the Bot API spec: what it serves, what it accepts, what it returns.

A realistic session through PTB touches every method and update kind the sandbox produces;
each raw reply is checked against the spec here (independently of the sandbox's own strict
check) and parsed by PTB, which must find no field it does not know.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotDescription,
    BotName,
    BotShortDescription,
    ChatFullInfo,
    ChatMember,
    File,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    TelegramObject,
    Update,
    User,
    WebhookInfo,
)
from telegram.error import BadRequest

from sandbox import Sandbox
from sandbox.spec import BotApiSpec, default_spec_path
from tests.foundation.sandbox_helpers import Reply, call, make_bot

SPEC = BotApiSpec.load()
pytestmark = pytest.mark.skipif(SPEC is None, reason="the Bot API spec file is not available")
PTB_TYPES: dict[str, type[TelegramObject]] = {
    "Message": Message,
    "User": User,
    "ChatFullInfo": ChatFullInfo,
    "ChatMember": ChatMember,
    "File": File,
    "WebhookInfo": WebhookInfo,
    "BotCommand": BotCommand,
    "BotDescription": BotDescription,
    "BotShortDescription": BotShortDescription,
    "BotName": BotName,
    "Update": Update,
}
REQUIRED_METHODS = {
    "getMe", "getUpdates", "deleteWebhook", "getWebhookInfo", "logOut", "close", "sendMessage",
    "editMessageText", "editMessageReplyMarkup", "deleteMessage", "deleteMessages",
    "answerCallbackQuery", "getChat", "getChatMember", "getChatAdministrators",
    "getChatMemberCount", "setMyCommands", "getMyCommands", "deleteMyCommands",
    "setMyDescription", "setMyShortDescription", "pinChatMessage", "unpinChatMessage",
    "sendDocument", "sendPhoto", "getFile", "sendChatAction", "leaveChat",
}  # fmt: skip
ALL_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]


def spec() -> BotApiSpec:
    assert SPEC is not None
    return SPEC


def tiny_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def unknown_to_ptb(obj: Any, path: str = "") -> list[str]:
    """Fields PTB had to park in api_kwargs, i.e. fields it does not know, anywhere in `obj`."""
    found: list[str] = []
    if isinstance(obj, TelegramObject):
        if obj.api_kwargs:
            found.append(f"{path or type(obj).__name__}: {sorted(obj.api_kwargs)}")
        for name, value in obj._get_attrs(include_private=False, recursive=False).items():
            found += unknown_to_ptb(value, f"{path}.{name}")
    elif isinstance(obj, list | tuple):
        for index, item in enumerate(obj):
            found += unknown_to_ptb(item, f"{path}[{index}]")
    return found


def parse_with_ptb(types: tuple[str, ...], value: Any, bot: Bot) -> list[str]:
    """Parse a result as PTB does; return what PTB did not understand."""
    for type_name in types:
        inner = type_name.removeprefix("Array of ")
        if type_name.startswith("Array of ") and isinstance(value, list):
            return [p for item in value for p in parse_with_ptb((inner,), item, bot)]
        if isinstance(value, dict) and type_name in PTB_TYPES:
            parsed = PTB_TYPES[type_name].de_json(value, bot)
            assert parsed is not None
            return unknown_to_ptb(parsed, type_name)
        if type_name in ("Boolean", "Integer", "String") and not isinstance(value, dict):
            return []
    return [f"no PTB type for {types} and {value!r}"]


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sandbox:
        yield sandbox


def test_every_served_method_and_parameter_is_in_the_spec() -> None:
    api = Sandbox().api
    served = {definition.name for definition in api.methods.values()}
    assert served >= REQUIRED_METHODS
    for definition in api.methods.values():
        method = spec().method(definition.name)
        assert method is not None, f"{definition.name} is not a Bot API method"
        assert method.name == definition.name
        assert definition.params <= set(method.fields), (
            f"{definition.name} accepts non-spec parameters {definition.params - set(method.fields)}"
        )
        required = {f.name for f in method.fields.values() if f.required}
        assert required <= definition.params, f"{definition.name} refuses required {required}"


def test_the_validator_itself_notices_bad_objects() -> None:
    user = {"id": 1, "is_bot": False, "first_name": "Kees"}
    assert spec().validate(["User"], user) == []
    assert any("requires 'first_name'" in p for p in spec().validate(["User"], {"id": 1, "is_bot": False}))
    assert any("no field 'nickname'" in p for p in spec().validate(["User"], {**user, "nickname": "k"}))
    assert any("expected Integer" in p for p in spec().validate(["User"], {**user, "id": "1"}))
    admin_without_rights = {"status": "administrator", "user": user}
    assert spec().validate(["ChatMember"], admin_without_rights) != []
    assert spec().validate(["ChatMember"], {"status": "kicked", "user": user}) != []  # until_date
    assert spec().validate(["ChatMember"], {"status": "kicked", "user": user, "until_date": 0}) == []
    assert spec().validate(["ChatMember"], {"status": "boss", "user": user}) != []
    assert spec().validate(["Array of Update"], [{"update_id": 1, "message": {"text": "x"}}]) != []


async def test_realistic_session_replies_match_the_spec_and_ptb(sb: Sandbox) -> None:
    log: list[Reply] = []
    marieke = sb.add_user("Marieke", "Jansen", username="marieke")
    fatma = sb.add_user("Fatma", "Yilmaz", language_code="tr")
    kees, anouk, newbie = sb.add_user("Kees"), sb.add_user("Anouk"), sb.add_user("Noor", language_code=None)
    group = sb.add_group("Flat De Linde", members=[kees, anouk], admins=[fatma], creator=marieke)
    other = sb.add_group("Fietsenstalling", members=[kees], supergroup=True)
    updates: list[dict[str, Any]] = []

    async with make_bot(sb, log) as bot:

        async def drain() -> None:
            offset = updates[-1]["update_id"] + 1 if updates else None
            for update in await bot.get_updates(offset=offset, timeout=0):
                updates.append(update.to_dict())

        await bot.get_me()
        await bot.delete_webhook()
        await bot.get_webhook_info()
        await bot.get_updates(timeout=0, allowed_updates=ALL_UPDATES)
        await sb.add_bot_to_group(group, by=fatma, as_admin=True)
        await sb.add_bot_to_group(other, by=kees)
        await sb.say(kees, group, "/help nu")
        await sb.say(anouk, group, "Wie heeft mijn fiets gezien? 🚲")
        await sb.join(group, newbie)
        await sb.leave(group, anouk)
        await sb.set_admin(group, kees)
        start = await sb.open_private(fatma, "welkom")
        await drain()

        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Ja", callback_data="yes")],
                [InlineKeyboardButton("Open", url="https://t.me/OmzienBot?start=x")],
            ]
        )
        sent = await bot.send_message(
            fatma.id,
            "<b>Kies</b> een taal, <a href='https://example.com'>uitleg</a>",
            parse_mode="HTML",
            reply_markup=keyboard,
            reply_parameters=ReplyParameters(start.message_id),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            protect_content=True,
            disable_notification=True,
        )
        press = await sb.tap(fatma, sb.messages(fatma)[-1], "Ja")
        await drain()
        await bot.answer_callback_query(press.query_id, text="Top", show_alert=False)
        await bot.edit_message_text(
            "Gekozen", chat_id=fatma.id, message_id=sent.message_id, reply_markup=keyboard
        )
        await bot.edit_message_reply_markup(chat_id=fatma.id, message_id=sent.message_id)
        await sb.say(fatma, fatma, "Dank je", reply_to=sb.message(fatma, sent.message_id))
        doc = await bot.send_document(
            group.id, b"%PDF-1.4 agenda", filename="agenda.pdf", caption="<i>Agenda</i>", parse_mode="HTML"
        )
        photo = await bot.send_photo(group.id, tiny_png(3, 2), caption="Foto")
        await bot.edit_message_caption(chat_id=group.id, message_id=photo.message_id, caption="Nieuwe foto")
        file = await bot.get_file(doc.document.file_id if doc.document else "")
        assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 agenda"
        await bot.get_chat(group.id)
        await bot.get_chat(fatma.id)
        for user in (marieke, fatma, kees, anouk, sb.bot_user):
            await bot.get_chat_member(group.id, user.id)
        await bot.get_chat_administrators(group.id)
        await bot.get_chat_member_count(group.id)
        await bot.set_my_commands(
            [BotCommand("help", "Hulp")], scope=BotCommandScopeAllPrivateChats(), language_code="nl"
        )
        await bot.set_my_commands([BotCommand("taal", "Taal")], scope=BotCommandScopeChat(group.id))
        await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="nl")
        await bot.delete_my_commands(scope=BotCommandScopeChat(group.id))
        await bot.set_my_description("Omzien helpt buren", language_code="nl")
        await bot.set_my_short_description("Buren")
        await bot.get_my_description(language_code="nl")
        await bot.get_my_short_description()
        await bot.get_my_name()
        await bot.pin_chat_message(group.id, doc.message_id, disable_notification=True)
        await bot.get_chat(group.id)  # now with pinned_message
        await bot.unpin_chat_message(group.id, doc.message_id)
        await bot.unpin_all_chat_messages(group.id)
        await bot.send_chat_action(group.id, "typing")
        await bot.delete_message(group.id, photo.message_id)
        await bot.delete_messages(group.id, [doc.message_id])
        await sb.block_bot(fatma)
        await sb.unblock_bot(fatma)
        supergroup = await sb.migrate_to_supergroup(group)
        await sb.remove_bot_from_group(supergroup, by=fatma)
        await bot.leave_chat(other.id)
        await drain()
        await bot.log_out()
        await bot.close()

        assert sb.violations == []
        for method, status, body in log:
            assert status == 200, (method, body)
            method_spec = spec().method(method)
            assert method_spec is not None
            assert spec().validate(method_spec.returns, body["result"]) == [], method
            assert parse_with_ptb(method_spec.returns, body["result"], bot) == [], method
        assert {method for method, _, _ in log} >= REQUIRED_METHODS

    kinds = {key for update in updates for key in update if key != "update_id"}
    assert kinds == {"message", "callback_query", "my_chat_member", "chat_member"}
    service = {key for u in updates if "message" in u for key in u["message"]}
    assert {"new_chat_members", "left_chat_member", "migrate_to_chat_id", "migrate_from_chat_id"} <= service
    assert {"reply_to_message", "entities"} <= service
    statuses = {
        u[kind]["new_chat_member"]["status"]
        for u in updates
        for kind in ("my_chat_member", "chat_member")
        if kind in u
    }
    assert statuses == {"administrator", "member", "left", "kicked"}


async def test_requests_are_checked_against_the_spec(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)
    status, body = await call(sb, "sendMessage", data={"chat_id": kees.id, "text": "x", "colour": "red"})
    assert (status, body["description"]) == (400, "Bad Request: unknown parameter colour")
    status, body = await call(sb, "sendMessage", data={"chat_id": kees.id})
    assert (status, body["description"]) == (400, "Bad Request: text is required")
    status, body = await call(
        sb, "sendMessage", data={"chat_id": kees.id, "text": "x", "disable_notification": "maybe"}
    )
    assert (status, body["description"]) == (400, "Bad Request: wrong type of parameter disable_notification")
    status, body = await call(
        sb, "sendMessage", data={"chat_id": kees.id, "text": "x", "reply_markup": "{not json"}
    )
    assert (status, body["description"]) == (400, "Bad Request: wrong type of parameter reply_markup")
    status, body = await call(
        sb, "sendMessage", data={"chat_id": kees.id, "text": "x", "business_connection_id": "b"}
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: parameter business_connection_id is not supported by the sandbox",
    )
    status, _ = await call(sb, "getMyNickname")
    assert status == 404
    status, body = await call(sb, "sendPoll", data={"chat_id": kees.id, "question": "?", "options": "[]"})
    assert (status, body["description"]) == (
        400,
        "Bad Request: method sendPoll is not supported by the sandbox",
    )
    methods = [v.split(":")[0] for v in sb.violations]
    assert methods == [*["sendMessage"] * 5, "getMyNickname", "sendPoll"]
    assert "unknown parameter 'colour'" in sb.violations[0]
    assert "required parameter 'text' is missing" in sb.violations[1]


def limit(owner: dict[str, Any], field: str) -> tuple[int, int, str]:
    """The "A-B characters|bytes" range a spec description gives for `field`."""
    description = next(f["description"] for f in owner["fields"] if f["name"] == field)
    match = re.search(r"(\d+)-(\d+) (characters|bytes)", description)
    assert match, description
    return int(match.group(1)), int(match.group(2)), match.group(3)


def raw_spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_spec_path().read_text(encoding="utf-8"))
    return data


async def test_limits_written_in_the_spec_hold(sb: Sandbox) -> None:
    data = raw_spec()
    kees = sb.add_user("Kees")
    await sb.open_private(kees)

    _, text_max, unit = limit(data["methods"]["sendMessage"], "text")
    assert (text_max, unit) == (4096, "characters")
    assert (await call(sb, "sendMessage", data={"chat_id": kees.id, "text": "é" * text_max}))[0] == 200
    html = {"chat_id": kees.id, "text": f"<b>{'x' * text_max}</b>", "parse_mode": "HTML"}
    assert (await call(sb, "sendMessage", data=html))[0] == 200  # counted after parsing
    status, body = await call(sb, "sendMessage", data={"chat_id": kees.id, "text": "x" * (text_max + 1)})
    assert (status, body["description"]) == (400, "Bad Request: message is too long")

    data_min, data_max, unit = limit(data["types"]["InlineKeyboardButton"], "callback_data")
    assert (data_min, data_max, unit) == (1, 64, "bytes")

    def keyboard(callback_data: str) -> dict[str, Any]:
        markup = {"inline_keyboard": [[{"text": "b", "callback_data": callback_data}]]}
        return {"chat_id": kees.id, "text": "kies", "reply_markup": markup}

    for fits in ("a" * data_max, "é" * (data_max // 2)):
        assert (await call(sb, "sendMessage", json_body=keyboard(fits)))[0] == 200
    for too_long in ("a" * (data_max + 1), "é" * (data_max // 2 + 1), ""):
        status, body = await call(sb, "sendMessage", json_body=keyboard(too_long))
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")

    _, answer_max, _ = limit(data["methods"]["answerCallbackQuery"], "text")
    assert answer_max == 200
    message = sb.bot_messages(kees)[-1]
    for text, expected in (("x" * (answer_max + 1), 400), ("x" * answer_max, 200)):
        press = await sb.tap(kees, message, "b")
        status, body = await call(
            sb, "answerCallbackQuery", data={"callback_query_id": press.query_id, "text": text}
        )
        assert status == expected, body
        if status == 400:
            assert body["description"] == "Bad Request: MESSAGE_TOO_LONG"

    _, caption_max, _ = limit(data["methods"]["sendDocument"], "caption")
    for caption, expected in (("c" * caption_max, 200), ("c" * (caption_max + 1), 400)):
        files = {"document": ("a.txt", b"a", "text/plain")}
        status, body = await call(
            sb, "sendDocument", data={"chat_id": kees.id, "caption": caption}, files=files
        )
        assert status == expected, body

    _, command_max, _ = limit(data["types"]["BotCommand"], "command")
    _, description_max, _ = limit(data["types"]["BotCommand"], "description")
    for command, description, expected in (
        ("a" * command_max, "d" * description_max, 200),
        ("a" * (command_max + 1), "d", 400),
        ("Help", "d", 400),
        ("help", "d" * (description_max + 1), 400),
    ):
        payload = {"commands": [{"command": command, "description": description}]}
        assert (await call(sb, "setMyCommands", json_body=payload))[0] == expected

    for method, field in (
        ("setMyDescription", "description"),
        ("setMyShortDescription", "short_description"),
    ):
        _, most, _ = limit(data["methods"][method], field)
        assert (await call(sb, method, data={field: "d" * most}))[0] == 200
        assert (await call(sb, method, data={field: "d" * (most + 1)}))[0] == 400
    assert sb.violations == []


async def test_ptb_reads_limit_errors_as_bad_request(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)
    async with make_bot(sb) as bot:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(kees.id, "x" * 4097)


async def test_without_the_spec_file_the_sandbox_still_serves(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("OMZIEN_BOT_API_SPEC", str(tmp_path / "absent.json"))
    async with Sandbox() as sb:
        assert sb.spec is None and sb.strict is False
        kees = sb.add_user("Kees")
        await sb.open_private(kees)
        async with make_bot(sb) as bot:
            sent = await bot.send_message(kees.id, "<b>hoi</b>", parse_mode="HTML", disable_notification=True)
            assert sent.text == "hoi" and sent.chat.id == kees.id
        status, body = await call(sb, "sendMessage", data={"chat_id": kees.id, "text": "x", "colour": "red"})
        assert (status, body["description"]) == (400, "Bad Request: unknown parameter colour")
        assert sb.violations == []
