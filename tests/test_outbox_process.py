"""The outbox across the life of the real process (`python -m bot run`): killed, or told to stop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from handlers.kit.send import Method, Outgoing
from sandbox import Sandbox, SandboxChat, SandboxUser
from storage.db import Database
from storage.outbox import OutboxStore
from tests.harness import BotProcess, World
from tests.request_steps import ask, started


async def seed(world: World, chat_id: int, texts: list[str]) -> None:
    """Rows committed by an earlier run and not sent yet."""
    db = await Database.open(world.database)
    store = OutboxStore(db)
    for n, text in enumerate(texts):
        item = Outgoing(chat_id=chat_id, method=Method.SEND, text=text)
        await store.add(chat_id=chat_id, method=item.method.value, payload=item.model_dump_json(),
                        not_before=0.0, now=world.clock.now(), key=f"seed:{n}")
    await db.close()


def texts(sb: Sandbox, chat: SandboxChat | SandboxUser, prefix: str) -> list[str]:
    return [m.text for m in sb.bot_messages(chat) if m.text.startswith(prefix)]


async def test_rows_not_sent_before_a_kill_are_sent_once_after_restart(
    world: World, bot_process: BotProcess
) -> None:
    sb = world.sb
    kees = world.user("Kees")
    await sb.start_private(kees)
    messages = [f"Bericht {n}" for n in range(8)]
    await seed(world, kees.id, messages)
    async with bot_process(sb, world.database) as process:
        await sb.next_message(kees, containing="Bericht 3", timeout=30)
        # The next send is held, then fails: in flight (so the one before it is marked sent)
        # when the process dies, and never delivered.
        sb.faults.delay(30, 1, method="sendMessage")
        sb.faults.fail(1, status=502, method="sendMessage")
        await sb.wait_for(lambda e: e.method == "sendMessage" and e.delayed, timeout=15)
        process.kill()
        await process.wait()
    assert texts(sb, kees, "Bericht") == messages[:4]
    async with bot_process(sb, world.database):
        await sb.next_message(kees, containing="Bericht 7", timeout=30)
        await sb.settle(quiet=1.0)
    assert texts(sb, kees, "Bericht") == messages
    db = await Database.open(world.database)
    assert await OutboxStore(db).pending_count() == 0
    await db.close()


async def test_sigterm_stops_within_ten_seconds_and_loses_nothing(
    world: World, bot_process: BotProcess
) -> None:
    sb = world.sb
    group = sb.add_group("Flat De Eik", members=[world.admin, sb.bot_user], admins=[world.admin],
                         supergroup=True)
    messages = [f"Mededeling {n}" for n in range(25)]
    await seed(world, group.id, messages)
    async with bot_process(sb, world.database) as process:
        # 20 a minute into a group: the rest waits for the window when the stop comes.
        await sb.next_message(group, containing="Mededeling 19", timeout=30)
        await sb.settle(quiet=0.5)
        process.terminate()
        returncode = await asyncio.wait_for(process.wait(), timeout=10)
    assert returncode == 0
    sent = texts(sb, group, "Mededeling")
    assert sent == messages[:20]
    db = await Database.open(world.database)
    store = OutboxStore(db)
    assert await store.pending_count(group.id) == 5
    assert await db.fetch_value("SELECT COUNT(*) FROM outbox WHERE state = 'sent'") == 20
    await db.close()


def read_db(database: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """What the bot process committed, read beside it (WAL lets a reader in at any time)."""
    connection = sqlite3.connect(database, timeout=5)
    try:
        return list(connection.execute(sql, params).fetchall())
    finally:
        connection.close()


async def until_committed(database: Path, sql: str, params: tuple[object, ...] = (),
                          timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not read_db(database, sql, params)[0][0]:
        if loop.time() > deadline:
            raise TimeoutError(f"not committed within {timeout} s: {sql}")
        await asyncio.sleep(0.002)


def hold(sb: Sandbox, method: str, count: int) -> None:
    """The next `count` calls of `method` are held at Telegram's door, then refused: in flight
    when the process dies, and never carried out."""
    sb.faults.delay(60, count, method=method)
    sb.faults.fail(count, status=502, method=method)


def delivered(sb: Sandbox, chat: SandboxChat | SandboxUser, containing: str) -> int:
    return len([e for e in sb.events_since_mark() if e.ok and e.method == "sendMessage"
                and e.chat_id == chat.id and e.message is not None
                and containing in e.message.text])


INTRO_TO_FATMA = "Kees helpt je"
INTRO_TO_KEES = "Je helpt Fatma"
CLAIMED_CARD = "Er helpt al iemand"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("step", ["commit", "introductions", "card"])
async def test_a_claim_killed_at_any_step_introduces_both_once_and_shows_on_the_card(
    world: World, bot_process: BotProcess, step: str
) -> None:
    """"Ik help", and the process is killed (-9): the moment the claim is committed (nothing has
    reached anyone yet), while the introductions are in flight (one delivered, the other held
    at Telegram), or while the card's edit is in flight (both introduced). After the restart
    both neighbours are introduced exactly once and the card shows the claim."""
    sb = world.sb
    fatma, kees = world.user("Fatma"), world.user("Kees")
    claimed = ("SELECT COUNT(*) FROM requests WHERE id = ? AND status = 'claimed'"
               " AND helper_id = ?")
    async with bot_process(sb, world.database) as process:
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma)
        await sb.settle(quiet=1.5)
        sb.mark()
        (before,) = read_db(world.database, "SELECT COALESCE(MAX(id), 0) FROM outbox")
        intros_sent = ("SELECT COUNT(*) >= ? FROM outbox WHERE id > ? AND chat_id IN (?, ?)"
                       " AND state = 'sent'")
        if step == "commit":
            hold(sb, "sendMessage", 10)
            hold(sb, "editMessageText", 10)
        elif step == "introductions":
            hold(sb, "sendMessage", 1)
        else:
            hold(sb, "editMessageText", 1)
        await sb.press(kees, posted.card, "Ik help")
        await until_committed(world.database, claimed, (posted.request_id, kees.id))
        if step == "introductions":
            await sb.wait_for(lambda e: e.method == "sendMessage" and e.delayed, timeout=15)
            await sb.wait_for(lambda e: e.method == "sendMessage" and e.ok, timeout=15)
            await until_committed(world.database, intros_sent, (1, before[0], fatma.id, kees.id))
        elif step == "card":
            await sb.wait_for(lambda e: e.method == "editMessageText" and e.delayed, timeout=15)
            await until_committed(world.database, intros_sent, (2, before[0], fatma.id, kees.id))
        process.kill()
        await process.wait()
    sb.faults.clear()
    introduced = delivered(sb, fatma, INTRO_TO_FATMA) + delivered(sb, kees, INTRO_TO_KEES)
    assert introduced == {"commit": 0, "introductions": 1, "card": 2}[step]
    assert CLAIMED_CARD not in (sb.message(world.group, posted.card.message_id) or posted.card).text

    async with bot_process(sb, world.database):
        await sb.wait_for(lambda e: e.ok and e.method == "editMessageText"
                          and e.chat_id == world.group.id, timeout=30)
        await sb.settle(quiet=1.5, timeout=30)
    assert delivered(sb, fatma, INTRO_TO_FATMA) == 1
    assert delivered(sb, kees, INTRO_TO_KEES) == 1
    card = sb.message(world.group, posted.card.message_id)
    assert card is not None and CLAIMED_CARD in card.text and card.buttons() == []
    assert read_db(world.database, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") == [(0,)]
