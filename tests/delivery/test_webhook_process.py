"""`python -m bot run` in webhook mode as its own process: an update stored when the process is
killed (-9) in the middle of handling it is handled once after the restart, and SIGTERM stops
the process cleanly."""

from __future__ import annotations

import signal

from bot.i18n import t
from tests.delivery.process_db import value
from tests.delivery.webhook_steps import HOOK_PATH, SECRET, free_port
from tests.harness import BotProcess, World

HELD_SECONDS = 60.0
"""Longer than the test: the held call ends only when the process dies."""
WAIT = 30.0
UNHANDLED = "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL"


async def test_killed_while_handling_a_stored_update_handles_it_once_after_restart(
    world: World, bot_process: BotProcess
) -> None:
    sb, group = world.sb, world.group
    port = free_port()
    env = {"OMZIEN_WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK_PATH}",
           "OMZIEN_WEBHOOK_SECRET": SECRET, "OMZIEN_WEBHOOK_LISTEN": "127.0.0.1",
           "OMZIEN_WEBHOOK_PORT": str(port)}
    asked = t("nl", "erase.ask1")
    async with bot_process(sb, world.database, env=env) as process:
        await world.add_bot()
        await sb.settle(timeout=WAIT)
        # The admin's command asks Telegram whether she is an admin now; that call is held, so
        # the update is stored (and answered 200) but not handled when the process dies.
        sb.faults.delay(HELD_SECONDS, method="getChatMember", chat_id=group.id)
        sb.faults.fail(1, status=502, method="getChatMember", chat_id=group.id)
        await sb.say(world.admin, group, "/wisgroep")
        await sb.wait_for(lambda e: e.delayed and e.method == "getChatMember", timeout=WAIT)
        assert sb.pending_updates == 0
        assert value(world.database, UNHANDLED) == 1
        process.kill()
        await process.wait()
    sb.faults.clear()
    sb.mark()
    async with bot_process(sb, world.database, env=env) as process:
        await sb.next_message(group, containing=asked, timeout=WAIT)
        await sb.settle(timeout=WAIT)
        assert value(world.database, UNHANDLED) == 0
        process.send_signal(signal.SIGTERM)
        assert await process.wait() == 0
    sent = [e for e in sb.events_since_mark() if e.ok and e.method == "sendMessage"
            and e.chat_id == group.id and e.message is not None and asked in e.message.text]
    assert len(sent) == 1
    assert sb.stats.calls["getUpdates"] == 0
