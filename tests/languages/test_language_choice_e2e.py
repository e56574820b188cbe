"""The language a resident gets, driven through the sandbox: at first contact Telegram's when the
bot speaks it, else six buttons, each in its own script; the group's chosen by its admins; and
private texts in the resident's own while the group speaks another."""

from __future__ import annotations

from bot.i18n import plain, t
from handlers.community.language import first_question
from locales import LANGUAGES
from sandbox import SandboxMessage, SandboxUser
from tests.harness import World

NATIVE_NAMES = [language.native_name for language in LANGUAGES]


async def pick(world: World, user: SandboxUser, question: SandboxMessage, name: str) -> str:
    """Tap a language on `question`; the text the question became."""
    await (await world.sb.tap(user, question, name)).answer()
    return (await world.sb.next_edit(user)).text


async def test_a_resident_whose_telegram_is_english_is_greeted_in_english(world: World) -> None:
    john = world.user("John")
    async with world.bot():
        await world.sb.open_private(john)
        greeting = await world.sb.next_message(john)
        assert greeting.text.startswith(t("en", "start.private", name="John"))
        resident = await world.services.residents.get(john.id)
        assert resident is not None and resident.language is None  # Telegram's, not a pick


async def test_a_resident_in_another_language_picks_one_and_keeps_it(world: World) -> None:
    jean = world.sb.add_user("Jean", "Dupont", language_code="fr")
    async with world.bot():
        await world.sb.open_private(jean)
        question = await world.sb.next_message(jean)
        assert question.text == first_question()
        assert t("nl", "language.first_contact") in question.text
        assert t("en", "language.first_contact") in question.text
        assert question.button_texts() == NATIVE_NAMES

        assert await pick(world, jean, question, "English") == t("en", "language.set")
        greeting = await world.sb.next_message(jean)
        assert greeting.text.startswith(t("en", "start.private", name="Jean"))

        await world.sb.say(jean, jean, "/help")
        assert "What you can do with Omzien" in (await world.sb.next_message(jean)).text
        await world.sb.open_private(jean)
        again = await world.sb.next_message(jean)
        assert again.text.startswith(t("en", "start.private", name="Jean"))
        resident = await world.services.residents.get(jean.id)
        assert resident is not None and resident.language == "en"


async def test_the_deep_link_goes_on_once_a_language_is_picked(world: World) -> None:
    jean = world.sb.add_user("Jean", "Dupont", language_code="fr")
    async with world.bot():
        await world.sb.add_bot_to_group(world.group, by=world.admin)
        welcome = await world.sb.next_message(world.group)
        await world.sb.join(world.group, jean)
        await world.sb.open_private(jean, welcome.url_buttons()["Begin hier"])
        question = await world.sb.next_message(jean)
        assert question.button_texts() == NATIVE_NAMES

        assert await pick(world, jean, question, "Nederlands") == t("nl", "language.set")
        greeting = await world.sb.next_message(jean)
        assert greeting.text.startswith(t("nl", "start.private", name="Jean"))
        assert "Je hoort nu bij Flat De Linde." in greeting.text


async def test_a_start_in_the_group_asks_the_language_privately_first(world: World) -> None:
    jean = world.sb.add_user("Jean", "Dupont", language_code="fr")
    async with world.bot():
        await world.add_bot()
        await world.sb.join(world.group, jean)
        await world.sb.open_private(jean)
        await world.sb.next_message(jean)
        await world.sb.say(jean, world.group, "/start")
        question = await world.sb.next_message(jean)
        assert question.text == first_question() and question.button_texts() == NATIVE_NAMES
        assert await pick(world, jean, question, "English") == t("en", "language.set")
        greeting = await world.sb.next_message(jean)
        assert "You are now part of Flat De Linde." in greeting.text


async def test_the_group_language_offers_all_six_to_its_admins(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        await world.sb.say(world.admin, world.group, "/taal")
        choice = await world.sb.next_message(world.group)
        assert choice.button_texts() == NATIVE_NAMES
        await (await world.sb.tap(world.admin, choice, "English")).answer()
        assert (await world.sb.next_edit(world.group)).text == t("en", "language.group_set")
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.language == "en"


async def test_private_texts_follow_the_resident_while_the_group_speaks_its_own(
        world: World) -> None:
    anouk = world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await world.sb.say(world.admin, world.group, "/taal")
        choice = await world.sb.next_message(world.group)
        await (await world.sb.tap(world.admin, choice, "English")).answer()
        await world.sb.next_edit(world.group)
        await world.sb.open_private(anouk)
        await world.sb.next_message(anouk)

        await world.sb.say(anouk, world.group, "/privacy")
        assert (await world.sb.next_message(world.group)).text.startswith("Privacy: what I keep")
        await world.sb.say(anouk, anouk, "/privacy")
        assert (await world.sb.next_message(anouk)).text.startswith("Privacy: wat ik bewaar")

        await world.sb.say(anouk, world.group, "/mijngegevens")
        pointer = await world.sb.next_message(world.group)
        assert pointer.text == t("en", "data.go_private")
        await world.sb.open_private(anouk, pointer.url_buttons()[plain("en", "button.open_private")])
        export = await world.sb.next_message(anouk)
        assert export.document is not None and export.caption == t("nl", "data.export.caption")


async def test_a_first_contact_button_counts_only_in_ones_own_chat(world: World) -> None:
    kees = world.user("Kees")
    async with world.bot():
        await world.add_bot()
        welcome = world.sb.bot_messages(world.group)[-1]
        for data in ("hello:en", "hello:xx", "hello:en:token:more"):
            answer = await (await world.sb.tap(kees, welcome, data, forged=True)).answer()
            assert answer.text == plain("nl", "error.stale_button")
        await world.sb.open_private(kees)
        greeting = await world.sb.next_message(kees)
        for data in ("hello:xx", "hello:en:token:more"):
            answer = await (await world.sb.tap(kees, greeting, data, forged=True)).answer()
            assert answer.text == plain("nl", "error.stale_button")
        resident = await world.services.residents.get(kees.id)
        assert resident is not None and resident.language is None
