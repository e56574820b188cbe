"""/vergeetmij leaves nothing of the resident in the database files, and /mijngegevens shows all
that is kept, the stored messages to the bot included. Driven through the sandbox as people
would, then checked in the files themselves after a clean stop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import t
from sandbox import SandboxUser
from storage.db import Database
from tests.activities.test_activities_e2e import post_prepared
from tests.harness import World
from tests.requests.request_steps import ask, started, tap
from tests.schema_info import column_names, table_names

REQUEST_TEXT = "Wie haalt mijn medicijnen bij de apotheek?"
ACTIVITY_TITLE = "Breicafé in de hal"


def _zeynep(world: World) -> SandboxUser:
    return world.sb.add_user("Zeynep", "Kaya", username="zeynep_kaya", language_code="nl")


async def _forget(world: World, user: SandboxUser) -> None:
    await world.sb.say(user, user, "/vergeetmij")
    ask_message = await world.sb.next_message(user, containing="alles over je wis")
    await tap(world, user, ask_message, "Ja, wis alles")
    await world.sb.next_edit(user, containing=t("nl", "data.forget.done"))
    await world.sb.settle(timeout=40)


async def _live_a_little(world: World, zeynep: SandboxUser) -> None:
    """She asks (with her name), helps a neighbour, organises something and exports her data:
    her names, username and words are in many tables, the inbox and the outbox."""
    sb, kees, anouk = world.sb, world.user("Kees"), world.user("Anouk")
    await world.add_bot()
    await sb.join(world.group, zeynep)
    await started(world, zeynep, kees, anouk)
    mine = await ask(world, zeynep, text=REQUEST_TEXT, named=True)
    await tap(world, kees, mine.card, "Ik help")
    await sb.next_message(zeynep, containing="Kees helpt je")
    await sb.next_message(kees, containing="apotheek")
    theirs = await ask(world, kees, text="Wie plakt mijn fietsband?", kind="Klusje")
    await tap(world, zeynep, theirs.card, "Ik help")
    await sb.next_message(zeynep, containing="fietsband")
    card = await post_prepared(world, zeynep, title=ACTIVITY_TITLE)
    await tap(world, anouk, card, "Ik kom")
    await sb.say(zeynep, zeynep, "/mijngegevens")
    await sb.next_message(zeynep, containing=t("nl", "data.export.caption"))
    await sb.settle(timeout=30)


def _file_bytes(database: Path) -> bytes:
    found = b""
    for suffix in ("", "-wal", "-journal"):
        path = database.with_name(database.name + suffix)
        if path.exists():
            found += path.read_bytes()
    return found


@pytest.mark.sqlite_only(reason="reads SQLite's database file and write-ahead log byte by byte")
async def test_after_forgetting_her_words_are_gone_from_the_database_files(world: World) -> None:
    zeynep = _zeynep(world)
    async with world.bot():
        await _live_a_little(world, zeynep)
        before = _file_bytes(world.database)
        for word in ("Zeynep", "apotheek"):
            assert word.encode() in before, f"{word} never reached the database: nothing tested"
        assert await world.services.db.fetch_value("PRAGMA secure_delete") == 1
        await _forget(world, zeynep)
    files = _file_bytes(world.database)
    for word in ("Zeynep", "Kaya", "zeynep_kaya", "apotheek", "medicijnen", "Breicafé",
                 str(zeynep.id)):
        assert word.encode() not in files, f"{word!r} is still in the database files"
    called_off = [m for m in world.sb.bot_messages(world.user("Anouk")) if "gaat niet door" in m.text]
    assert len(called_off) == 1, "who said they would come hears her activity is off"
    assert ACTIVITY_TITLE not in called_off[0].text, "the organiser's words went with her"


async def _columns(db: Database) -> list[tuple[str, str]]:
    tables = await table_names(db)
    assert {"residents", "requests", "inbox", "outbox", "schedule"} <= set(tables)
    return [(table, column) for table in tables for column in await column_names(db, table)]


async def test_after_forgetting_no_column_of_any_table_holds_her_id(world: World) -> None:
    zeynep = _zeynep(world)
    async with world.bot():
        await _live_a_little(world, zeynep)
        await _forget(world, zeynep)
    db = await Database.open(world.database, migrate=False)
    try:
        holding: list[str] = []
        for table, column in await _columns(db):
            text = f'CAST("{table}"."{column}" AS TEXT)'
            count = await db.fetch_value(
                f'SELECT COUNT(*) FROM "{table}" WHERE {text} = ?'
                f" OR {db.sql.position('?', text)} > 0",
                (str(zeynep.id), str(zeynep.id)),
            )
            if count:
                holding.append(f"{table}.{column} ({count})")
        kees_rows = await db.fetch_value(
            "SELECT COUNT(*) FROM requests WHERE requester_id = ?", (world.user("Kees").id,)
        )
    finally:
        await db.close()
    assert holding == [], f"her id is still in {holding}"
    assert kees_rows == 1, "the neighbour's own request keeps its asker"


def _stored(document: dict[str, Any]) -> list[dict[str, Any]]:
    stored = document["data"]["resident"]["stored_updates"]
    assert isinstance(stored, list)
    return stored


async def test_the_export_holds_the_stored_messages_to_the_bot(world: World) -> None:
    fatma = world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma)
        await world.sb.say(fatma, fatma, "Hallo, ik woon op 3B")
        await world.sb.settle()
        await world.sb.say(fatma, fatma, "/mijngegevens")
        sent = await world.sb.next_message(fatma, containing=t("nl", "data.export.caption"))
        document = json.loads(world.sb.file_bytes(sent))
    stored = _stored(document)
    typed = [u for u in stored if u.get("text") == "Hallo, ik woon op 3B"]
    assert len(typed) == 1
    assert typed[0]["you"]["last_name"] == "Yilmaz", "her surname is kept only in the message"
    assert typed[0]["chat"] == {"id": fatma.id, "type": "private"}
    assert [u["text"] for u in stored if u.get("text", "").startswith("/")] == [
        "/start", "/mijngegevens"]
    raw = json.dumps(document)
    assert "Marieke" not in raw and "Kees" not in raw, "no one else's data"
