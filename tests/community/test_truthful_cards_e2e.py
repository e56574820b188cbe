"""Cards and private buttons always tell the truth, played as residents would: a request closes
at its own time even in the evening's quiet hours, a helper stepping back leaves the asker
buttons that fit, a stopped weekly need or series no longer says it comes back, a closed
request's buttons go, the helper is thanked once, and "Toch niet" ends the change notices."""

from __future__ import annotations

from bot.domain.activities import Repeat
from bot.domain.requests import RequestStatus
from bot.i18n import t
from tests.activities.test_activities_e2e import activity_of, card_now, post_prepared, say
from tests.activities.test_activities_e2e import tap as tap_activity
from tests.harness import World, local
from tests.requests.request_steps import ask, started, store, tap


async def test_a_request_closes_at_its_own_time_even_in_quiet_hours(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        posted = await ask(world, fatma, text="Wie loopt vanavond met de hond?",
                           kind="Gezelschap of wandelen", when="vandaag 22:30")
        assert "Kun jij helpen?" in posted.card.text
        await world.at(local(2026, 11, 23, 22, 31))
        card = await sb.next_edit(world.group, containing="voorbij")
        assert card.message_id == posted.card.message_id
        assert card.buttons() == [] and "Kun jij helpen?" not in card.text
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.EXPIRED
        # What is said privately waits for the morning; the card did not.
        await sb.settle()
        assert not [m for m in sb.bot_messages(fatma) if "Niemand kon helpen" in m.text]
        retired = sb.message(fatma, posted.controls.message_id)
        assert retired is not None and retired.buttons() == []
        await world.at(local(2026, 11, 24, 8, 30))
        prompt = await sb.next_message(fatma, containing="Niemand kon helpen")
        assert prompt.button_texts() == ["Vandaag", "Morgen", "Deze week"]


async def test_a_helper_steps_back_and_the_askers_old_buttons_go(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma)
        await tap(world, kees, posted.card, "Ik help")
        intro = await sb.next_message(fatma, containing="Kees helpt je")
        assert "Het is gelukt" in intro.button_texts()
        to_kees = await sb.next_message(kees, containing="Je helpt Fatma")
        await tap(world, kees, to_kees, "Ik kan toch niet")
        told = await sb.next_message(fatma, containing="kan toch niet helpen")
        assert told.button_texts() == ["Tekst veranderen", "Tijd veranderen", "Stop mijn vraag"]
        await sb.settle()
        old = sb.message(fatma, intro.message_id)
        assert old is not None and old.buttons() == [] and old.text == intro.text
        # A press of the old "Het is gelukt" that still arrives says what is true.
        late = await (await sb.tap(fatma, intro, f"req:done:{posted.request_id}", forged=True)).answer()
        assert late.text == t("nl", "request.answer.open_again")
        assert late.text != t("nl", "request.answer.closed")
        kees_old = sb.message(kees, to_kees.message_id)
        assert kees_old is not None and kees_old.buttons() == []


async def test_a_closed_request_takes_its_buttons_and_the_helper_is_thanked_once(
        world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma)
        await tap(world, kees, posted.card, "Ik help")
        to_fatma = await sb.next_message(fatma, containing="Kees helpt je")
        to_kees = await sb.next_message(kees, containing="Je helpt Fatma")
        before = len(sb.bot_messages(kees))
        await tap(world, fatma, to_fatma, "Het is gelukt")
        thank = await sb.next_edit(fatma, containing="bedanken")
        await tap(world, fatma, thank, "Bedank Kees")
        await sb.next_message(kees, containing="dank je wel voor je hulp")
        await sb.settle()
        after = sb.bot_messages(kees)[before:]
        thanks = [m for m in after if "dank" in m.text.lower()]
        assert len(thanks) == 1, [m.text for m in after]
        helper_buttons = sb.message(kees, to_kees.message_id)
        assert helper_buttons is not None and helper_buttons.buttons() == []


async def test_a_stopped_weekly_need_no_longer_says_every_week(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        first = await ask(world, fatma, kind="Container of afval", text="Container aan de straat",
                          when="di 19:00", named=True, weekly=True)
        await tap(world, kees, first.card, "Ik help deze keer")
        await sb.next_message(fatma, containing="Kees helpt je")
        await world.at(local(2026, 11, 24, 19, 0))
        second = await sb.next_message(world.group, containing="Container aan de straat")
        assert "Elke week op dinsdag." in second.text
        followup = await sb.next_message(fatma, containing="Is het gelukt")
        stopped = await tap(world, fatma, followup, "Stop elke week")
        assert stopped.text == t("nl", "request.series.stopped")
        shown = await sb.next_edit(world.group, containing="Container aan de straat")
        await sb.settle()
        second_now = sb.message(world.group, second.message_id)
        assert second_now is not None and "Elke week" not in second_now.text
        assert second_now.button_texts() == ["Ik help", "Meld"]
        assert shown.message_id in (first.card.message_id, second.message_id)


async def test_a_cancelled_series_no_longer_says_it_repeats(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        card = await post_prepared(world, fatma, title="Wandelen", repeat=Repeat.WEEKLY)
        assert "Herhaalt:" in card.text
        controls = sb.bot_messages(fatma)[-1]
        await tap_activity(world, fatma, controls, "Afzeggen")
        sure = await sb.next_edit(fatma, containing="afzeggen")
        await tap_activity(world, fatma, sure, "Zeg de hele reeks af")
        await sb.next_edit(fatma, containing="is afgezegd")
        shown = await card_now(world, card)
        assert "Gaat niet door" in shown.text and "Herhaalt" not in shown.text


async def test_a_stopped_series_leaves_no_private_details_that_say_it_repeats(
        world: World) -> None:
    sb, fatma, anouk = world.sb, world.user("Fatma"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, anouk)
        card = await post_prepared(world, fatma, title="Wandelen", repeat=Repeat.WEEKLY)
        await tap_activity(world, anouk, card, "Ik kom")
        posted = next(m for m in reversed(sb.bot_messages(fatma)) if "Geplaatst" in m.text)
        assert "Herhaalt: elke week" in posted.text and "Afzeggen" in posted.button_texts()
        # Fatma calls the series off from "Mijn dingen", not from the message after posting.
        await sb.say(fatma, fatma, "/mijn")
        mine = await sb.next_message(fatma, containing="Je organiseert dit")
        assert "Herhaalt" not in mine.text
        await tap_activity(world, fatma, mine, "Afzeggen")
        sure = await sb.next_edit(fatma, containing="afzeggen")
        await tap_activity(world, fatma, sure, "Zeg de hele reeks af")
        await sb.next_edit(fatma, containing="is afgezegd")
        await sb.settle()
        before = sb.message(fatma, posted.message_id)
        assert before is not None and before.buttons() == []
        assert "Herhaalt" not in before.text and "Gaat niet door" in before.text
        assert "Wandelen" in before.text
        assert "gaat niet door" in (await sb.next_message(anouk, containing="Wandelen")).text
        shown = await card_now(world, card)
        assert "Herhaalt" not in shown.text and shown.button_texts() == []

async def test_who_said_toch_niet_hears_no_more_changes(world: World) -> None:
    sb = world.sb
    fatma, anouk, kees = world.user("Fatma"), world.user("Anouk"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, anouk, kees)
        card = await post_prepared(world, fatma)
        await tap_activity(world, anouk, card, "Ik kom")
        await tap_activity(world, anouk, card, "Toch niet")
        await tap_activity(world, kees, card, "Misschien")
        controls = sb.bot_messages(fatma)[-1]
        await tap_activity(world, fatma, controls, f"actm:time:{await activity_of(world, card)}")
        await sb.next_message(fatma, containing="nieuwe dag en tijd")
        await say(world, fatma, "vr 19:30", "Aangepast")
        moved = await sb.next_message(kees, containing="verplaatst")
        assert moved.button_texts() == ["Ik kom", "Ik kan niet"]
        await sb.settle()
        assert not [m for m in sb.bot_messages(anouk) if "verplaatst" in m.text]
