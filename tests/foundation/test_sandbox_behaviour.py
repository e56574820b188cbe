"""The sandbox behaves like Telegram towards a real PTB bot and raw HTTP clients."""

from __future__ import annotations

import asyncio
import json
import time
import warnings
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from sandbox import Sandbox, SandboxMessage
from tests.foundation.sandbox_helpers import FakeClock, call, make_bot

ALL_UPDATES = ["message", "callback_query", "my_chat_member", "chat_member"]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sandbox:
        yield sandbox


async def fetch(sb: Sandbox, **params: Any) -> list[dict[str, Any]]:
    """getUpdates over raw HTTP; the updates it returned."""
    status, body = await call(sb, "getUpdates", json_body=params)
    assert status == 200, body
    updates: list[dict[str, Any]] = body["result"]
    return updates


async def confirm_all(sb: Sandbox) -> list[dict[str, Any]]:
    updates = await fetch(sb)
    if updates:
        await fetch(sb, offset=updates[-1]["update_id"] + 1)
    return updates


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower())] for label in labels]
    )


# -- HTTP surface ---------------------------------------------------------------------------------


async def test_every_encoding_of_parameters_is_understood(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}

    status, body = await call(sb, "getMe", http_method="GET")
    assert (status, body["result"]["username"]) == (200, "OmzienBot")
    status, body = await call(sb, "sendMessage", params={"chat_id": kees.id, "text": "query"})
    assert (status, body["result"]["text"]) == (200, "query")
    status, body = await call(
        sb, "sendMessage", data={"chat_id": str(kees.id), "text": "form", "reply_markup": json.dumps(markup)}
    )
    assert body["result"]["reply_markup"] == markup
    status, body = await call(
        sb, "sendMessage", json_body={"chat_id": kees.id, "text": "json", "reply_markup": markup}
    )
    assert body["result"]["reply_markup"] == markup
    status, body = await call(
        sb, "sendMessage", json_body={"chat_id": str(kees.id), "text": "json", "protect_content": "true"}
    )
    assert body["result"]["has_protected_content"] is True
    status, body = await call(
        sb,
        "sendDocument",
        data={"chat_id": str(kees.id), "caption": "multipart"},
        files={"document": ("lijst.csv", b"a,b\n", "text/csv")},
    )
    assert body["result"]["document"]["file_name"] == "lijst.csv"
    assert body["result"]["document"]["mime_type"] == "text/csv"
    assert (await call(sb, "SENDMESSAGE", data={"chat_id": kees.id, "text": "case"}))[0] == 200
    assert sb.stats.calls["sendMessage"] == 5 and sb.stats.calls["getMe"] == 1
    assert sb.violations == []


async def test_wrong_token_and_unknown_method_answer_like_telegram(sb: Sandbox) -> None:
    status, body = await call(sb, "getMe", token="123456:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await call(sb, "getMeNow")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sb.url}/file/bot123456:WRONG/documents/x")
    assert response.status_code == 401


# -- polling -------------------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    async with make_bot(sb) as bot:
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        assert not poll.done()
        await sb.say(kees, kees, "Hallo")
        updates = await poll
        assert time.monotonic() - started < 2
        assert [u.message.text for u in updates if u.message] == ["Hallo"]


async def test_long_poll_without_updates_returns_empty_after_its_timeout(sb: Sandbox) -> None:
    async with make_bot(sb) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert 0.9 <= time.monotonic() - started < 3


async def test_offset_confirms_and_forgets_earlier_updates(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    for text in ("een", "twee", "drie"):
        await sb.say(kees, kees, text)
    first = await fetch(sb, limit=2)
    assert [u["message"]["text"] for u in first] == ["een", "twee"]
    assert sb.pending_updates == 3
    again = await fetch(sb)  # unconfirmed updates come again
    assert [u["update_id"] for u in again][:2] == [u["update_id"] for u in first]
    rest = await fetch(sb, offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["drie"]
    assert sb.pending_updates == 1
    await fetch(sb, offset=rest[-1]["update_id"] + 1)
    assert sb.pending_updates == 0
    for text in ("vier", "vijf", "zes"):
        await sb.say(kees, kees, text)
    assert [u["message"]["text"] for u in await fetch(sb, offset=-1)] == ["zes"]
    assert sb.pending_updates == 1


async def test_redelivered_update_comes_back_with_the_same_id(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    sent = await sb.say(kees, kees, "/help")
    delivered = await confirm_all(sb)
    assert delivered[0]["update_id"] == sent.update_id
    assert sb.pending_updates == 0
    await sb.redeliver(delivered[0]["update_id"])
    later = await sb.say(kees, kees, "later")
    assert sb.pending_updates == 2
    again = await fetch(sb, offset=delivered[0]["update_id"] + 1)  # the bot's usual next offset
    assert [u["update_id"] for u in again] == [sent.update_id, later.update_id]
    assert again[0] == delivered[0]
    await fetch(sb, offset=again[-1]["update_id"] + 1)
    assert sb.pending_updates == 0
    with pytest.raises(LookupError):
        await sb.redeliver(1)


async def test_settle_waits_until_the_bot_has_handled_every_delivered_update(sb: Sandbox) -> None:
    """Not a stretch of silence: the bot's own word that it has finished (`handled_checks`)."""
    kees = sb.add_user("Kees")
    handled: set[int] = set()
    asked: list[tuple[int, ...]] = []

    async def finished(delivered: Sequence[int]) -> bool:
        asked.append(tuple(delivered))
        return set(delivered) <= handled

    sb.handled_checks.append(finished)
    async with make_bot(sb) as bot:
        await sb.say(kees, kees, "Hallo")
        [update] = await bot.get_updates(timeout=1)
        assert sb.delivered_updates == [update.update_id]
        with pytest.raises(TimeoutError, match="did not settle"):
            await sb.settle(timeout=0.3)
        handled.add(update.update_id)
        await sb.settle(timeout=1)
    assert asked[-1] == (update.update_id,)


async def test_a_second_poller_terminates_the_first(sb: Sandbox) -> None:
    async with make_bot(sb) as first, make_bot(sb) as second:
        waiting = asyncio.create_task(first.get_updates(timeout=3))
        await asyncio.sleep(0.2)
        await second.get_updates(timeout=0)
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting


async def test_allowed_updates_are_kept_and_default_leaves_out_chat_member(sb: Sandbox) -> None:
    fatma, kees, anouk = sb.add_user("Fatma"), sb.add_user("Kees"), sb.add_user("Anouk")
    group = sb.add_group("Flat", members=[kees], admins=[fatma])
    await sb.add_bot_to_group(group, by=fatma, as_admin=True)
    await sb.join(group, anouk)
    kinds = [next(k for k in u if k != "update_id") for u in await confirm_all(sb)]
    assert kinds == ["my_chat_member", "message", "message"]  # no chat_member by default
    await fetch(sb, allowed_updates=ALL_UPDATES)
    await sb.leave(group, anouk)
    kinds = [next(k for k in u if k != "update_id") for u in await confirm_all(sb)]
    assert kinds == ["message", "chat_member"]
    await fetch(sb, allowed_updates=["callback_query"])  # kept for later calls without the parameter
    await sb.say(kees, kees, "hallo")
    assert await fetch(sb) == [] and sb.pending_updates == 0


async def test_raw_updates_pass_verbatim_and_are_exempt_from_the_spec_check(sb: Sandbox) -> None:
    update_id = await sb.raw_update({"update_id": 1, "edited_message": {"odd": True}})
    assert await fetch(sb) == [{"update_id": update_id, "edited_message": {"odd": True}}]
    assert sb.violations == []


# -- privacy mode and membership -----------------------------------------------------------------


async def test_privacy_mode_hands_the_bot_only_commands_replies_and_service_messages(sb: Sandbox) -> None:
    fatma, kees = sb.add_user("Fatma"), sb.add_user("Kees")
    group = sb.add_group("Flat", members=[kees], admins=[fatma])
    await sb.add_bot_to_group(group, by=fatma)
    await confirm_all(sb)
    talk = await sb.say(kees, group, "Wie heeft mijn fiets gezien?")
    other_bot = await sb.say(kees, group, "/help", mention=False)
    assert talk.update_id is None
    assert other_bot.update_id is not None and other_bot.text == "/help"
    mentioned = await sb.say(kees, group, "/help nu")
    assert mentioned.text == "/help@OmzienBot nu"
    assert mentioned.entities == [{"type": "bot_command", "offset": 0, "length": 15}]
    not_ours = await sb.say(kees, group, "/help@OtherBot")
    assert not_ours.update_id is None
    _, body = await call(sb, "sendMessage", data={"chat_id": group.id, "text": "Hoi buren"})
    answer = await sb.say(kees, group, "Dank je", reply_to=sb.message(group, body["result"]["message_id"]))
    texts = [u["message"]["text"] for u in await confirm_all(sb)]
    assert texts == ["/help", "/help@OmzienBot nu", "Dank je"]
    assert answer.update_id is not None
    assert [m.text for m in sb.messages(group)][-3:] == ["/help@OtherBot", "Hoi buren", "Dank je"]

    await sb.set_admin(group, sb.bot_user)  # admins are not held to privacy mode
    admin_updates = await confirm_all(sb)
    assert admin_updates[0]["my_chat_member"]["new_chat_member"]["status"] == "administrator"
    assert (await sb.say(kees, group, "gewoon praten")).update_id is not None


async def test_the_resident_actions_write_open_and_tap_as_the_finer_steps_do(sb: Sandbox) -> None:
    """`say`, `open_private` and `tap`: a command is addressed to the bot in a group only,
    anything else goes as typed; a deep link or a payload opens the private chat; a tap needs
    the button unless it is forged."""
    fatma, kees = sb.add_user("Fatma"), sb.add_user("Kees")
    group = sb.add_group("Flat", members=[kees], admins=[fatma])
    await sb.add_bot_to_group(group, by=fatma)
    said = [await sb.say(kees, group, text) for text in (
        "/vraag", "/vraag melk halen", "/weghalen@OmzienBot", "/help@OtherBot", "Goedemorgen")]
    assert [m.text for m in said] == [
        "/vraag@OmzienBot", "/vraag@OmzienBot melk halen", "/weghalen@OmzienBot", "/help@OtherBot",
        "Goedemorgen"]
    assert (await sb.say(kees, group, "/help", mention=False)).text == "/help"
    opened = [await sb.open_private(fatma, way) for way in (
        None, "welkom", "https://t.me/OmzienBot?start=welkom", "https://t.me/OmzienBot?start=n!et")]
    assert [m.text for m in opened] == ["/start", "/start welkom", "/start welkom", "/start"]
    assert (await sb.say(fatma, fatma, "/vraag")).text == "/vraag"
    _, body = await call(sb, "sendMessage", json_body={
        "chat_id": group.id, "text": "Kies", "reply_markup": keyboard("Ja").to_dict()})
    card = sb.message(group, body["result"]["message_id"])
    assert card is not None
    tapped = await sb.tap(kees, card, "Ja")
    forged = await sb.tap(kees, card, "nee", forged=True)
    assert [sb.world.callback_queries[q.query_id].data for q in (tapped, forged)] == ["ja", "nee"]
    with pytest.raises(LookupError):
        await sb.tap(kees, card, "Nee")


async def test_membership_is_real(sb: Sandbox) -> None:
    fatma, kees, noor = sb.add_user("Fatma"), sb.add_user("Kees"), sb.add_user("Noor")
    creator = sb.add_user("Marieke")
    group = sb.add_group("Flat", members=[kees], admins=[fatma], creator=creator)
    await sb.add_bot_to_group(group, by=kees)
    async with make_bot(sb) as bot:

        async def status(user_id: int) -> str:
            return str((await bot.get_chat_member(group.id, user_id)).status)

        assert [await status(u.id) for u in (creator, fatma, kees, noor)] == [
            "creator",
            "administrator",
            "member",
            "left",
        ]
        await sb.join(group, noor)
        assert await status(noor.id) == "member"
        await sb.set_admin(group, noor)
        assert await status(noor.id) == "administrator"
        await sb.leave(group, noor)
        assert await status(noor.id) == "left"
        assert await bot.get_chat_member_count(group.id) == 4  # creator, admin, member and the bot
        admins = await bot.get_chat_administrators(group.id)
        assert [a.user.id for a in admins] == [creator.id, fatma.id]
        with pytest.raises(BadRequest, match="User not found"):
            await bot.get_chat_member(group.id, 42)
    with pytest.raises(ValueError, match="is not in"):
        await sb.say(noor, group, "Ik ben weg")


async def test_private_chats_need_start_and_respect_blocking(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    async with make_bot(sb) as bot:
        with pytest.raises(Forbidden, match="can't initiate conversation with a user"):
            await bot.send_message(kees.id, "Hoi")
        await sb.open_private(kees)
        await bot.send_message(kees.id, "Hoi")
        await confirm_all(sb)
        await sb.block_bot(kees)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(kees.id, "Hoi?")
        status, body = await call(sb, "sendMessage", data={"chat_id": kees.id, "text": "x"})
        assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
        blocked = (await confirm_all(sb))[0]["my_chat_member"]
        assert (blocked["old_chat_member"]["status"], blocked["new_chat_member"]["status"]) == (
            "member",
            "kicked",
        )
        with pytest.raises(ValueError, match="blocked the bot"):
            await sb.say(kees, kees, "hallo")
        await sb.unblock_bot(kees)
        await bot.send_message(kees.id, "Welkom terug")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(99, "Wie?")


async def test_groups_without_the_bot_answer_forbidden(sb: Sandbox) -> None:
    fatma = sb.add_user("Fatma")
    group = sb.add_group("Flat", admins=[fatma])
    hall = sb.add_group("Hal", admins=[fatma], supergroup=True)

    async def send(chat_id: int) -> tuple[int, str]:
        status, body = await call(sb, "sendMessage", data={"chat_id": chat_id, "text": "x"})
        return status, body.get("description", "")

    assert await send(group.id) == (400, "Bad Request: chat not found")
    await sb.add_bot_to_group(group, by=fatma)
    await sb.remove_bot_from_group(group, by=fatma)
    assert await send(group.id) == (403, "Forbidden: bot was kicked from the group chat")
    await sb.add_bot_to_group(group, by=fatma)
    await sb.remove_bot_from_group(group, by=fatma, kicked=False)
    assert await send(group.id) == (403, "Forbidden: bot is not a member of the group chat")
    await sb.add_bot_to_group(hall, by=fatma)
    assert (await call(sb, "leaveChat", data={"chat_id": hall.id}))[0] == 200
    assert await send(hall.id) == (403, "Forbidden: bot is not a member of the supergroup chat")


async def test_migration_to_a_supergroup(sb: Sandbox) -> None:
    fatma, kees = sb.add_user("Fatma"), sb.add_user("Kees")
    group = sb.add_group("Flat", members=[kees], admins=[fatma])
    await sb.add_bot_to_group(group, by=fatma)
    await confirm_all(sb)
    supergroup = await sb.migrate_to_supergroup(group)
    assert supergroup.type == "supergroup" and str(supergroup.id).startswith("-100")
    messages = [u["message"] for u in await confirm_all(sb)]
    assert [
        (m["chat"]["id"], m.get("migrate_to_chat_id"), m.get("migrate_from_chat_id")) for m in messages
    ] == [
        (group.id, supergroup.id, None),
        (supergroup.id, None, group.id),
    ]
    status, body = await call(sb, "sendMessage", data={"chat_id": group.id, "text": "x"})
    assert status == 400
    assert body["description"] == "Bad Request: group chat was upgraded to a supergroup chat"
    assert body["parameters"] == {"migrate_to_chat_id": supergroup.id}
    async with make_bot(sb) as bot:
        with pytest.raises(ChatMigrated) as migrated:
            await bot.get_chat(group.id)
        assert migrated.value.new_chat_id == supergroup.id
        assert (await bot.get_chat_member(supergroup.id, kees.id)).status == "member"
    with pytest.raises(ValueError, match="upgraded"):
        await sb.say(kees, group, "hallo?")
    assert (await sb.say(kees, supergroup, "/help")).update_id is not None


# -- flood limits and faults ---------------------------------------------------------------------


async def test_a_group_gets_429_on_its_message_over_the_minute_limit() -> None:
    clock = FakeClock()
    async with Sandbox(group_limit_per_minute=3, clock=clock) as sb:
        fatma = sb.add_user("Fatma")
        group = sb.add_group("Flat", admins=[fatma])
        await sb.add_bot_to_group(group, by=fatma)
        for _ in range(2):
            assert (await call(sb, "sendMessage", data={"chat_id": group.id, "text": "x"}))[0] == 200
            clock.advance(10)
        status, body = await call(sb, "sendMessage", data={"chat_id": group.id, "text": "x"})
        message_id = body["result"]["message_id"]
        edit = {"chat_id": group.id, "message_id": message_id, "text": "edited"}
        status, body = await call(sb, "editMessageText", data=edit)  # edits count too
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 40",
            "parameters": {"retry_after": 40},
        }
        clock.advance(39.5)
        status, body = await call(sb, "sendMessage", data={"chat_id": group.id, "text": "x"})
        assert (status, body["parameters"]["retry_after"]) == (429, 1)  # at least 1, rounded up
        clock.advance(0.5)
        assert (await call(sb, "editMessageText", data=edit))[0] == 200
        async with make_bot(sb) as bot:
            with pytest.raises(RetryAfter), warnings.catch_warnings():
                warnings.simplefilter("ignore", PTBDeprecationWarning)  # PTB's own retry_after notice
                await bot.send_message(group.id, "x")
        assert sb.stats.too_many_requests == 3
        assert sb.stats.too_many_requests_by_chat[group.id] == 3
        assert sb.stats.calls["sendMessage"] == 5


async def test_overall_and_private_limits() -> None:
    clock = FakeClock()
    async with Sandbox(global_limit_per_second=3, private_limit_per_second=1, clock=clock) as sb:
        users = [sb.add_user(name) for name in ("Kees", "Anouk", "Fatma", "Noor")]
        for user in users:
            await sb.open_private(user)
        statuses = [(await call(sb, "sendMessage", data={"chat_id": u.id, "text": "x"}))[0] for u in users]
        assert statuses == [200, 200, 200, 429]
        clock.advance(1)
        assert (await call(sb, "sendMessage", data={"chat_id": users[3].id, "text": "x"}))[0] == 200
        status, body = await call(sb, "sendMessage", data={"chat_id": users[3].id, "text": "x"})
        assert (status, body["parameters"]) == (429, {"retry_after": 1})
    async with Sandbox(clock=FakeClock()) as sb:  # no per-private-chat limit by default
        kees = sb.add_user("Kees")
        await sb.open_private(kees)
        statuses = [
            (await call(sb, "sendMessage", data={"chat_id": kees.id, "text": "x"}))[0] for _ in range(5)
        ]
        assert statuses == [200] * 5


async def test_injected_failures_and_delays(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)
    async with make_bot(sb) as bot:
        sb.faults.fail(2, status=429, retry_after=3, method="sendMessage")
        await bot.get_chat(kees.id)  # other methods are untouched
        for _ in range(2):
            status, body = await call(sb, "sendMessage", data={"chat_id": kees.id, "text": "x"})
            assert (status, body["parameters"]) == (429, {"retry_after": 3})
        await bot.send_message(kees.id, "erdoor")
        assert sb.stats.too_many_requests == 2

        sb.faults.fail(1, status=502)
        await bot.get_updates(timeout=0)  # polling is not hit by faults without a method
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(kees.id, "x")
        await bot.send_message(kees.id, "weer goed")

        sb.faults.delay(0.3, 1, method="getChatMember")
        sb.mark()
        started = time.monotonic()
        slow = asyncio.create_task(bot.get_chat_member(kees.id, kees.id))
        held = await sb.wait_for(lambda e: e.method == "getChatMember")
        assert held.delayed and not slow.done()
        await slow
        assert time.monotonic() - started >= 0.3
        done = await sb.wait_for(lambda e: e.method == "getChatMember" and e.ok)
        assert not done.delayed
        assert sb.faults.pending == 0


# -- text, edits and buttons ---------------------------------------------------------------------


async def test_html_errors_and_entities_over_http(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)

    async def send(text: str, parse_mode: str = "HTML") -> tuple[int, dict[str, Any]]:
        return await call(
            sb, "sendMessage", data={"chat_id": kees.id, "text": text, "parse_mode": parse_mode}
        )

    status, body = await send("<x>hi</x>")
    assert (status, body["description"]) == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
    )
    status, body = await send("Hoi <b>buren")
    assert body["description"] == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    assert (await send("<b> </b>"))[1]["description"] == "Bad Request: message text is empty"
    assert (await send("x", "Fancy"))[1]["description"] == "Bad Request: unsupported parse_mode"
    status, body = await send("👋 <b>مرحبا</b> &lt;3 <i>jij</i>")
    assert body["result"]["text"] == "👋 مرحبا <3 jij"
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "italic", "offset": 12, "length": 3},
    ]
    message = sb.bot_messages(kees)[-1]
    assert message.html == "👋 <b>مرحبا</b> &lt;3 <i>jij</i>"
    assert (await send("*x*", "MarkdownV2"))[0] == 400
    assert sb.violations == [
        "sendMessage: Bad Request: parse_mode MarkdownV2 is not supported by the sandbox"
    ]


async def test_edit_rules(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)
    async with make_bot(sb) as bot:
        sent = await bot.send_message(
            kees.id, "<b>Kies</b>", parse_mode="HTML", reply_markup=keyboard("Ja", "Nee")
        )
        ids = {"chat_id": kees.id, "message_id": sent.message_id}
        same = {"text": "<b>Kies</b>", "parse_mode": "HTML", "reply_markup": keyboard("Ja", "Nee").to_dict()}
        status, body = await call(sb, "editMessageText", json_body={**ids, **same})
        assert (status, body["description"]) == (400, NOT_MODIFIED)
        status, body = await call(
            sb, "editMessageReplyMarkup", json_body={**ids, "reply_markup": keyboard("Ja", "Nee").to_dict()}
        )
        assert body["description"] == NOT_MODIFIED
        # Without reply_markup an edit drops the keyboard, so the same text is a change.
        await bot.edit_message_text("<b>Kies</b>", kees.id, sent.message_id, parse_mode="HTML")
        current = sb.message(kees, sent.message_id)
        assert current is not None and current.reply_markup is None and current.edited
        assert (await sb.next_edit(kees)).text == "Kies"
        mine = await sb.say(kees, kees, "mijn bericht")
        with pytest.raises(BadRequest, match="Message can't be edited"):
            await bot.edit_message_text("nee", chat_id=kees.id, message_id=mine.message_id)
        assert await bot.delete_message(kees.id, sent.message_id)
        status, body = await call(sb, "editMessageText", data={**ids, "text": "weg"})
        assert body["description"] == "Bad Request: message to edit not found"
        status, body = await call(sb, "deleteMessage", data=ids)
        assert body["description"] == "Bad Request: message to delete not found"
        deleted = sb.message(kees, sent.message_id)
        assert deleted is not None and deleted.deleted
        assert sent.message_id not in [m.message_id for m in sb.messages(kees)]


async def test_delete_and_pin_need_rights_in_groups() -> None:
    clock = FakeClock()
    async with Sandbox(clock=clock) as sb:
        fatma, kees = sb.add_user("Fatma"), sb.add_user("Kees")
        group = sb.add_group("Flat", members=[kees], admins=[fatma])
        await sb.add_bot_to_group(group, by=fatma)
        talk = await sb.say(kees, group, "hallo")
        own = (await call(sb, "sendMessage", data={"chat_id": group.id, "text": "van de bot"}))[1]["result"]
        _, body = await call(sb, "deleteMessage", data={"chat_id": group.id, "message_id": talk.message_id})
        assert body["description"] == "Bad Request: message can't be deleted"
        _, body = await call(
            sb, "pinChatMessage", data={"chat_id": group.id, "message_id": own["message_id"]}
        )
        assert body["description"] == "Bad Request: not enough rights to manage pinned messages in the chat"
        clock.advance(49 * 3600)
        _, body = await call(sb, "deleteMessage", data={"chat_id": group.id, "message_id": own["message_id"]})
        assert body["description"] == "Bad Request: message can't be deleted"  # older than 48 hours
        await sb.set_admin(group, sb.bot_user)
        for message_id in (talk.message_id, own["message_id"]):
            assert (await call(sb, "deleteMessage", data={"chat_id": group.id, "message_id": message_id}))[
                0
            ] == 200


async def test_buttons_and_callback_answers(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)
    async with make_bot(sb) as bot:
        link = InlineKeyboardButton("Uitleg", url="https://example.com/uitleg")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("English", callback_data="lang:en"), link]])
        await bot.send_message(kees.id, "Taal?", reply_markup=markup)
        message = await sb.next_message(kees)
        assert message.button_texts() == ["English", "Uitleg"]
        assert message.url_buttons() == {"Uitleg": "https://example.com/uitleg"}
        with pytest.raises(LookupError):
            await sb.tap(kees, message, "Uitleg")  # a link, not a callback button
        by_text = await sb.tap(kees, message, "English")
        by_data = await sb.tap(kees, message, "lang:en")
        updates = await confirm_all(sb)
        query = updates[-1]["callback_query"]
        assert (query["id"], query["data"], query["message"]["message_id"]) == (
            by_data.query_id,
            "lang:en",
            message.message_id,
        )
        await bot.answer_callback_query(by_text.query_id, text="Done", show_alert=True)
        answer = await by_text.answer()
        assert (answer.text, answer.show_alert) == ("Done", True)
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(by_text.query_id)
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query("123")
        with pytest.raises(TimeoutError, match="answer to callback query"):
            await by_data.answer(timeout=0.1)
        await bot.edit_message_reply_markup(kees.id, message.message_id, reply_markup=keyboard("Nederlands"))
        with pytest.raises(LookupError, match="buttons now: \\['Nederlands'\\]"):
            await sb.tap(kees, message, "English")  # the stale snapshot's button is gone
        await bot.delete_message(kees.id, message.message_id)
        with pytest.raises(LookupError, match="no longer exists"):
            await sb.tap(kees, message, "Nederlands")


async def test_documents_and_photos_round_trip(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    await sb.open_private(kees)
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000050000000300")
    async with make_bot(sb) as bot:
        document = await bot.send_document(kees.id, b"verslag", filename="verslag.txt", caption="Notulen")
        assert document.document is not None and document.caption == "Notulen"
        message = await sb.next_message(kees)
        assert sb.file_bytes(message) == b"verslag"
        file = await bot.get_file(document.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"verslag"
        again = await bot.send_document(kees.id, document.document.file_id)
        assert again.document is not None and again.document.file_id == document.document.file_id
        photo = await bot.send_photo(kees.id, png)
        assert [(p.width, p.height) for p in photo.photo] == [(5, 3)]
        with pytest.raises(BadRequest, match="Image_process_failed"):
            await bot.send_photo(kees.id, b"not an image")
        with pytest.raises(BadRequest, match="Wrong file identifier"):
            await bot.send_document(kees.id, "BQACunknown")
        with pytest.raises(BadRequest, match="Failed to get http url content"):
            await bot.send_document(kees.id, "https://example.com/x.pdf")


async def test_deep_links_open_the_bot_as_telegram_does(sb: Sandbox) -> None:
    fatma, kees = sb.add_user("Fatma"), sb.add_user("Kees")
    group = sb.add_group("Flat", members=[kees], admins=[fatma])
    opened = await sb.open_private(kees, "https://t.me/OmzienBot?start=join-4001")
    assert (opened.chat_id, opened.text) == (kees.id, "/start join-4001")
    assert (await sb.open_private(kees, "https://t.me/omzienbot?start=bad%20payload")).text == "/start"
    with pytest.raises(ValueError, match="does not open"):
        await sb.open_private(kees, "https://t.me/OtherBot?start=x")
    with pytest.raises(ValueError, match="not a Telegram link"):
        await sb.open_private(kees, "https://example.com/OmzienBot?start=x")
    with pytest.raises(ValueError, match="not a start link"):
        await sb.open_private(kees, "https://t.me/OmzienBot")
    in_group = await sb.open_link(fatma, "tg://resolve?domain=OmzienBot&startgroup=setup", group=group)
    assert (in_group.chat_id, in_group.text) == (group.id, "/start@OmzienBot setup")
    assert sb.is_member(group, sb.bot_user)


async def test_commands_are_stored_per_scope_and_language(sb: Sandbox) -> None:
    kees = sb.add_user("Kees")
    nl = [{"command": "help", "description": "Hulp"}]
    en = [{"command": "help", "description": "Help"}]
    private = {"type": "all_private_chats"}
    assert (
        await call(sb, "setMyCommands", json_body={"commands": nl, "scope": private, "language_code": "nl"})
    )[0] == 200
    assert (await call(sb, "setMyCommands", json_body={"commands": en, "scope": private}))[0] == 200
    chat_scope = {"type": "chat", "chat_id": str(kees.id)}
    assert (await call(sb, "setMyCommands", json_body={"commands": en, "scope": chat_scope}))[0] == 200
    assert sb.commands(scope=private, language_code="nl") == nl
    assert sb.commands(scope=private) == en
    assert sb.commands(scope={"type": "chat", "chat_id": kees.id}) == en
    assert sb.commands() == []
    _, body = await call(sb, "getMyCommands", json_body={"scope": private, "language_code": "nl"})
    assert body["result"] == nl
    await call(sb, "deleteMyCommands", json_body={"scope": private, "language_code": "nl"})
    assert sb.commands(scope=private, language_code="nl") == []
    _, body = await call(
        sb, "setMyCommands", json_body={"commands": en, "scope": {"type": "chat", "chat_id": 5}}
    )
    assert body["description"] == "Bad Request: chat not found"


# -- waiting for the bot -------------------------------------------------------------------------


async def test_wait_helpers_walk_forward_and_explain_timeouts(sb: Sandbox) -> None:
    kees, anouk = sb.add_user("Kees"), sb.add_user("Anouk")
    for user in (kees, anouk):
        await sb.open_private(user)
    async with make_bot(sb) as bot:
        for text in ("een", "twee", "drie"):
            await bot.send_message(kees.id, text)
        await bot.send_message(anouk.id, "voor Anouk")
        assert (await sb.next_message(kees, containing="twee")).text == "twee"
        assert (await sb.next_message(kees)).text == "een"
        assert (await sb.next_message(kees)).text == "drie"
        assert (await sb.next_message(anouk)).text == "voor Anouk"
        with pytest.raises(TimeoutError) as raised:
            await sb.next_message(kees, timeout=0.1)
        assert f"into chat {kees.id}" in str(raised.value) and "'drie'" in str(raised.value)
        sb.mark()
        later = asyncio.create_task(sb.next_message(kees, containing="vier"))
        await asyncio.sleep(0.05)
        await bot.send_message(kees.id, "vier")
        message: SandboxMessage = await later
        assert message.text == "vier" and message.from_user == sb.bot_user
        event = await sb.wait_for(lambda e: e.method == "sendMessage")
        assert event.message == message and event.chat_id == kees.id and event.ok
        with pytest.raises(TimeoutError, match="no matching bot call"):
            await sb.wait_for(lambda e: e.method == "sendPhoto", timeout=0.1)


async def test_a_real_ptb_application_runs_against_the_sandbox(sb: Sandbox) -> None:
    fatma, kees = sb.add_user("Fatma"), sb.add_user("Kees")
    group = sb.add_group("Flat", members=[kees], admins=[fatma])

    async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Kies een taal",
            reply_markup=keyboard("English"),
            reply_parameters=ReplyParameters(update.effective_message.message_id),
        )

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Gekozen")
        await query.edit_message_text(f"Taal: {query.data}")

    app = Application.builder().token(sb.token).base_url(f"{sb.url}/bot").build()
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CallbackQueryHandler(choose))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, allowed_updates=ALL_UPDATES, poll_interval=0.0)
        try:
            await sb.add_bot_to_group(group, by=fatma)
            await sb.say(kees, group, "gewoon praten")
            await sb.say(kees, group, "/help")
            choice = await sb.next_message(group)
            assert choice.reply_to is not None and choice.reply_to.text == "/help@OmzienBot"
            answer = await (await sb.tap(kees, choice, "English")).answer()
            assert answer.text == "Gekozen"
            assert (await sb.next_edit(group)).text == "Taal: english"
            await sb.settle()
            assert sb.pending_updates == 0 or all(u.delivered for u in sb.world.updates.pending)
        finally:
            await app.updater.stop()
            await app.stop()
    assert [m.text for m in sb.bot_messages(group)] == ["Taal: english"]
    assert sb.violations == []


async def test_press_data_sends_any_callback_data(sb: Sandbox) -> None:
    kees, anouk = sb.add_user("Kees"), sb.add_user("Anouk")
    await sb.open_private(kees)
    await call(
        sb,
        "sendMessage",
        json_body={"chat_id": kees.id, "text": "Kies", "reply_markup": keyboard("Ja").to_dict()},
    )
    message = sb.bot_messages(kees)[-1]
    await confirm_all(sb)
    press = await sb.tap(kees, message, "x" * 100, forged=True)
    query = (await confirm_all(sb))[0]["callback_query"]
    assert (query["id"], query["data"]) == (press.query_id, "x" * 100)
    with pytest.raises(ValueError, match="another user's private chat"):
        await sb.tap(anouk, message, "ja", forged=True)
    await call(sb, "deleteMessage", data={"chat_id": kees.id, "message_id": message.message_id})
    with pytest.raises(LookupError):
        await sb.tap(kees, message, "ja", forged=True)
    sb.mark()
    assert sb.events_since_mark() == []


async def test_stopping_is_not_held_by_a_delayed_call_and_the_sandbox_restarts() -> None:
    sb = Sandbox()
    await sb.start()
    sb.faults.delay(30, 1, method="getMe")
    held = asyncio.create_task(call(sb, "getMe"))
    await sb.wait_for(lambda e: e.delayed)
    started = time.monotonic()
    await sb.stop()
    assert time.monotonic() - started < 3
    assert isinstance((await asyncio.gather(held, return_exceptions=True))[0], httpx.HTTPError)
    await sb.start()
    try:
        started = time.monotonic()
        assert await fetch(sb, timeout=1) == []  # long polls wait again after a restart
        assert time.monotonic() - started >= 0.9
    finally:
        await sb.stop()
