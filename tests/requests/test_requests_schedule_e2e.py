"""Time passing with the test clock: the one bump (never at night), closing and asking again with
one tap, weekly needs, and what the digest and the privacy features get from requests."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

from bot.domain.requests import RequestStatus
from bot.i18n import t
from tests.harness import AMS, World, local
from tests.requests.request_steps import ask, started, store, tap


async def test_the_bump_comes_once_and_never_in_quiet_hours(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        posted = await ask(world, fatma, kind="Vervoer", text="Wie brengt me naar de huisarts?",
                           when="wo 9:00")
        bumps = await world.services.scheduler.store.pending("request.bump")
        assert [b.due_at.astimezone(AMS) for b in bumps] == [local(2026, 11, 24, 21, 29)]
        await world.at(local(2026, 11, 24, 21, 0))
        await sb.settle()
        assert not [m for m in sb.bot_messages(world.group) if "nog geen helper" in m.text]
        await world.at(local(2026, 11, 24, 21, 29))
        bump = await sb.next_message(world.group, containing="nog geen helper")
        assert bump.text == "Deze vraag heeft nog geen helper. Kun jij helpen? Tik op Ik help bij de vraag."
        assert bump.reply_to is not None and bump.reply_to.message_id == posted.card.message_id
        marked = await store(world).get(posted.request_id)
        assert marked is not None and marked.bumped_at is not None
        assert marked.bumped_at.astimezone(AMS).time() < time(21, 30), "the bot bumped before 21:30"
        await world.at(local(2026, 11, 25, 8, 45))
        await sb.settle()
        assert len([m for m in sb.bot_messages(world.group) if "nog geen helper" in m.text]) == 1
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.bumped_at == local(2026, 11, 24, 21, 29)


async def test_a_claimed_request_is_not_bumped(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma, when="za 14:00")
        await tap(world, kees, posted.card, "Ik help")
        await sb.next_edit(world.group)
        await world.at(local(2026, 11, 28, 11, 0))
        await sb.settle()
        assert not [m for m in sb.bot_messages(world.group) if "nog geen helper" in m.text]
        await world.at(local(2026, 11, 28, 14, 0))
        followup = await sb.next_message(fatma, containing="Is het gelukt")
        assert followup.button_texts() == ["Het is gelukt"]
        await tap(world, fatma, followup, "Het is gelukt")
        assert "Wil je Kees bedanken?" in (await sb.next_edit(fatma, containing="bedanken")).text


async def test_unclaimed_request_closes_and_is_asked_again_with_one_tap(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        posted = await ask(world, fatma, text="Wie wil een stukje wandelen?",
                           kind="Gezelschap of wandelen", when="Vandaag")
        await world.at(local(2026, 11, 23, 18, 30))
        await sb.next_message(world.group, containing="nog geen helper")
        # "Vandaag" lasts until the quiet hours begin: the card closes then, not in the morning.
        await world.at(local(2026, 11, 23, 21, 30))
        card = await sb.next_edit(world.group)
        assert card.text == "Gezelschap of wandelen: deze vraag is voorbij." and card.buttons() == []
        await world.at(local(2026, 11, 23, 22, 0))
        await sb.settle()
        assert not [m for m in sb.bot_messages(fatma) if "Niemand kon helpen" in m.text]
        await world.at(local(2026, 11, 24, 8, 30))
        prompt = await sb.next_message(fatma, containing="Niemand kon helpen")
        assert prompt.text.startswith("Niemand kon helpen met je vraag: Gezelschap of wandelen, ma 23 nov.")
        assert prompt.button_texts() == ["Vandaag", "Morgen", "Deze week"]
        await tap(world, fatma, prompt, "Vandaag")
        again = await sb.next_message(world.group, containing="Wie wil een stukje wandelen?")
        assert "Wanneer: di 24 nov" in again.text and again.button_texts() == ["Ik help", "Meld"]
        assert (await sb.next_edit(fatma)).text.startswith("Je vraag staat in de groep.")
        await sb.settle()  # the card's message id is stored once its send has been answered
        old = await store(world).get(posted.request_id)
        assert old is not None and old.status is RequestStatus.EXPIRED
        assert old.expired_at == local(2026, 11, 23, 21, 30)
        fresh = await store(world).by_card(world.group.id, again.message_id)
        assert fresh is not None and fresh.status is RequestStatus.OPEN
        assert fresh.description == "Wie wil een stukje wandelen?" and fresh.id != old.id


async def test_weekly_need_one_time_or_every_time(world: World) -> None:
    sb, fatma, kees, anouk = world.sb, world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, kees, anouk)
        first = await ask(world, fatma, kind="Container of afval", text="Container aan de straat",
                          when="di 19:00", named=True, weekly=True)
        assert "Elke week op dinsdag." in first.card.text
        assert first.card.button_texts() == ["Ik help deze keer", "Ik help elke keer", "Meld"]
        assert "Stop elke week" in first.controls.button_texts()
        await tap(world, kees, first.card, "Ik help deze keer")
        assert "Er helpt al iemand. Dank je wel!" in (await sb.next_edit(world.group)).text
        await sb.next_message(fatma)
        await sb.next_message(kees)

        await world.at(local(2026, 11, 24, 19, 0))
        second_card = await sb.next_message(world.group, containing="Container aan de straat")
        assert "Wanneer: di 1 dec om 19:00" in second_card.text
        assert second_card.button_texts() == ["Ik help deze keer", "Ik help elke keer", "Meld"]
        await sb.next_message(fatma, containing="Is het gelukt")
        again = await sb.next_message(fatma, containing="weer in de groep")
        assert "Stop elke week" in again.button_texts()
        await tap(world, anouk, second_card, "Ik help elke keer")
        assert "Er helpt al iemand, elke week." in (await sb.next_edit(world.group)).text
        assert "Anouk helpt elke week op dinsdag." in (await sb.next_message(fatma)).text
        assert "Je helpt elke week op dinsdag." in (await sb.next_message(anouk)).text

        await world.at(local(2026, 12, 1, 19, 0))
        to_fatma = await sb.next_message(fatma, containing="Volgende keer")
        assert to_fatma.text == "Volgende keer: Container of afval, di 8 dec om 19:00. Anouk helpt weer."
        to_anouk = await sb.next_message(anouk, containing="Volgende keer")
        assert "Je helpt Fatma weer" in to_anouk.text
        await sb.settle()
        assert len([m for m in sb.bot_messages(world.group) if "Container aan de straat" in m.text]) == 2
        stopped = await tap(world, fatma, to_fatma, "Stop elke week")
        assert stopped.text == t("nl", "request.series.stopped")
        assert await world.services.scheduler.store.pending("request.next") == []

        await world.at(local(2026, 12, 8, 19, 0))
        await sb.settle()
        rows = await world.services.db.fetch_all(
            "SELECT helper_id, status FROM requests ORDER BY id")
        assert [(r["helper_id"], r["status"]) for r in rows] == [
            (kees.id, "claimed"), (anouk.id, "claimed"), (anouk.id, "claimed")]


async def test_digest_activity_export_forget_and_retention(world: World) -> None:
    sb = world.sb
    fatma, youssef, kees = world.user("Fatma"), world.user("Youssef"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        named, anonymous = await asyncio.gather(
            ask(world, fatma, text="Fatma zoekt een ladder", named=True),
            ask(world, youssef, text="Wie kan mijn wifi instellen?", kind="Telefoon of computer"),
        )
        svc = world.services
        lines = [line for source in svc.digest_sources
                 for line in await source(world.group.id, "nl", world.clock.now())]
        assert "<b>Open vragen</b>" in lines
        assert "• Boodschappen, di 24 nov (Fatma)" in lines
        assert "• Telefoon of computer, di 24 nov (een buur)" in lines
        assert not any("Youssef" in line for line in lines)
        assert world.clock.now() in [await probe(world.group.id) for probe in svc.activity_probes]

        await tap(world, kees, anonymous.card, "Ik help")
        await sb.next_edit(world.group)
        await sb.next_message(youssef)
        await sb.next_message(kees)
        requests_data = next(p for p in svc.personal_data if p.name == "requests")
        mine = await requests_data.export(youssef.id)
        assert mine["requests"][0]["description"] == "Wie kan mijn wifi instellen?"
        helped = await requests_data.export(kees.id)
        assert helped["helped_with"] == [{**helped["helped_with"][0], "kind": "devices"}]
        assert "description" not in helped["helped_with"][0]

        await requests_data.forget(kees.id, world.clock.now())
        reopened = await sb.next_edit(world.group, containing="Wie kan mijn wifi instellen?")
        assert reopened.button_texts() == ["Ik help", "Meld"]
        controls = await sb.next_message(youssef)
        assert "Kees kan toch niet helpen" in controls.text
        await requests_data.forget(fatma.id, world.clock.now())
        withdrawn = await sb.next_edit(world.group)
        assert withdrawn.message_id == named.card.message_id
        assert "Fatma" not in withdrawn.text and "gestopt" in withdrawn.text
        await requests_data.forget(fatma.id, world.clock.now())
        gone = await store(world).get(named.request_id)
        assert gone is not None and gone.status is RequestStatus.CANCELLED
        assert gone.description is None and gone.anonymous

        await tap(world, youssef, controls, "Stop mijn vraag")
        await sb.next_edit(world.group, containing="gestopt")
        assert await requests_data.expire(world.clock.now() - timedelta(minutes=1)) == 0
        assert await requests_data.expire(world.clock.now() + timedelta(days=1)) == 1
        erased = await store(world).get(anonymous.request_id)
        assert erased is not None and erased.description is None
        assert erased.kind.value == "devices" and erased.cancelled_at == world.clock.now()


async def test_next_weeks_need_posted_for_anyone_comes_with_the_askers_buttons(
        world: World) -> None:
    sb, fatma, kees, anouk = world.sb, world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, kees, anouk)
        first = await ask(world, fatma, kind="Container of afval", text="Container aan de straat",
                          when="di 19:00", named=True, weekly=True)
        await tap(world, kees, first.card, "Ik help deze keer")
        await sb.next_message(fatma, containing="Kees helpt je")

        await world.at(local(2026, 11, 24, 19, 0))
        second = await sb.next_message(world.group, containing="Container aan de straat")
        again = await sb.next_message(fatma, containing="weer in de groep")
        assert "di 1 dec om 19:00" in again.text
        assert again.button_texts() == first.controls.button_texts()
        await tap(world, fatma, again, "Tekst veranderen")
        await sb.next_message(fatma, containing="Typ de nieuwe tekst")
        await sb.say(fatma, fatma, "Groene container aan de straat")
        await sb.next_message(fatma, containing=t("nl", "request.edit.saved"))
        edited = await sb.next_edit(world.group, containing="Groene container")
        assert edited.message_id == second.message_id
        description = await world.services.db.fetch_value(
            "SELECT description FROM requests WHERE card_message_id = ?", (second.message_id,))
        assert description == "Groene container aan de straat"
