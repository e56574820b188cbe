"""The outbox across the life of the real process (`python -m bot run`): killed, or told to stop."""

from __future__ import annotations

import asyncio

from handlers.kit.send import Method, Outgoing
from sandbox import Sandbox, SandboxChat, SandboxUser
from storage.db import Database
from storage.outbox import OutboxStore
from tests.harness import BotProcess, World


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
    await sb.open_private(kees)
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
        await sb.settle()
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
        await sb.settle()
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
