"""Reaching each other and being shown as meant, through the sandbox: introductions that work
whatever Telegram's privacy settings, a group that never reads who the bot could not reach,
names to an idea's proposer only from those who were told, typed text without tricks, and
names shown as typed on buttons and in alerts."""

from __future__ import annotations

from bot.i18n import plain, t
from sandbox import SandboxMessage, SandboxUser
from tests.harness import World
from tests.requests.request_steps import ask, started, tap, to_text_step

TG_USER = "tg://user"


def _no_user_links(world: World, *people: SandboxUser) -> None:
    for chat in (world.group, *people):
        for message in world.sb.bot_messages(chat):
            links = [url for url in message.url_buttons().values() if url.startswith(TG_USER)]
            assert not links, f"{message.text[:40]!r} carries {links}"


async def test_introductions_link_a_username_or_pass_messages_on(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    zeynep = sb.add_user("Zeynep", "Kaya", username="zeynep_kaya", language_code="nl")
    async with world.bot():
        await world.add_bot()
        await sb.join(world.group, zeynep)
        await started(world, zeynep, kees)
        posted = await ask(world, fatma)
        await tap(world, zeynep, posted.card, "Ik help")
        to_fatma = await sb.next_message(fatma, containing="Zeynep helpt je")
        assert to_fatma.url_buttons() == {"Stuur Zeynep een bericht": "https://t.me/zeynep_kaya"}
        to_zeynep = await sb.next_message(zeynep, containing="Je helpt Fatma")
        assert to_zeynep.url_buttons() == {}
        assert "Stuur Fatma een bericht via mij" in to_zeynep.button_texts()

        await tap(world, zeynep, to_zeynep, "Stuur Fatma een bericht via mij")
        assert (await sb.next_message(zeynep)).text == t("nl", "relay.ask", name="Fatma")
        await sb.say(zeynep, zeynep, "Ik kom om drie uur, is dat goed?")
        passed_on = await sb.next_message(fatma, containing="drie uur")
        assert passed_on.text == "💬 Bericht van Zeynep:\nIk kom om drie uur, is dat goed?"
        assert passed_on.button_texts() == ["Antwoord Zeynep via mij"]
        assert (await sb.next_message(zeynep)).text == t("nl", "relay.sent", name="Fatma")

        await tap(world, fatma, passed_on, "Antwoord Zeynep via mij")
        await sb.next_message(fatma, containing="Typ je bericht voor Zeynep")
        await sb.say(fatma, fatma, "Prima, tot dan!")
        answered = await sb.next_message(zeynep, containing="Prima")
        assert answered.text == "💬 Bericht van Fatma:\nPrima, tot dan!"
        await sb.next_message(fatma, containing="gestuurd")

        # Someone who is not part of the request cannot write through the bot, forged or not.
        kees_chat = sb.bot_messages(kees)[-1]
        forged = await (await sb.tap(kees, kees_chat, f"rly:req:{posted.request_id}", forged=True)).answer()
        assert forged.text == t("nl", "relay.answer.closed") and forged.show_alert
        await sb.say(kees, kees, "Hallo Fatma")
        await sb.settle()
        assert not [m for m in sb.bot_messages(fatma) if "Hallo Fatma" in m.text]

        # Once the request is done, the way through the bot closes.
        await tap(world, fatma, to_fatma, "Het is gelukt")
        await sb.settle()
        late = await tap(world, zeynep, answered, "Antwoord Fatma via mij")
        assert late.text == t("nl", "relay.answer.closed")
        _no_user_links(world, fatma, zeynep, kees)


async def test_who_the_bot_cannot_reach_is_not_named_in_the_group(world: World) -> None:
    sb, fatma, mehmet, kees = world.sb, world.user("Fatma"), world.user("Mehmet"), world.user("Kees")
    oksana = world.user("Oksana")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma)
        await tap(world, mehmet, posted.card, "Ik help")
        line = await sb.next_message(world.group, containing="privébericht")
        assert line.text == t("nl", "request.claim.need_start")
        assert "Mehmet" not in line.text and "Fatma" not in line.text
        link = line.url_buttons()["Open Omzien"]

        await sb.open_private(kees, link)
        assert (await sb.next_message(kees)).text == t("nl", "start.link_not_yours")
        await sb.open_private(mehmet, link)
        intro = await sb.next_message(mehmet)
        assert intro.text.startswith("Dank je wel! Je helpt Fatma")

        await sb.say(oksana, world.group, "/start")
        reply = await sb.next_message(world.group)
        assert reply.text == t("nl", "private.need_start") and "Oksana" not in reply.text
        await sb.open_private(kees, reply.url_buttons()["Open Omzien"])
        assert (await sb.next_message(kees)).text == t("nl", "start.link_not_yours")
        for message in sb.bot_messages(world.group):
            for name in ("Mehmet", "Oksana", "Kees"):
                assert name not in message.text, f"the group read {name}: {message.text!r}"


async def _join(world: World, user: SandboxUser, card: SandboxMessage) -> None:
    answer = await (await world.sb.tap(user, card, "Doe mee")).answer()
    assert answer.text == t("nl", "idea.answer.joined") and answer.show_alert
    assert "ziet wie het bedacht je voornaam" in (answer.text or "")


async def test_names_reach_an_ideas_proposer_only_from_those_who_were_told(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    told = [world.user(n) for n in ("Anouk", "Kees", "Youssef", "Oksana")]
    earlier = world.user("John")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma)
        await sb.say(fatma, world.group, "/idee Samen een moestuin op het dak")
        card = await sb.next_message(world.group, containing="moestuin")
        idea_id = int(await world.services.db.fetch_value("SELECT id FROM ideas"))
        # A join from before neighbours were told their name would be shown.
        await world.services.db.execute(
            "INSERT INTO idea_joins (idea_id, building_id, user_id, joined_at)"
            " VALUES (?, ?, ?, '2026-11-20T10:00:00+00:00')",
            (idea_id, world.group.id, earlier.id),
        )
        await world.services.residents.seen(earlier.id, "John", "en", world.clock.now())
        for neighbour in told:
            await _join(world, neighbour, card)
        ready = await sb.next_message(fatma, containing="doen mee met je idee")
        await tap(world, fatma, ready, "Maak er een activiteit van")
        await sb.next_message(fatma, containing="Wanneer")
        await sb.say(fatma, fatma, "za 10:00-12:00")
        await sb.next_message(fatma, containing="Waar is het")
        await sb.say(fatma, fatma, "Het dak")
        await tap(world, fatma, await sb.next_message(fatma, containing="Hoeveel plekken"),
                  "Geen maximum")
        await tap(world, fatma, await sb.next_message(fatma, containing="vaker"), "Eén keer")
        await tap(world, fatma, await sb.next_message(fatma, containing="Klopt het"), "Plaatsen")
        posted = await sb.next_message(fatma, containing="Geplaatst")
        assert all(n.first_name in posted.text for n in told), "the proposer sees who was told"
        assert "John" not in posted.text, "a join from before the notice stays nameless"


async def test_typed_text_and_names_are_shown_as_meant(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    trick = sb.add_user("\u202eseeK", "Bakker", language_code="nl")
    async with world.bot():
        await world.add_bot()
        await sb.join(world.group, trick)
        await started(world, trick)
        await to_text_step(world, fatma)
        await sb.say(fatma, fatma, "\u200b\u200c\u2060")
        refused = await sb.next_message(fatma)
        assert t("nl", "request.flow.text_empty") in refused.text
        draft = await world.services.stores.requests.draft(fatma.id)
        assert draft is not None and draft.description is None
        await sb.say(fatma, fatma, "Wie neemt \u202emelk\u202c mee?\u200f")
        await tap(world, fatma, await sb.next_message(fatma), "Morgen")
        await tap(world, fatma, await sb.next_edit(fatma), "Als een buur")
        await tap(world, fatma, await sb.next_edit(fatma), "Plaats in de groep")
        card = await sb.next_message(world.group, containing="melk")
        assert "Wie neemt melk mee?" in card.text
        await tap(world, trick, card, "Ik help")
        intro = await sb.next_message(fatma, containing="helpt je")
        assert intro.text.startswith("Fijn! seeK helpt je")
        for message in [*sb.bot_messages(world.group), *sb.bot_messages(fatma),
                        *sb.bot_messages(trick)]:
            assert not any(char in message.text for char in "\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b"), message.text
            assert not any(char in label for label in message.button_texts()
                           for char in "\u202e\u200f")


async def test_names_on_buttons_and_in_alerts_are_shown_as_typed(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    anne = sb.add_user("Anne & Piet <b>", "de Boer", language_code="nl")
    async with world.bot():
        await world.add_bot()
        await sb.join(world.group, anne)
        await started(world, anne)
        await to_text_step(world, anne)
        await sb.say(anne, anne, "Wie helpt met de tuin?")
        await tap(world, anne, await sb.next_message(anne), "Morgen")
        choice = await sb.next_edit(anne)
        assert "Met mijn naam (Anne & Piet <b>)" in choice.button_texts()
        await sb.say(anne, anne, "/stop")
        await sb.next_message(anne)

        posted = await ask(world, fatma)
        await tap(world, anne, posted.card, "Ik help")
        to_fatma = await sb.next_message(fatma, containing="helpt je")
        assert to_fatma.text.startswith("Fijn! Anne & Piet <b> helpt je")
        assert "<b>Anne &amp; Piet &lt;b&gt;</b>" in to_fatma.html
        assert "Stuur Anne & Piet <b> een bericht via mij" in to_fatma.button_texts()
        await tap(world, fatma, to_fatma, "Het is gelukt")
        thank = await sb.next_edit(fatma, containing="Mooi dat het gelukt is")
        assert "Bedank Anne & Piet <b>" in thank.button_texts()
        await sb.block_bot(anne)
        await sb.settle()
        more = await tap(world, fatma, thank, t("nl", "pairing.button.more_often"))
        assert more.show_alert
        assert more.text == plain("nl", "pairing.request.helper_unreachable", name="Anne & Piet <b>")
        assert "Anne & Piet <b>" in (more.text or "")
