"""Asking for help: from the group to a private flow and a card, as residents do it."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.requests import DraftStep, RequestDraft, RequestKind, RequestStatus, When, WhenKind
from bot.i18n import isolated, t
from tests.harness import World
from tests.requests.request_steps import ask, open_ask, started, store, tap, to_text_step

KINDS_NL = ["Container of afval", "Boodschappen", "Vervoer", "Klusje", "Gezelschap of wandelen",
            "Telefoon of computer", "Iets anders", "Stop"]


async def test_ask_from_the_group_posts_an_escaped_card(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        assert set(sb.bot_messages(world.group)[-1].url_buttons()) == {"Begin hier", "Vraag hulp"}
        await sb.say(fatma, world.group, "/vraag")
        pointer = await sb.next_message(world.group)
        assert pointer.text == t("nl", "request.group.go_private")
        await sb.open_private(fatma, pointer.url_buttons()["Vraag hulp"])
        question = await sb.next_message(fatma)
        assert "Flat De Linde" in question.text and "Waarmee zoek je hulp?" in question.text
        assert question.button_texts() == KINDS_NL
        await tap(world, fatma, question, "Vervoer")
        question = await sb.next_edit(fatma)
        assert "Schrijf in een paar woorden" in question.text
        text = "Lift naar <dokter> & terug 🙂 שלום עליכם"
        await sb.say(fatma, fatma, text)
        question = await sb.next_message(fatma)
        assert "Wanneer heb je hulp nodig?" in question.text
        assert question.button_texts() == ["Vandaag", "Morgen", "Deze week", "Stop"]
        await sb.say(fatma, fatma, "za 14:00")
        question = await sb.next_message(fatma)
        assert question.button_texts() == ["Met mijn naam (Fatma)", "Als een buur", "Stop"]
        await tap(world, fatma, question, "Met mijn naam (Fatma)")
        preview = await sb.next_edit(fatma)
        assert "Zo komt je vraag in de groep" in preview.text
        assert preview.button_texts() == ["Plaats in de groep", "Het is voor een buur",
                                          "Elke zaterdag nodig", "Stop"]
        await tap(world, fatma, preview, "Plaats in de groep")
        card = await sb.next_message(world.group)
        controls = await sb.next_edit(fatma)

        assert card.text == (
            f"🙋 Vervoer\n{isolated('nl', text)}\n\nWanneer: za 28 nov om 14:00\n"
            "Gevraagd door Fatma\n"
            "Kun jij helpen? Tik op Ik help."
        )
        assert "&lt;dokter&gt; &amp; terug" in card.html
        assert card.button_texts() == ["Ik help", "Meld"]
        assert controls.text.startswith("Je vraag staat in de groep.")
        assert controls.button_texts() == ["Tekst veranderen", "Tijd veranderen", "Stop mijn vraag"]
        await world.delivered()  # the card's message id is recorded once it was sent
        saved = (await store(world).open_in(world.group.id))[0]
        assert saved.kind is RequestKind.TRANSPORT and saved.description == text
        assert not saved.anonymous and not saved.on_behalf and saved.series_id is None
        assert saved.created_at == world.clock.now() and saved.requester_id == fatma.id
        assert saved.when.kind is WhenKind.AT and saved.card_message_id == card.message_id
        assert await store(world).draft(fatma.id) is None


async def test_several_buildings_pick_one_and_stop_posts_nothing(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    eik = sb.add_group("Flat De Eik", members=[world.admin, fatma], admins=[world.admin])
    async with world.bot():
        await world.add_bot()
        await sb.add_bot_to_group(eik, by=world.admin)
        await sb.next_message(eik)
        await started(world, fatma)  # a plain /start finds both of her buildings
        await sb.say(fatma, fatma, "/vraag")
        choice = await sb.next_message(fatma)
        assert sorted(choice.button_texts()[:-1]) == ["Flat De Eik", "Flat De Linde"]
        assert choice.button_texts()[-1] == "Stop"
        await tap(world, fatma, choice, "Flat De Eik")
        question = await sb.next_edit(fatma)
        assert "Flat De Eik" in question.text
        draft = await store(world).draft(fatma.id)
        assert draft is not None and draft.building_id == eik.id
        await tap(world, fatma, question, "Stop")
        assert (await sb.next_edit(fatma)).text == t("nl", "request.flow.stopped")
        assert await store(world).draft(fatma.id) is None
        assert await store(world).open_in(eik.id) == []


async def test_281_characters_are_refused_and_280_of_one_word_fit(world: World) -> None:
    sb, anouk = world.sb, world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await to_text_step(world, anouk)
        await sb.say(anouk, anouk, "x" * 281)
        again = await sb.next_message(anouk)
        assert again.text.startswith("Je tekst heeft 281 letters. Er passen er 280.")
        assert "Schrijf in een paar woorden" in again.text
        assert again.button_texts() == ["Stop"]
        await sb.say(anouk, anouk, "   ")
        assert (await sb.next_message(anouk)).text.startswith(t("nl", "request.flow.text_empty"))
        word = "Hulpvraag" * 31 + "a"
        assert len(word) == 280
        await sb.say(anouk, anouk, word)
        question = await sb.next_message(anouk)
        assert "Wanneer heb je hulp nodig?" in question.text
        draft = await store(world).draft(anouk.id)
        assert draft is not None and draft.description == word and draft.step is DraftStep.WHEN


async def test_past_impossible_and_unreadable_times_ask_again(world: World) -> None:
    sb, kees = world.sb, world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await to_text_step(world, kees, "Klusje")
        await sb.say(kees, kees, "Lamp ophangen")
        await sb.next_message(kees)
        for typed, key in (("22-11-2026 15:00", "past"), ("31-02 10:00", "impossible"),
                           ("als het uitkomt", "unreadable")):
            await sb.say(kees, kees, typed)
            again = await sb.next_message(kees)
            assert again.text.startswith(t("nl", f"request.when_error.{key}").split("<")[0]), typed
            assert "Wanneer heb je hulp nodig?" in again.text
            assert again.button_texts() == ["Vandaag", "Morgen", "Deze week", "Stop"]
        draft = await store(world).draft(kees.id)
        assert draft is not None and draft.step is DraftStep.WHEN and draft.when is None
        await sb.say(kees, kees, "morgen 10:30")
        assert "Zet ik je naam bij de vraag" in (await sb.next_message(kees)).text
        await sb.say(kees, kees, "/stop")
        assert (await sb.next_message(kees)).text == t("nl", "request.flow.stopped")
        await sb.say(kees, kees, "za 14:00")
        await sb.settle()
        # After /stop a typed time belongs to no flow: the resident gets the menu, not a request.
        assert sb.bot_messages(kees)[-1].text.startswith(t("nl", "home.text").split("\n")[0])
        assert await store(world).open_in(world.group.id) == []
        assert len(sb.bot_messages(world.group)) == 1


async def test_a_restart_in_the_middle_of_the_flow_continues(world: World) -> None:
    sb, youssef = world.sb, world.user("Youssef")
    async with world.bot():
        await world.add_bot()
        await to_text_step(world, youssef, "Telefoon of computer")
    await sb.say(youssef, youssef, "Mijn telefoon doet geen updates meer")
    async with world.bot():
        question = await sb.next_message(youssef)
        assert "Wanneer heb je hulp nodig?" in question.text
        await tap(world, youssef, question, "Deze week")
        question = await sb.next_edit(youssef)
    async with world.bot():
        await tap(world, youssef, question, "Als een buur")
        preview = await sb.next_edit(youssef)
        assert "Elke" not in " ".join(preview.button_texts()), "this week has no weekday to repeat"
        await tap(world, youssef, preview, "Plaats in de groep")
        card = await sb.next_message(world.group)
        await sb.next_edit(youssef)
        assert "Mijn telefoon doet geen updates meer" in card.text
        assert "Wanneer: deze week, tot en met zo 29 nov" in card.text
        assert "Gevraagd door een buur" in card.text and "Youssef" not in card.text
        await sb.settle()
        assert len([m for m in sb.bot_messages(world.group) if m.text.startswith("🙋")]) == 1


async def test_on_behalf_of_a_neighbour_in_english(world: World) -> None:
    sb, john, anouk = world.sb, world.user("John"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, anouk)
        question = await open_ask(world, john)
        assert "What do you need help with?" in question.text
        await tap(world, john, question, "Bins or rubbish")
        await sb.next_edit(john)
        await sb.say(john, john, "Mrs. de Wit's bin needs to go out")
        question = await sb.next_message(john)
        assert "When do you need help?" in question.text
        await sb.say(john, john, "tuesday 7pm")
        question = await sb.next_message(john)
        await tap(world, john, question, "With my name (John)")
        preview = await sb.next_edit(john)
        await tap(world, john, preview, "It's for a neighbour")
        preview = await sb.next_edit(john)
        assert preview.button_texts() == ["Post in the group", "It's for me", "Needed every Tuesday",
                                          "Stop"]
        assert "For a neighbour who is not in the group." in preview.text
        await tap(world, john, preview, "Post in the group")
        card = await sb.next_message(world.group)
        assert (await sb.next_edit(john)).text.startswith("Your request is in the group.")
        assert "Voor een buur die zelf niet in de groep zit." in card.text
        assert "Gevraagd door John" in card.text and "di 24 nov om 19:00" in card.text

        await tap(world, anouk, card, "Ik help")
        helper = await sb.next_message(anouk)
        assert "Het is voor een buur zonder telefoon. Spreek af met John." in helper.text
        requester = await sb.next_message(john)
        assert requester.text.startswith(
            "Good news! Anouk will help you: Bins or rubbish, Tue 24 Nov at 19:00.")
        saved = await store(world).by_card(world.group.id, card.message_id)
        assert saved is not None and saved.on_behalf and saved.status is RequestStatus.CLAIMED
        assert saved.requester_id == john.id and saved.helper_id == anouk.id


async def test_open_requests_and_pace_are_limited(world: World) -> None:
    oksana = world.user("Oksana")
    async with world.bot():
        await world.add_bot()
        svc = world.services
        building = await svc.buildings.get(world.group.id)
        assert building is not None
        await svc.buildings.save_settings(
            world.group.id, building.settings.model_copy(update={"max_open_requests": 1}))
        await ask(world, oksana)
        refused = await open_ask(world, oksana)
        assert refused.text == t("nl", "request.limit.too_many_open", count=1)
        assert await store(world).draft(oksana.id) is None

        await svc.buildings.save_settings(
            world.group.id, building.settings.model_copy(update={"max_open_requests": 10}))
        now = world.clock.now()
        for _ in range(4):  # four more this hour, already withdrawn again
            await store(world).save_draft(RequestDraft(
                user_id=oksana.id, step=DraftStep.PREVIEW, building_id=world.group.id,
                kind=RequestKind.OTHER, description="x", anonymous=True, on_behalf=False,
                repeat=False, updated_at=now,
                when=When(kind=WhenKind.DAY, due_at=now + timedelta(days=1))))
            draft = await store(world).draft(oksana.id)
            assert draft is not None
            posted = await store(world).post_draft(draft, now)
            assert posted is not None and await store(world).cancel(posted.id, now)
        assert (await open_ask(world, oksana)).text == t("nl", "request.limit.too_fast")
        world.clock.advance(timedelta(hours=1, minutes=1))
        question = await open_ask(world, oksana)
        assert "Waarmee zoek je hulp?" in question.text
