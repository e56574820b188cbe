"""The bot's life in a building group, driven as residents would, through the sandbox."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bot.i18n import t
from storage.community import BuildingStore, ResidentStore
from storage.db import Database
from tests.harness import ROOT, TOKEN, BotProcess, World


async def test_added_to_group_posts_welcome_and_registers(world: World) -> None:
    async with world.bot():
        await world.sb.add_bot_to_group(world.group, by=world.admin)
        welcome = await world.sb.next_message(world.group)
        assert "Ik lees jullie gesprekken niet mee" in welcome.text
        url = welcome.url_buttons()["Begin hier"]
        assert url.startswith("https://t.me/OmzienBot?start=")
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.active and building.title == "Flat De Linde"

        fatma = world.user("Fatma")
        await world.sb.open_private(fatma, url)
        greeting = await world.sb.next_message(fatma)
        assert "Flat De Linde" in greeting.text
        assert await world.services.memberships.get(world.group.id, fatma.id) is not None


async def test_group_talk_is_not_read(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        world.sb.mark()
        await world.sb.say(world.user("Kees"), world.group, "Wie heeft mijn fiets gezien?")
        await world.sb.settle()
        assert world.sb.bot_messages(world.group)[-1].text.startswith("Hoi buren")
        assert await world.services.residents.get(world.user("Kees").id) is None


async def test_removed_marks_inactive_and_readding_wakes_it(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        await world.sb.remove_bot_from_group(world.group, by=world.admin)
        await world.sb.settle()
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and not building.active
        await world.add_bot()
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.active


async def test_help_in_group_language_and_private_language(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        await world.sb.say(world.user("John"), world.group, "/help")
        help_nl = await world.sb.next_message(world.group)
        assert "Dit kun je met Omzien doen" in help_nl.text
        assert "/taal" in help_nl.text

        john = world.user("John")
        await world.sb.open_private(john)
        await world.sb.next_message(john)
        await world.sb.say(john, john, "/help")
        help_en = await world.sb.next_message(john)
        assert "What you can do with Omzien" in help_en.text
        assert "/language" in help_en.text

        nl_menu = [c["command"] for c in world.sb.commands(
            scope={"type": "all_private_chats"}, language_code="nl")]
        en_menu = [c["command"] for c in world.sb.commands(
            scope={"type": "all_private_chats"}, language_code="en")]
        assert "taal" in nl_menu and "language" in en_menu


async def test_taal_switches_a_residents_language(world: World) -> None:
    anouk = world.user("Anouk")
    async with world.bot():
        await world.sb.open_private(anouk)
        await world.sb.next_message(anouk)
        await world.sb.say(anouk, anouk, "/taal")
        choice = await world.sb.next_message(anouk)
        result = await world.sb.tap(anouk, choice, "English")
        await result.answer()
        confirmed = await world.sb.next_edit(anouk)
        assert confirmed.text == t("en", "language.set")
        await world.sb.say(anouk, anouk, "/help")
        assert "What you can do" in (await world.sb.next_message(anouk)).text


async def test_group_language_only_by_admin(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        await world.sb.say(world.user("Kees"), world.group, "/taal")
        refusal = await world.sb.next_message(world.group)
        assert refusal.text == t("nl", "language.admin_only")
        await world.sb.say(world.admin, world.group, "/taal")
        choice = await world.sb.next_message(world.group)
        sneaky = await world.sb.tap(world.user("Kees"), choice, "English")
        assert (await sneaky.answer()).text == t("nl", "language.admin_only")
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.language == "nl"
        await (await world.sb.tap(world.admin, choice, "English")).answer()
        await world.sb.next_edit(world.group)
        await world.sb.say(world.user("Kees"), world.group, "/help")
        assert "What you can do" in (await world.sb.next_message(world.group)).text


async def test_resident_who_never_started_gets_deep_link_line(world: World) -> None:
    mehmet = world.user("Mehmet")
    async with world.bot():
        await world.add_bot()
        await world.sb.say(mehmet, world.group, "/start")
        line = await world.sb.next_message(world.group)
        assert line.text == t("nl", "private.need_start")
        assert "Mehmet" not in line.text
        url = line.url_buttons()["Open Omzien"]
        await world.sb.open_private(mehmet, url)
        assert "Hoi Mehmet" in (await world.sb.next_message(mehmet)).text
        world.sb.mark()
        await world.sb.say(mehmet, world.group, "/start")
        assert "Hoi Mehmet" in (await world.sb.next_message(mehmet)).text


async def test_supergroup_migration_moves_rows(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        await world.sb.say(world.user("Kees"), world.group, "/help")
        await world.sb.next_message(world.group)
        old_id = world.group.id
        supergroup = await world.sb.migrate_to_supergroup(world.group)
        await world.sb.settle()
        svc = world.services
        assert await svc.buildings.get(old_id) is None
        assert (await svc.buildings.get(supergroup.id)) is not None
        assert await svc.memberships.get(supergroup.id, world.user("Kees").id) is not None
        count = await svc.db.fetch_value(
            "SELECT COUNT(*) FROM buildings WHERE chat_id IN (?, ?)", (old_id, supergroup.id))
        assert count == 1
        await world.sb.say(world.user("Kees"), supergroup, "/help")
        assert "Dit kun je" in (await world.sb.next_message(supergroup)).text


async def test_same_update_twice_is_handled_once(world: World) -> None:
    anouk = world.user("Anouk")
    async with world.bot():
        await world.sb.open_private(anouk)
        await world.sb.next_message(anouk)
        sent = await world.sb.say(anouk, anouk, "/help")
        await world.sb.next_message(anouk)
        await world.sb.settle()
        update_id = sent.update_id
        assert update_id is not None
        await world.sb.redeliver(update_id)
        await world.sb.settle()
        helps = [m for m in world.sb.bot_messages(anouk) if "Dit kun je" in m.text]
        assert len(helps) == 1


async def test_429_burst_is_waited_out_and_nothing_lost(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        world.sb.faults.fail(3, status=429, retry_after=1, method="sendMessage")
        for name in ("Kees", "Anouk", "Fatma"):
            await world.sb.say(world.user(name), world.group, "/help")
        for _ in range(3):
            await world.sb.next_message(world.group, containing="Dit kun je", timeout=15)
        assert world.sb.stats.too_many_requests >= 3


async def test_a_429_holds_every_call_for_retry_after_and_the_message_goes_once(world: World) -> None:
    """Telegram's "retry after N": for N seconds nothing goes out, for any chat, then the refused
    message goes out once. The sandbox's record of when each call arrived shows it."""
    sb, pause = world.sb, 2
    kees, anouk, john = world.user("Kees"), world.user("Anouk"), world.user("John")
    async with world.bot():
        await world.add_bot()
        for resident in (anouk, john):
            await sb.open_private(resident)
            await sb.next_message(resident)
        await sb.settle()
        sb.mark()
        sb.faults.fail(1, status=429, retry_after=pause, method="sendMessage")
        await sb.say(kees, world.group, "/help")
        refused = await sb.wait_for(lambda e: e.method == "sendMessage" and not e.ok)
        await sb.say(anouk, anouk, "/help")  # while the bot waits, others ask too
        await sb.say(john, john, "/help")
        for chat in (world.group, anouk, john):
            await sb.next_message(chat, timeout=15)
        await sb.settle()
        after = sb.events[sb.events.index(refused) + 1 :]
        assert after, "the bot went on after the pause"
        early = [e.describe() for e in after if e.arrived < refused.at + pause]
        assert early == [], f"calls made within {pause} s of the 429"
        to_group = [e for e in sb.events_since_mark()
                    if e.method == "sendMessage" and e.chat_id == world.group.id]
        assert [e.ok for e in to_group] == [False, True], "refused once, then sent once"
        assert "Dit kun je" in (to_group[-1].message.text if to_group[-1].message else "")


async def test_a_5xx_does_not_stop_the_bot(world: World) -> None:
    """Telegram's 502 on a reply: the reply is sent again and arrives once; the bot goes on."""
    kees = world.user("Kees")
    async with world.bot():
        await world.sb.open_private(kees)
        await world.sb.next_message(kees)
        world.sb.faults.fail(1, status=502, method="sendMessage")
        await world.sb.say(kees, kees, "/help")
        assert "Dit kun je" in (await world.sb.next_message(kees)).text
        await world.sb.say(kees, kees, "/help")
        assert "Dit kun je" in (await world.sb.next_message(kees)).text
        await world.delivered()
        assert sum("Dit kun je" in m.text for m in world.sb.bot_messages(kees)) == 2


async def test_killed_bot_keeps_state_and_loses_no_update(
    world: World, bot_process: BotProcess, tmp_path: Path
) -> None:
    sb = world.sb
    log_file = tmp_path / "bot.log"
    async with bot_process(sb, world.database, log_level="DEBUG", log_file=log_file) as process:
        await sb.add_bot_to_group(world.group, by=world.admin)
        await sb.next_message(world.group, timeout=30)
        anouk = world.user("Anouk")
        await sb.open_private(anouk)
        await sb.next_message(anouk, timeout=15)
        await sb.say(anouk, anouk, "/taal")
        await (await sb.tap(anouk, await sb.next_message(anouk), "English")).answer()
        await sb.next_edit(anouk)
        # The next update is fetched (and so confirmed to Telegram) but stuck mid-handling.
        sb.mark()  # /start above asked Telegram about Anouk already; wait for the next call
        sb.faults.delay(5, 1, method="getChatMember")
        await sb.say(world.admin, world.group, "/taal")
        await sb.wait_for(lambda e: e.method == "getChatMember", timeout=15)
        process.kill()
        await process.wait()
    assert sb.pending_updates == 0, "the update was confirmed before it was handled"
    sb.mark()
    async with bot_process(sb, world.database, log_level="DEBUG", log_file=log_file):
        choice = await sb.next_message(world.group, timeout=30)
        assert choice.text == t("nl", "language.choose_group")
        await sb.say(anouk, anouk, "/help")
        assert "What you can do" in (await sb.next_message(anouk, timeout=15)).text
        await sb.settle()
        assert len([m for m in sb.bot_messages(world.group) if "Hoi buren" in m.text]) == 1
        assert len([m for m in sb.bot_messages(world.group)
                    if m.text == t("nl", "language.choose_group")]) == 1
    db = await Database.open(world.database)
    building = await BuildingStore(db).get(world.group.id)
    resident = await ResidentStore(db).get(anouk.id)
    await db.close()
    assert building is not None and building.active
    assert resident is not None and resident.language == "en"
    logs = log_file.read_text()
    assert "DEBUG bot.ratelimit: Bot API call" in logs, "the DEBUG log of a full run was not captured"
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs


@pytest.mark.sqlite_only(reason="opens SQLite's online backup as a database again")
async def test_backup_of_a_running_bot(world: World, tmp_path: Path) -> None:
    async with world.bot():
        await world.add_bot()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "backup", str(tmp_path / "backup.sqlite3"),
            env={"OMZIEN_DATABASE": str(world.database), "PATH": "/usr/bin:/bin"}, cwd=ROOT,
        )
        await process.wait()
    assert process.returncode == 0
    copy = await Database.open(tmp_path / "backup.sqlite3", migrate=False)
    assert (await BuildingStore(copy).get(world.group.id)) is not None
    await copy.close()
