"""Ideas: proposed in the group or privately, joined with "Doe mee", and at five neighbours
turned into an activity by the proposer, through the sandbox as residents would."""

from __future__ import annotations

from bot.i18n import t
from sandbox import SandboxMessage, SandboxUser
from storage.ideas import IdeaStore
from tests.harness import World


async def tap(world: World, user: SandboxUser, message: SandboxMessage, button: str) -> str | None:
    result = await world.sb.tap(user, message, button)
    return (await result.answer()).text


async def test_five_neighbours_join_and_the_idea_becomes_an_activity(world: World) -> None:
    sb = world.sb
    fatma = world.user("Fatma")
    joiners = [world.user(n) for n in ("Anouk", "Kees", "Youssef", "Oksana", "Mehmet")]
    async with world.bot():
        await world.add_bot()
        await sb.open_private(fatma)
        await sb.next_message(fatma)
        await sb.open_private(joiners[0])
        await sb.next_message(joiners[0])
        await sb.say(fatma, world.group, "/idee Samen een moestuin op het dak")
        card = await sb.next_message(world.group, containing="moestuin")
        assert "Idee van Fatma" in card.text and "Doen mee: 0" in card.text
        assert card.button_texts() == ["Doe mee", "Toch niet", "Meld"]

        assert await tap(world, fatma, card, "Doe mee") == t("nl", "idea.answer.own_idea")
        for index, neighbour in enumerate(joiners[:4]):
            assert await tap(world, neighbour, card, "Doe mee") == t("nl", "idea.answer.joined")
            assert index < 4
        assert await tap(world, joiners[0], card, "Doe mee") == t("nl", "idea.answer.already")
        await sb.next_edit(world.group, containing="Doen mee: 4")
        assert not [m for m in sb.bot_messages(fatma) if "moestuin" in m.text]

        await tap(world, joiners[4], card, "Doe mee")
        ready = await sb.next_message(fatma, containing="doen mee met je idee")
        assert "5 buren" in ready.text
        shown = await sb.next_edit(world.group, containing="Doen mee: 5")
        assert not any(n.first_name in shown.text for n in joiners), "the card shows no names"

        await tap(world, fatma, ready, "Maak er een activiteit van")
        question = await sb.next_message(fatma, containing="Wanneer")
        assert "Samen een moestuin op het dak" in question.text
        await sb.say(fatma, fatma, "za 10:00-12:00")
        await sb.next_message(fatma, containing="Waar is het")
        await sb.say(fatma, fatma, "Het dak")
        capacity = await sb.next_message(fatma, containing="Hoeveel plekken")
        await tap(world, fatma, capacity, "Geen maximum")
        repeat = await sb.next_message(fatma, containing="vaker")
        await tap(world, fatma, repeat, "Eén keer")
        preview = await sb.next_message(fatma, containing="Klopt het")
        await tap(world, fatma, preview, "Plaatsen")

        activity_card = await sb.next_message(world.group, containing="zaterdag 28 november")
        assert "Samen een moestuin op het dak" in activity_card.text
        posted = await sb.next_message(fatma, containing="Geplaatst")
        assert all(n.first_name in posted.text for n in joiners), "the proposer sees the names"
        told = await sb.next_message(joiners[0], containing="is nu een activiteit")
        assert "zaterdag 28 november" in told.text
        shown = await sb.next_edit(world.group, containing="Dit idee is nu een activiteit")
        assert shown.button_texts() == []
        assert not any(n.first_name in shown.text for n in joiners)
        assert await tap(world, joiners[1], activity_card, "Ik kom") is not None


async def test_an_idea_typed_privately_and_joining_is_one_answer(world: World) -> None:
    sb = world.sb
    john, kees = world.user("John"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await sb.say(john, world.group, "/idea")
        line = await sb.next_message(world.group, containing="/idee")
        await sb.open_private(john, line.url_buttons()["Stel een idee voor"])
        await sb.next_message(john, containing="What would you like to do together")
        await sb.say(john, john, "x" * 301)
        again = await sb.next_message(john, containing="What would you like")
        assert t("en", "idea.problem.description_too_long") in again.text
        await sb.say(john, john, "Board games on Sunday afternoons")
        await sb.next_message(john, containing="Your idea is in")
        card = await sb.next_message(world.group, containing="Board games")
        assert "Idee van John" in card.text

        for _ in range(3):
            await tap(world, kees, card, "Doe mee")
        assert await tap(world, kees, card, "Toch niet") == t("nl", "idea.answer.left")
        assert await tap(world, kees, card, "Toch niet") == t("nl", "idea.answer.not_joined")
        idea_id = await world.services.db.fetch_value("SELECT id FROM ideas WHERE proposer_id = ?",
                                                      (john.id,))
        assert await IdeaStore(world.services.db).joiners(int(idea_id)) == []
        await sb.say(john, john, "This is just a message")
        await sb.settle()
        assert len([m for m in sb.bot_messages(world.group) if "Idee van" in m.text]) == 1
