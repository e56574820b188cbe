"""The update inbox as a store of personal data: what an export shows of the updates kept about
someone, and what is left of them once she is forgotten.

Updates are kept as Telegram sent them, so one stored update can name several people: the
sender, a member who joined, the author of a message replied to. Each person's export holds
only her own part.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database
from storage.inbox import UpdateInbox, her_part

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FATMA, KEES, BOT = 11, 22, 99
GROUP = {"id": -100, "type": "supergroup", "title": "Flat De Linde", "username": "linde"}
FATMA_USER = {"id": FATMA, "is_bot": False, "first_name": "Fatma", "last_name": "B",
              "username": "fatma_b", "language_code": "tr", "is_premium": True}
FATMA_SEEN = {"id": FATMA, "first_name": "Fatma", "last_name": "B", "username": "fatma_b",
              "language_code": "tr"}
KEES_USER = {"id": KEES, "is_bot": False, "first_name": "Kees"}
SHOWN_CHAT = {"id": -100, "type": "supergroup", "title": "Flat De Linde"}


@pytest.fixture
async def inbox(database_location: Path | str) -> AsyncIterator[UpdateInbox]:
    db = await Database.open(database_location)
    yield UpdateInbox(db)
    await db.close()


def message(update_id: int, sender: dict[str, Any], **fields: Any) -> tuple[int, dict[str, Any]]:
    body = {"message_id": update_id, "date": 1_790_000_000 + update_id, "chat": GROUP,
            "from": sender, **fields}
    return update_id, {"update_id": update_id, "message": body}


def member_update(update_id: int, kind: str, sender: dict[str, Any], user: dict[str, Any],
                  status: str) -> tuple[int, dict[str, Any]]:
    body = {"chat": GROUP, "from": sender, "date": 1_790_000_500,
            "old_chat_member": {"status": "member", "user": user},
            "new_chat_member": {"status": status, "user": user}}
    return update_id, {"update_id": update_id, kind: body}


def test_her_message_is_hers_and_a_reply_to_it_stays_the_writers() -> None:
    _, mine = message(1, FATMA_USER, text="Wie heeft een ladder?")
    assert her_part(mine, FATMA) == {
        "kind": "message", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "date": 1_790_000_001,
        "text": "Wie heeft een ladder?"}
    _, reply = message(2, KEES_USER, text="Ik!", reply_to_message={
        "message_id": 1, "date": 1, "chat": GROUP, "from": FATMA_USER, "text": "Wie heeft een ladder?"})
    assert her_part(reply, FATMA) == {"kind": "message", "chat": SHOWN_CHAT}
    _, photo = message(3, {"id": FATMA, "is_bot": False, "first_name": "Fatma"}, caption="Gevonden")
    assert her_part(photo, FATMA) == {
        "kind": "message", "chat": SHOWN_CHAT, "you": {"id": FATMA, "first_name": "Fatma"},
        "date": 1_790_000_003, "caption": "Gevonden"}


def test_her_press_shows_the_button_not_the_message_under_it() -> None:
    update = {"update_id": 4, "callback_query": {
        "id": "q", "from": FATMA_USER, "chat_instance": "c", "data": "req:claim:7",
        "message": {"message_id": 9, "date": 1, "chat": GROUP, "text": "Kees vraagt hulp",
                    "from": {"id": BOT, "is_bot": True, "first_name": "Omzien"}}}}
    assert her_part(update, FATMA) == {
        "kind": "callback_query", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "button": "req:claim:7"}
    assert her_part(update, KEES) == {"kind": "callback_query", "chat": SHOWN_CHAT}


def test_joining_and_leaving_show_that_she_did_not_what_others_did() -> None:
    _, added = message(5, KEES_USER, new_chat_members=[KEES_USER, FATMA_USER])
    assert her_part(added, FATMA) == {
        "kind": "message", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "joined_or_left": True}
    assert her_part(added, KEES) == {
        "kind": "message", "chat": SHOWN_CHAT, "you": {"id": KEES, "first_name": "Kees"},
        "joined_or_left": True, "date": 1_790_000_005}
    _, left = message(6, KEES_USER, left_chat_member=FATMA_USER)
    assert her_part(left, FATMA) == {
        "kind": "message", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "joined_or_left": True}
    _, someone_left = message(7, FATMA_USER, left_chat_member=KEES_USER, text="Dag Kees")
    assert her_part(someone_left, FATMA) == {
        "kind": "message", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "date": 1_790_000_007,
        "text": "Dag Kees"}


def test_a_member_update_about_her_shows_its_moment_and_status() -> None:
    _, removed = member_update(8, "chat_member", KEES_USER, FATMA_USER, "kicked")
    assert her_part(removed, FATMA) == {
        "kind": "chat_member", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "date": 1_790_000_500,
        "status": "kicked"}
    bot = {"id": BOT, "is_bot": True, "first_name": "Omzien"}
    _, blocked = member_update(9, "my_chat_member", FATMA_USER, bot, "kicked")
    assert her_part(blocked, FATMA) == {
        "kind": "my_chat_member", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "date": 1_790_000_500,
        "status": "kicked"}


def test_an_update_of_another_kind_says_only_that() -> None:
    update = {"update_id": 10, "edited_message": {"message_id": 1, "chat": GROUP, "from": FATMA_USER}}
    assert her_part(update, FATMA) == {"kind": "other"}
    assert her_part({"update_id": 11, "message": "not an object"}, FATMA) == {"kind": "other"}
    no_chat = {"update_id": 12, "callback_query": {"id": "q", "from": FATMA_USER, "data": "x"}}
    assert her_part(no_chat, FATMA) == {"kind": "callback_query", "you": FATMA_SEEN, "button": "x"}


async def test_the_export_holds_each_update_that_names_her_in_order(inbox: UpdateInbox) -> None:
    await inbox.store([message(3, KEES_USER, text="Hallo"), message(2, FATMA_USER, text="Hoi"),
                       message(1, KEES_USER, new_chat_members=[FATMA_USER])], NOW)
    await inbox.mark_handled(1, NOW + timedelta(seconds=1))
    kept = await inbox.kept_about(FATMA)
    assert kept == [
        {"update_id": 1, "received_at": "2026-11-23T10:00:00+00:00",
         "handled_at": "2026-11-23T10:00:01+00:00", "kind": "message", "chat": SHOWN_CHAT,
         "you": FATMA_SEEN, "joined_or_left": True},
        {"update_id": 2, "received_at": "2026-11-23T10:00:00+00:00", "handled_at": None,
         "kind": "message", "chat": SHOWN_CHAT, "you": FATMA_SEEN, "date": 1_790_000_002,
         "text": "Hoi"},
    ]
    assert await inbox.kept_about(BOT) == []


async def test_forgetting_her_keeps_only_the_ids_of_updates_that_name_her(inbox: UpdateInbox) -> None:
    await inbox.store([message(1, FATMA_USER, text="Hoi"), message(2, KEES_USER, text="Hallo")], NOW)
    await inbox.mark_handled(1, NOW)
    await inbox.store([message(3, FATMA_USER, text="/vergeetmij")], NOW)
    assert await inbox.forget(FATMA) == 2
    assert await inbox.kept_about(FATMA) == []
    assert await inbox.unhandled() == [message(2, KEES_USER, text="Hallo")[1], {"update_id": 3}]
    assert await inbox.is_handled(1), "a redelivery of a handled update is still recognised"
    assert await inbox.forget(FATMA) == 0
    assert await inbox.kept_about(KEES) != []
