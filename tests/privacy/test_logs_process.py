"""The log of the real bot process holds no names, usernames, ids or texts of residents, at any
level: OMZIEN_LOG_LEVEL=DEBUG included (where PTB would log every update and API call, and
aiosqlite every statement with its values)."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import t
from sandbox import Sandbox, SandboxMessage, SandboxUser
from tests.harness import TOKEN, BotProcess, World

WAIT = 30.0
REQUEST_TEXT = "Mijn buurvrouw Truus heeft een gebroken heup"
TYPED = "Ik bel om drie uur aan"


async def _press(sb: Sandbox, user: SandboxUser, message: SandboxMessage, button: str) -> None:
    await (await sb.tap(user, message, button)).answer(timeout=WAIT)


async def _ask(sb: Sandbox, world: World, user: SandboxUser) -> SandboxMessage:
    """The ask flow, typed and tapped as a resident would; returns the card in the group."""
    welcome = next(m for m in sb.bot_messages(world.group) if "Vraag hulp" in m.url_buttons())
    await sb.open_private(user, welcome.url_buttons()["Vraag hulp"])
    await _press(sb, user, await sb.next_message(user, timeout=WAIT), "Boodschappen")
    await sb.next_edit(user, timeout=WAIT)
    await sb.say(user, user, REQUEST_TEXT)
    await _press(sb, user, await sb.next_message(user, timeout=WAIT), "Morgen")
    await _press(sb, user, await sb.next_edit(user, timeout=WAIT),
                 f"Met mijn naam ({user.first_name})")
    await _press(sb, user, await sb.next_edit(user, timeout=WAIT), "Plaats in de groep")
    return await sb.next_message(world.group, containing="Truus", timeout=WAIT)


async def test_a_full_run_at_debug_logs_nothing_personal(
    world: World, bot_process: BotProcess, tmp_path: Path
) -> None:
    sb = world.sb
    fatma = world.user("Fatma")
    zeynep = sb.add_user("Zeynep", "Kaya", username="zeynep_kaya", language_code="nl")
    log_file = tmp_path / "bot.log"
    async with bot_process(sb, world.database, log_level="DEBUG", log_file=log_file):
        await sb.add_bot_to_group(world.group, by=world.admin)
        await sb.next_message(world.group, timeout=WAIT)
        await sb.join(world.group, zeynep)
        for person in (fatma, zeynep):
            await sb.open_private(person)
            await sb.next_message(person, timeout=WAIT)
        card = await _ask(sb, world, fatma)
        await _press(sb, zeynep, card, "Ik help")
        await sb.next_message(zeynep, containing="Truus", timeout=WAIT)
        await sb.say(zeynep, zeynep, TYPED)
        await sb.say(fatma, fatma, "/mijngegevens")
        await sb.next_message(fatma, containing=t("nl", "data.export.caption"), timeout=WAIT)
        await sb.say(fatma, fatma, "/vergeetmij")
        await _press(sb, fatma, await sb.next_message(fatma, containing="wis", timeout=WAIT),
                     "Ja, wis alles")
        await sb.next_edit(fatma, containing=t("nl", "data.forget.done"), timeout=WAIT)
        await sb.settle(timeout=WAIT)
    logs = log_file.read_text()
    assert " DEBUG " in logs, "no DEBUG log was captured"
    assert "resident u-" in logs and "was forgotten" in logs
    secrets = ("Fatma", "Yilmaz", "Zeynep", "Kaya", "zeynep_kaya", "Marieke", "marieke",
               str(fatma.id), str(zeynep.id), str(world.admin.id), "Truus", "heup", "drie uur",
               TOKEN, TOKEN.split(":")[1])
    for secret in secrets:
        assert secret not in logs, f"the DEBUG log shows {secret!r}"
