""""Ik help", and the real process (`python -m bot run`) is killed (-9) at each step of the claim:
after the restart both neighbours are introduced exactly once and the card shows the claim.

Every step is reached on a signal, never after a pause: the sandbox holds a chosen call at
Telegram's door (it is in flight when the process dies, and refused afterwards, so Telegram
never carried it out), and the test reads from the bot's database file what it committed."""

from __future__ import annotations

from asyncio.subprocess import Process
from collections.abc import Callable

import pytest

from sandbox import Sandbox, SandboxChat, SandboxUser
from sandbox.models import BotEvent
from tests.delivery.process_db import until_committed, value
from tests.harness import BotProcess, World
from tests.requests.request_steps import Posted, ask, started

CLAIMED_CARD = "Er helpt al iemand"
HELD_SECONDS = 60.0
"""Longer than the test: a held call ends only when the process dies (it is then refused)."""
WAIT = 30.0
STEPS = ("commit", "introductions", "card")
ASKERS = ("Fatma", "Anouk", "Youssef")
"""One request each, one step each: Kees claims them one after another, one process life apart
(four starts of the process for three kills, instead of six)."""

CLAIMED = "SELECT COUNT(*) FROM requests WHERE id = ? AND status = 'claimed' AND helper_id = ?"
INTRODUCED = ("SELECT COUNT(*) FROM outbox WHERE id > ? AND chat_id = ? AND method = 'sendMessage'"
              " AND state = 'sent'")


def hold(sb: Sandbox, method: str, chat: SandboxChat | SandboxUser | None = None,
         count: int = 1) -> None:
    """The next `count` calls of `method` (into `chat`) are held, then refused."""
    chat_id = None if chat is None else chat.id
    sb.faults.delay(HELD_SECONDS, count, method=method, chat_id=chat_id)
    sb.faults.fail(count, status=502, method=method, chat_id=chat_id)


def held(method: str, chat: SandboxChat | SandboxUser) -> Callable[[BotEvent], bool]:
    return lambda e: e.delayed and e.method == method and e.chat_id == chat.id


def introductions(sb: Sandbox, asker: SandboxUser, helper: SandboxUser) -> int:
    """How often, since the press, each of the two heard of the other."""
    wanted = {asker.id: f"{helper.first_name} helpt je", helper.id: f"Je helpt {asker.first_name}"}
    return len([e for e in sb.events_since_mark() if e.ok and e.method == "sendMessage"
                and e.chat_id in wanted and e.message is not None
                and wanted[e.chat_id] in e.message.text])


async def claim_killed(world: World, process: Process, step: str, asker: SandboxUser,
                       posted: Posted) -> None:
    """Kees presses "Ik help" and the process is killed at `step`: the moment the claim is
    committed (nothing has reached anyone), while the introductions are in flight (the asker's
    delivered and recorded, Kees's held at Telegram), or while the card's edit is in flight
    (both introduced and recorded)."""
    sb, database, kees = world.sb, world.database, world.user("Kees")
    sb.mark()
    before = await value(database, "SELECT COALESCE(MAX(id), 0) FROM outbox")
    if step == "commit":
        hold(sb, "sendMessage", count=10)
        hold(sb, "editMessageText", count=10)
    elif step == "introductions":
        hold(sb, "sendMessage", kees)
    else:
        hold(sb, "editMessageText", world.group)
    await sb.tap(kees, posted.card, "Ik help")
    await until_committed(database, CLAIMED, (posted.request_id, kees.id))
    if step == "introductions":
        await sb.wait_for(held("sendMessage", kees), timeout=WAIT)
        await until_committed(database, INTRODUCED, (before, asker.id))
    elif step == "card":
        await sb.wait_for(held("editMessageText", world.group), timeout=WAIT)
        await until_committed(database, INTRODUCED, (before, asker.id))
        await until_committed(database, INTRODUCED, (before, kees.id))
    process.kill()
    await process.wait()
    sb.faults.clear()
    assert introductions(sb, asker, kees) == {"commit": 0, "introductions": 1, "card": 2}[step]
    card = sb.message(world.group, posted.card.message_id)
    assert card is not None and CLAIMED_CARD not in card.text


async def recovered(world: World, asker: SandboxUser, posted: Posted) -> None:
    """After the restart: both introduced exactly once, and the card shows the claim."""
    sb = world.sb
    card_id = posted.card.message_id
    await sb.wait_for(lambda e: e.ok and e.method == "editMessageText"
                      and e.chat_id == world.group.id and e.message is not None
                      and e.message.message_id == card_id, timeout=WAIT)
    await sb.settle(timeout=WAIT)
    assert introductions(sb, asker, world.user("Kees")) == 2
    card = sb.message(world.group, card_id)
    assert card is not None and CLAIMED_CARD in card.text and card.buttons() == []
    assert await value(world.database, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") == 0


@pytest.mark.timeout(120)
async def test_a_claim_killed_at_any_step_introduces_both_once_and_shows_on_the_card(
    world: World, bot_process: BotProcess
) -> None:
    sb = world.sb
    askers = [world.user(name) for name in ASKERS]
    async with bot_process(sb, world.database) as process:
        await world.add_bot()
        await started(world, world.user("Kees"))
        posts = [await ask(world, asker, text=f"Wie neemt melk mee voor {asker.first_name}?")
                 for asker in askers]
        await sb.settle(timeout=WAIT)
        await claim_killed(world, process, STEPS[0], askers[0], posts[0])
    for n in range(len(STEPS)):
        async with bot_process(sb, world.database) as process:
            await recovered(world, askers[n], posts[n])
            if n + 1 < len(STEPS):
                await claim_killed(world, process, STEPS[n + 1], askers[n + 1], posts[n + 1])
