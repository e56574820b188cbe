"""Admins' rights hold at the moment of the action. A group admin who is demoted keeps nothing:
everything destructive or privacy-changing asks Telegram again when it is done (the bot is not an
admin in these groups, so it hears nothing of the demotion), and what the bot cached about a
person is dropped as soon as Telegram tells of a change to them. Admin commands are in admins'
command menus only."""

from __future__ import annotations

from bot.i18n import plain, t
from bot.menu import MenuCommand
from handlers import community, insights, privacy, prompts
from handlers import requests as help_requests
from sandbox import SandboxMessage
from tests.harness import World
from tests.requests.request_steps import ask, started, tap

ADMIN_COMMANDS = {"nl": {"instellingen", "wisgroep", "uitnodigen", "cijfersstop", "weghalen",
                         "bezwaren"},
                  "en": {"settings", "erasegroup", "invite", "stopstats", "remove", "objections"}}


async def demote_admin(world: World) -> None:
    """Marieke loses her rights; the bot, not an admin itself, is not told."""
    await world.sb.set_admin(world.group, world.admin, admin=False)
    await world.sb.settle()


async def open_menu(world: World, command: str, containing: str | None = None) -> SandboxMessage:
    await world.sb.say(world.admin, world.group, f"/{command}")
    return await world.sb.next_message(world.group, containing=containing)


async def test_a_demoted_admin_cannot_confirm_erasing_the_group(world: World) -> None:
    sb, kees = world.sb, world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await sb.say(kees, world.group, "/help")
        await sb.next_message(world.group)
        ask1 = await open_menu(world, "wisgroep")
        assert ask1.text == t("nl", "erase.ask1")
        await demote_admin(world)
        refused = await tap(world, world.admin, ask1, "Ja, wis alles")
        assert refused.text == plain("nl", "erase.admin_only") and refused.show_alert
        await sb.settle()
        assert await world.services.memberships.get(world.group.id, kees.id) is not None
        assert await world.services.db.fetch_value("SELECT step FROM group_erasures") == 1


async def test_a_demoted_admin_cannot_erase_at_the_second_confirmation(world: World) -> None:
    sb, kees = world.sb, world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await sb.say(kees, world.group, "/help")
        await sb.next_message(world.group)
        ask1 = await open_menu(world, "wisgroep")
        await tap(world, world.admin, ask1, "Ja, wis alles")
        ask2 = await sb.next_edit(world.group)
        assert ask2.text == t("nl", "erase.ask2")
        await demote_admin(world)
        refused = await tap(world, world.admin, ask2, "Ja, echt alles wissen")
        assert refused.text == plain("nl", "erase.admin_only")
        await sb.settle()
        assert await world.services.memberships.get(world.group.id, kees.id) is not None


async def test_a_demoted_admin_cannot_invite_or_stop_a_community_worker(world: World) -> None:
    sb, admin = world.sb, world.admin
    async with world.bot():
        await world.add_bot()
        await started(world, admin)
        await sb.say(admin, world.group, "/cijfersstop")
        await sb.next_message(world.group)
        await demote_admin(world)
        sb.mark()
        await sb.say(admin, world.group, "/uitnodigen")
        assert (await sb.next_message(world.group)).text == t("nl", "workers.admin_only")
        await sb.say(admin, world.group, "/cijfersstop")
        assert (await sb.next_message(world.group)).text == t("nl", "workers.admin_only")
        await sb.settle()
        assert not [e for e in sb.events_since_mark() if e.chat_id == admin.id]
        assert await world.services.db.fetch_value("SELECT COUNT(*) FROM deep_links"
                                                   " WHERE kind = 'worker'") == 0


async def test_a_demoted_admin_cannot_hide_a_reported_card(world: World) -> None:
    sb, admin, fatma, kees = world.sb, world.admin, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, admin, fatma, kees)
        posted = await ask(world, fatma)
        await tap(world, kees, posted.card, "Meld")
        assert (await tap(world, kees, posted.card, "Meld")).text == t("nl", "report.thanks")
        alert = await sb.next_message(admin, containing="meldde dit bericht")
        await open_menu(world, "taal")
        await demote_admin(world)
        refused = await tap(world, admin, alert, "Verbergen")
        assert refused.text == plain("nl", "report.admin_only") and refused.show_alert
        await sb.settle()
        card = sb.message(world.group, posted.card.message_id)
        assert card is not None and not card.deleted
        assert await world.services.db.fetch_value("SELECT state FROM reports") == "open"


async def test_a_demoted_admin_cannot_change_the_group_language_or_settings(world: World) -> None:
    sb, admin = world.sb, world.admin
    async with world.bot():
        await world.add_bot()
        languages = await open_menu(world, "taal")
        settings = await open_menu(world, "instellingen", containing="Instellingen voor")
        await demote_admin(world)
        refused = await tap(world, admin, languages, "English")
        assert refused.text == plain("nl", "language.admin_only") and refused.show_alert
        refused = await tap(world, admin, settings, "Weekoverzicht")
        assert refused.text == t("nl", "settings.admin_only_short") and refused.show_alert
        await sb.say(admin, world.group, "/instellingen")
        assert (await sb.next_message(world.group)).text == t("nl", "settings.admin_only")
        await sb.settle()
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.language == "nl"


async def test_a_demoted_admin_cannot_take_down_a_request(world: World) -> None:
    sb, admin, fatma = world.sb, world.admin, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma)
        posted = await ask(world, fatma)
        await open_menu(world, "taal")
        await demote_admin(world)
        await sb.say(admin, world.group, "/weghalen@OmzienBot", reply_to=posted.card)
        assert (await sb.next_message(world.group)).text == t("nl", "request.remove.not_admin")
        await sb.settle()
        card = sb.message(world.group, posted.card.message_id)
        assert card is not None and card.button_texts() == ["Ik help", "Meld"]


async def test_what_was_cached_about_a_person_goes_when_telegram_tells_of_a_change(
        world: World) -> None:
    """With the bot an admin, Telegram tells it of every change to a member: the cached answer
    about that person's rights is dropped at once (a promoted neighbour is an admin straight
    away, a demoted admin no longer is)."""
    sb, admin, kees = world.sb, world.admin, world.user("Kees")
    async with world.bot():
        await sb.add_bot_to_group(world.group, by=admin, as_admin=True)
        await sb.next_message(world.group)
        svc = world.services
        await open_menu(world, "taal")
        await sb.say(kees, world.group, "/taal")
        assert (await sb.next_message(world.group)).text == t("nl", "language.admin_only")
        assert svc.admin_cache[(world.group.id, admin.id)][1] is True
        assert svc.admin_cache[(world.group.id, kees.id)][1] is False
        await sb.set_admin(world.group, kees, admin=True)
        await sb.set_admin(world.group, admin, admin=False)
        await sb.settle()
        assert (world.group.id, kees.id) not in svc.admin_cache
        assert (world.group.id, admin.id) not in svc.admin_cache
        await sb.say(kees, world.group, "/taal")
        assert (await sb.next_message(world.group)).text == t("nl", "language.choose_group")


async def test_admin_commands_are_in_admins_menus_only(world: World) -> None:
    async with world.bot():
        await world.sb.settle()
        for lang, admin_only in ADMIN_COMMANDS.items():
            def menu(kind: str, lang: str = lang) -> set[str]:
                return {c["command"] for c in world.sb.commands(scope={"type": kind},
                                                                 language_code=lang)}
            admins, members, private = (menu("all_chat_administrators"),
                                        menu("all_group_chats"), menu("all_private_chats"))
            assert admin_only <= admins
            assert not admin_only & members and not admin_only & private
            assert members < admins, "admins keep every command members have"
            assert {"vraag" if lang == "nl" else "ask", "help"} <= members
        default_admins = {c["command"] for c in world.sb.commands(
            scope={"type": "all_chat_administrators"})}
        assert ADMIN_COMMANDS["nl"] <= default_admins


def test_every_admin_command_is_marked_admin() -> None:
    """The commands only a group's admins may use carry the flag that keeps them out of
    members' menus; nothing else does."""
    commands: list[MenuCommand] = [
        *community.COMMANDS, *help_requests.COMMANDS, *privacy.COMMANDS, *prompts.COMMANDS,
        *insights.COMMANDS]
    marked = {command.name("nl") for command in commands if command.admin}
    assert marked == ADMIN_COMMANDS["nl"]
