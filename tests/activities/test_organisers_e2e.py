"""Organiser tools and private answers, played as residents would: the number of places apart
from where it is and changeable after posting, who comes for the organiser's eyes only, any
activity handed over (said as what moves), no invitation when full, a guest counted with those
who come, a look-back that asks who came, feedback answered in kind, an idea's five signed up,
and reminders, notices and the waiting list with their own buttons."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.activities import Repeat, RsvpStatus
from bot.i18n import t, tn
from sandbox import SandboxMessage
from storage.activities import ActivityStore
from tests.activities.test_activities_e2e import (
    activity_of,
    card_now,
    local,
    open_private,
    post_prepared,
    say,
    tap,
)
from tests.harness import World
from tests.requests.request_steps import started


async def controls_of(world: World, organiser_name: str) -> SandboxMessage:
    """The organiser's latest private message with the controls on it."""
    organiser = world.user(organiser_name)
    return next(m for m in reversed(world.sb.bot_messages(organiser))
                if "Afzeggen" in m.button_texts())


async def test_places_are_apart_from_where_and_change_after_posting(world: World) -> None:
    sb = world.sb
    fatma, anouk, kees, youssef = (world.user(n) for n in ("Fatma", "Anouk", "Kees", "Youssef"))
    async with world.bot():
        await world.add_bot()
        await started(world, youssef)
        card = await post_prepared(world, fatma, capacity=2)
        assert "Aantal plekken:</b> 2" in card.html and "Plekken:</b>" not in card.html
        await tap(world, anouk, card, "Ik kom")
        await tap(world, kees, card, "Ik kom")
        await tap(world, youssef, card, "Ik kom")
        await sb.next_message(youssef, containing="wachtlijst")

        controls = await controls_of(world, "Fatma")
        await tap(world, fatma, controls, "Waar veranderen")
        await sb.next_message(fatma, containing="Waar is het nu")
        again = await say(world, fatma, "5", "Waar is het nu")
        assert t("nl", "activity.problem.place_is_a_number") in again.text
        await say(world, fatma, "De hal", "Aangepast")
        shown = await card_now(world, card)
        assert "Waar:</b> De hal" in shown.html and "Waar:</b> 5" not in shown.html

        controls = await controls_of(world, "Fatma")
        await tap(world, fatma, controls, "Aantal plekken")
        question = await sb.next_message(fatma, containing="Hoeveel buren kunnen er komen")
        assert "Geen maximum" in question.button_texts()
        again = await say(world, fatma, "1", "Hoeveel buren")
        assert tn("nl", "activity.problem.capacity_below_going", 2) in again.text
        await say(world, fatma, "3", "Aangepast")
        promoted = await sb.next_message(youssef, containing="er is een plek vrij")
        assert promoted.button_texts() == ["Ik kan toch niet"]
        shown = await card_now(world, card)
        assert "Aantal plekken:</b> 3" in shown.html and "Komen: 3" in shown.text
        activity = await ActivityStore(world.services.db).get(await activity_of(world, card))
        assert activity is not None and activity.capacity == 3 and activity.place == "De hal"


async def test_only_the_organiser_sees_who_comes_by_first_name(world: World) -> None:
    sb, admin = world.sb, world.admin
    fatma, anouk, kees, john = (world.user(n) for n in ("Fatma", "Anouk", "Kees", "John"))
    async with world.bot():
        await world.add_bot()
        card = await post_prepared(world, fatma)
        await tap(world, anouk, card, "Ik kom")
        await tap(world, kees, card, "Ik neem iemand mee")
        await tap(world, john, card, "Misschien")
        await tap(world, fatma, await controls_of(world, "Fatma"), "Wie komt")
        who = await sb.next_message(fatma, containing="Wie komt er")
        assert "Komen (2): Anouk, Kees (+1)" in who.text and "Misschien (1): John" in who.text
        shown = await card_now(world, card)
        assert not any(name in shown.text for name in ("Anouk", "Kees", "John"))
        # A group admin may change the activity, but does not see who comes.
        await open_private(world, admin)
        await sb.say(admin, admin, "/activiteit")
        listing = await sb.next_message(admin, containing="organiseer je")
        await tap(world, admin, listing, "Samen soep eten – donderdag 26 november")
        admin_controls = await sb.next_message(admin, containing="Samen soep eten")
        refused = await tap(world, admin, admin_controls, "Wie komt")
        assert refused == t("nl", "activity.who.organiser_only")
        await sb.settle()
        assert not [m for m in sb.bot_messages(admin) if "Anouk" in m.text]


async def test_a_one_off_activity_is_handed_over(world: World) -> None:
    sb = world.sb
    fatma, kees, anouk = world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        card = await post_prepared(world, fatma, title="Klaverjassen")
        await tap(world, anouk, card, "Ik kom")
        fatmas_controls = await controls_of(world, "Fatma")
        await tap(world, fatma, fatmas_controls, "Overdragen")
        asked = await sb.next_message(world.group, containing="zoekt iemand")
        assert "Klaverjassen" in asked.text and "volgende keer" not in asked.text
        assert asked.reply_to is not None and asked.reply_to.message_id == card.message_id
        await tap(world, kees, asked, "Ik neem het over")
        ask = await sb.next_message(fatma, containing="Kees wil")
        assert "volgende keer" not in ask.text
        await tap(world, fatma, ask, "Ja, goed")
        confirmed = await sb.next_edit(world.group, containing="Kees organiseert nu")
        assert "volgende keer" not in confirmed.text
        handed = await sb.next_message(kees, containing="Je organiseert nu")
        assert "Afzeggen" in handed.button_texts()
        shown = await card_now(world, card)
        assert "Wie organiseert:</b> Kees" in shown.html
        # Fatma's controls went with it: her message shows who organises it now.
        before = sb.message(fatma, fatmas_controls.message_id)
        assert before is not None and before.buttons() == []
        assert "Wie organiseert: Kees" in before.text
        activity = await ActivityStore(world.services.db).get(await activity_of(world, card))
        assert activity is not None and activity.organiser_id == kees.id


async def test_a_series_handed_over_moves_as_a_whole_and_says_so(world: World) -> None:
    sb = world.sb
    fatma, kees = world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        card = await post_prepared(world, fatma, title="Wandelen", repeat=Repeat.WEEKLY)
        await tap(world, fatma, await controls_of(world, "Fatma"), "Overdragen")
        asked = await sb.next_message(world.group, containing="zoekt iemand")
        assert "voortaan" in asked.text and "volgende keer" not in asked.text
        await tap(world, kees, asked, "Ik neem het over")
        ask = await sb.next_message(fatma, containing="Kees wil")
        await tap(world, fatma, ask, "Ja, goed")
        await sb.next_edit(world.group, containing="Kees organiseert voortaan")
        handed = await sb.next_message(kees, containing="Je organiseert voortaan")
        assert "volgende keer" not in handed.text.split(".")[0]
        store = ActivityStore(world.services.db)
        activity = await store.get(await activity_of(world, card))
        assert activity is not None and activity.organiser_id == kees.id
        assert activity.series_id is not None
        series = await store.series(activity.series_id)
        assert series is not None and series.organiser_id == kees.id


async def test_a_full_activity_is_not_advertised(world: World) -> None:
    sb = world.sb
    fatma, anouk, kees = world.user("Fatma"), world.user("Anouk"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        full = await post_prepared(world, fatma, title="Pannenkoeken", capacity=2)
        await post_prepared(world, kees, title="Koffie")
        await tap(world, anouk, full, "Ik kom")
        await tap(world, kees, full, "Ik kom")
        world.clock.set(local(2026, 11, 24, 19, 5))
        await world.run_due()
        invite = await sb.next_message(world.group, containing="Neem je een buur mee")
        assert "Koffie" in invite.text
        await sb.settle()
        assert not [m for m in sb.bot_messages(world.group)
                    if "Neem je een buur mee" in m.text and "Pannenkoeken" in m.text]


async def test_a_full_card_no_longer_offers_to_bring_someone(world: World) -> None:
    sb = world.sb
    fatma, anouk, kees, youssef = (world.user(n) for n in ("Fatma", "Anouk", "Kees", "Youssef"))
    async with world.bot():
        await world.add_bot()
        await started(world, youssef)
        card = await post_prepared(world, fatma, title="Pannenkoeken", capacity=2)
        assert "Ik neem iemand mee" in card.button_texts()
        await tap(world, anouk, card, "Ik kom")
        await tap(world, kees, card, "Ik kom")
        full = await card_now(world, card)
        assert "Vol." in full.text
        assert full.button_texts() == ["Ik kom", "Misschien", "Toch niet", "In mijn agenda",
                                       "Meld"]
        await tap(world, youssef, full, "Ik kom")
        await sb.next_message(youssef, containing="wachtlijst")
        # Youssef takes the place Anouk leaves: still full, still no invitation.
        await tap(world, anouk, card, "Toch niet")
        await sb.next_message(youssef, containing="er is een plek vrij")
        assert "Ik neem iemand mee" not in (await card_now(world, card)).button_texts()
        await tap(world, kees, card, "Toch niet")
        free = await card_now(world, card)
        assert "Vol." not in free.text and "Ik neem iemand mee" in free.button_texts()

async def test_a_brought_neighbour_is_counted_among_those_who_come(world: World) -> None:
    fatma, anouk, kees = world.user("Fatma"), world.user("Anouk"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        card = await post_prepared(world, fatma)
        await tap(world, anouk, card, "Ik kom")
        await tap(world, kees, card, "Ik neem iemand mee")
        await tap(world, world.user("John"), card, "Misschien")
        shown = await card_now(world, card)
        assert "Komen: 3 (inclusief 1 meegenomen) · Misschien: 1" in shown.text


async def test_the_look_back_asks_who_came_and_never_posts_a_zero(world: World) -> None:
    sb = world.sb
    fatma, anouk, kees = world.user("Fatma"), world.user("Anouk"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, anouk, kees)
        card = await post_prepared(world, fatma)
        quiet = await post_prepared(world, fatma, title="Schaken")
        await tap(world, anouk, card, "Ik kom")
        await tap(world, kees, card, "Ik neem iemand mee")
        posted = next(m for m in sb.bot_messages(fatma)
                      if "Geplaatst" in m.text and "Samen soep eten" in m.text)
        world.clock.set(local(2026, 11, 26, 21, 5))
        await world.run_due()
        thanks = await sb.next_message(world.group, containing="Dank jullie wel")
        assert "Samen soep eten" in thanks.text and not any(c.isdigit() for c in thanks.text)
        await sb.settle()
        over = sb.message(fatma, posted.message_id)
        assert over is not None and over.buttons() == [] and "Dit is voorbij." in over.text
        shown = await card_now(world, card)
        assert "Dit is voorbij." in shown.text and "waren erbij" not in shown.text
        nobody = await card_now(world, quiet)
        assert "Dit is voorbij." in nobody.text and "0" not in nobody.text.split("voorbij.")[1]
        assert not [m for m in sb.bot_messages(world.group) if "Schaken" in m.text
                    and "Dank" in m.text]

        to_anouk = await sb.next_message(anouk, containing="Was je bij")
        assert to_anouk.button_texts() == ["Fijn", "Ging wel", "Niet fijn", "Ik was er niet"]
        to_kees = await sb.next_message(kees, containing="Was je bij")
        await tap(world, kees, to_kees, "Ik was er niet")
        sorry = await sb.next_edit(kees, containing="niet bij kon zijn")
        assert sorry.buttons() == []
        await tap(world, anouk, to_anouk, "Niet fijn")
        answered = await sb.next_edit(anouk, containing="Jammer")
        assert "organiseren" not in answered.text and answered.buttons() == []
        shown = await card_now(world, card)
        assert "Zoveel buren waren erbij: 1." in shown.text
        assert not [m for m in sb.bot_messages(world.group) if "Er kwamen 0" in m.text]


async def test_an_idea_with_five_becomes_an_activity_with_them_signed_up(world: World) -> None:
    sb = world.sb
    fatma = world.user("Fatma")
    joiners = [world.user(n) for n in ("Anouk", "Kees", "Youssef", "Oksana", "Mehmet")]
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, joiners[0])
        await sb.say(fatma, world.group, "/idee Samen een moestuin op het dak")
        idea = await sb.next_message(world.group, containing="moestuin")
        for neighbour in joiners:
            await tap(world, neighbour, idea, "Doe mee")
        ready = await sb.next_message(fatma, containing="doen mee met je idee")
        await tap(world, fatma, ready, "Maak er een activiteit van")
        await sb.next_message(fatma, containing="Wanneer")
        await say(world, fatma, "za 10:00-12:00", "Waar is het")
        capacity = await say(world, fatma, "Het dak", "Hoeveel plekken")
        await tap(world, fatma, capacity, "Geen maximum")
        await tap(world, fatma, await sb.next_message(fatma, containing="vaker"), "Eén keer")
        await tap(world, fatma, await sb.next_message(fatma, containing="Klopt het"), "Plaatsen")
        activity_card = await sb.next_message(world.group, containing="zaterdag 28 november")
        told = await sb.next_message(joiners[0], containing="is nu een activiteit")
        assert "Tik in de groep op Ik kom" not in told.text
        assert told.button_texts() == ["Ik kan toch niet"]
        shown = await sb.next_edit(world.group, containing="Dit idee is nu een activiteit")
        assert "Kijk in de groep" not in shown.text
        going = {r.user_id for r in await ActivityStore(world.services.db).rsvps(
            await activity_of(world, activity_card)) if r.status is RsvpStatus.GOING}
        assert going == {n.id for n in joiners}
        card = await card_now(world, activity_card)
        assert "Komen: 5" in card.text


async def test_a_reminder_carries_its_own_buttons_in_the_residents_language(world: World) -> None:
    sb = world.sb
    fatma, anouk, john = world.user("Fatma"), world.user("Anouk"), world.user("John")
    async with world.bot():
        await world.add_bot()
        await started(world, anouk, john)
        card = await post_prepared(world, fatma)
        await tap(world, anouk, card, "Ik kom")
        await tap(world, john, card, "Ik kom")
        world.clock.set(local(2026, 11, 25, 19, 0))
        await world.run_due()
        reminder = await sb.next_message(anouk, containing="Denk je eraan")
        assert "Tik daar op Toch niet" not in reminder.text
        assert reminder.button_texts() == ["Ik kan toch niet"]
        english = await sb.next_message(john, containing="A reminder")
        assert "Not this time" not in english.text
        assert english.button_texts() == ["I can't make it"]

        await tap(world, anouk, reminder, "Ik kan toch niet")
        not_coming = await sb.next_edit(anouk, containing="Je komt niet")
        assert not_coming.button_texts() == ["Ik kom toch"]
        await tap(world, anouk, not_coming, "Ik kom toch")
        coming = await sb.next_edit(anouk, containing="Je komt naar")
        assert coming.button_texts() == ["Ik kan toch niet"]
        answers = {r.user_id: r.status for r in await ActivityStore(world.services.db).rsvps(
            await activity_of(world, card))}
        assert answers[anouk.id] is RsvpStatus.GOING


async def test_a_waiting_list_place_is_a_message_with_buttons(world: World) -> None:
    sb = world.sb
    fatma, anouk, kees = world.user("Fatma"), world.user("Anouk"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        card = await post_prepared(world, fatma, capacity=1)
        await tap(world, anouk, card, "Ik kom")
        popup = await tap(world, kees, card, "Ik kom")
        assert popup == t("nl", "activity.answer.waiting", position=1)
        waiting = await sb.next_message(kees, containing="wachtlijst")
        assert "nummer 1" in waiting.text
        assert waiting.button_texts() == ["Mijn plek op de wachtlijst", "Haal me van de wachtlijst"]
        place = await tap(world, kees, waiting, "Mijn plek op de wachtlijst")
        assert place == t("nl", "activity.answer.position", position=1)

        world.clock.advance(timedelta(minutes=5))
        await tap(world, anouk, card, "Toch niet")
        promoted = await sb.next_message(kees, containing="er is een plek vrij")
        assert promoted.button_texts() == ["Ik kan toch niet"]
        await tap(world, kees, waiting, "Mijn plek op de wachtlijst")
        now_going = await sb.next_edit(kees, containing="Je komt naar")
        assert now_going.button_texts() == ["Ik kan toch niet"]
