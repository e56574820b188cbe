"""Regular neighbours, driven through the sandbox as residents would: offering, asking for a
regular neighbour, anonymous suggestions with double opt-in, the three cups of tea, stopping,
leaving and blocking, forged presses, /zorgen, and the path from a done request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from bot.app import SCHEDULE_POLL_SECONDS
from bot.domain.pairing import PairStatus
from bot.i18n import t
from handlers.privacy.forget import forget_resident
from sandbox import SandboxMessage, SandboxUser
from sandbox.models import BotEvent
from storage.pairing import PairingStore
from tests.harness import World
from tests.requests.request_steps import ask, tap

SUGGESTION = "Een buur in jullie flat zoekt"


# --- steps -------------------------------------------------------------------------------------

async def begin_here(world: World, *users: SandboxUser) -> None:
    """Residents tap "Begin hier" under the welcome: a private chat tied to the building."""
    url = world.sb.bot_messages(world.group)[0].url_buttons()["Begin hier"]
    for user in users:
        await world.sb.open_private(user, url)
        await world.sb.next_message(user)


async def open_offer(world: World, user: SandboxUser) -> SandboxMessage:
    await world.sb.say(user, user, "/aanbod")
    return await world.sb.next_message(user)


async def fill_in(world: World, user: SandboxUser, question: SandboxMessage, *, days: tuple[int, ...],
                  parts: tuple[str, ...]) -> SandboxMessage:
    for day in days:
        await tap(world, user, question, f"pf:d:{day}")
        question = await world.sb.next_edit(user)
    for part in parts:
        await tap(world, user, question, f"pf:p:{part}")
        question = await world.sb.next_edit(user)
    await tap(world, user, question, "pf:next")
    return await world.sb.next_edit(user)


async def offer(world: World, user: SandboxUser, *, kinds: tuple[str, ...] = ("company",),
                days: tuple[int, ...] = (3,), parts: tuple[str, ...] = ("afternoon",),
                often: str = "weekly", question: SandboxMessage | None = None) -> SandboxMessage:
    """The whole /aanbod flow; returns the saved offer's message."""
    question = question or await open_offer(world, user)
    for kind in kinds:
        await tap(world, user, question, f"pf:k:{kind}")
        question = await world.sb.next_edit(user)
    await tap(world, user, question, "pf:next")
    question = await world.sb.next_edit(user)
    question = await fill_in(world, user, question, days=days, parts=parts)
    await tap(world, user, question, f"pf:f:{often}")
    return await world.sb.next_edit(user)


async def wish(world: World, user: SandboxUser, *, kind: str = "company",
               days: tuple[int, ...] = (3,), parts: tuple[str, ...] = ("afternoon",)) -> SandboxMessage:
    """/vastebuur with no pairs yet: straight into asking for a regular neighbour."""
    await world.sb.say(user, user, "/vastebuur")
    question = await world.sb.next_message(user)
    await tap(world, user, question, f"pf:k:{kind}")
    question = await world.sb.next_edit(user)
    return await fill_in(world, user, question, days=days, parts=parts)


async def pair_up(
    world: World, helper: SandboxUser, resident: SandboxUser
) -> tuple[SandboxMessage, SandboxMessage]:
    """An offer, a wish, and yes from both: the two "you are regular neighbours" messages."""
    await offer(world, helper)
    await wish(world, resident)
    suggestion = await world.sb.next_message(helper, containing=SUGGESTION)
    await tap(world, helper, suggestion, "Ja, graag")
    await world.sb.next_edit(helper)
    asked = await world.sb.next_message(resident, containing="Een buur wil graag")
    await tap(world, resident, asked, "Ja, graag")
    to_resident = await world.sb.next_edit(resident)
    to_helper = await world.sb.next_message(helper, containing="vaste buren")
    return to_helper, to_resident


def pairing_store(world: World) -> PairingStore:
    return PairingStore(world.services.db)


def texts_to(world: World, user: SandboxUser, since: int = 0, until: int | None = None) -> list[str]:
    """Every text the bot sent or edited into this person's chat, and every button answer they
    got, in order (edits included, so nothing shown for a moment escapes the check)."""
    found: list[str] = []
    for event in world.sb.events[since:until]:
        if not event.ok:
            continue
        if event.chat_id == user.id and event.message is not None:
            found.append(event.message.text + " " + " ".join(event.message.button_texts()))
        elif event.method == "answerCallbackQuery" and _query_from(world, event) == user.id:
            found.append(str(event.params.get("text") or ""))
    return found


def _query_from(world: World, event: BotEvent) -> int | None:
    state = world.sb.world.callback_queries.get(str(event.params.get("callback_query_id")))
    return state.user.id if state is not None else None


async def at_local(world: World, day_offset: int, moment: time) -> None:
    """Move the test clock to `moment` (Amsterdam) on the day `day_offset` days from now."""
    zone = world.services.settings.zone
    local = world.clock.now().astimezone(zone)
    target = datetime.combine(local.date() + timedelta(days=day_offset), moment, tzinfo=zone)
    world.clock.set(target)
    await world.run_due()


async def quiet_chat(world: World, user: SandboxUser) -> int:
    await world.sb.settle()
    return len(world.sb.bot_messages(user))


# --- tests -------------------------------------------------------------------------------------

async def test_offer_wish_decline_is_silent_and_names_come_only_after_both_say_yes(world: World) -> None:
    sb = world.sb
    kees, anouk, fatma = world.user("Kees"), world.user("Anouk"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, anouk, fatma)
        # Kees starts from the group: one short line with a button, nothing about his offer.
        await sb.say(kees, world.group, "/aanbod")
        line = await sb.next_message(world.group)
        assert line.text == t("nl", "offer.group.go_private")
        await sb.open_private(kees, line.url_buttons()["Open Omzien"])
        first = await sb.next_message(kees)
        assert first.text.startswith("Wat doe je graag voor je buren in Flat De Linde?")
        assert "Af en toe kijken hoe het gaat" in first.button_texts() and "Maatje" in first.button_texts()
        card = await offer(world, kees, kinds=("company", "buddy"), question=first)
        assert "Je doet graag: Gezelschap of wandelen, Maatje" in card.text
        assert "Wanneer: op donderdagmiddag" in card.text and "Hoe vaak: Elke week" in card.text
        await offer(world, anouk, days=(1, 3), parts=("afternoon", "evening"), often="occasional")
        start = len(sb.events)

        saved = await wish(world, fatma)
        assert saved.text.startswith("Fijn, ik zoek een buur voor gezelschap op donderdagmiddag.")
        fatma_before = len(sb.bot_messages(fatma))
        # Kees offers every week, Anouk now and then: Kees is asked first, without a name.
        to_kees = await sb.next_message(kees, containing=SUGGESTION)
        assert to_kees.text.startswith(
            "Een buur in jullie flat zoekt gezelschap op donderdagmiddag. Wil je kennismaken?")
        assert to_kees.button_texts() == ["Ja, graag", "Nee, liever niet"]
        await tap(world, kees, to_kees, "Nee, liever niet")
        assert (await sb.next_edit(kees)).text == t("nl", "pairing.declined")

        to_anouk = await sb.next_message(anouk, containing=SUGGESTION)
        await tap(world, anouk, to_anouk, "Ja, graag")
        assert (await sb.next_edit(anouk)).text == t("nl", "pairing.helper.yes_wait")
        asked = await sb.next_message(fatma, containing="Een buur wil graag")
        assert asked.text.startswith("Goed nieuws! Een buur wil graag je vaste buur zijn voor "
                                     "gezelschap op donderdagmiddag.")
        # Kees's no was silent: between her wish and this question Fatma heard nothing.
        assert len(sb.bot_messages(fatma)) == fatma_before + 1

        before_names = len(sb.events)
        await tap(world, fatma, asked, "Ja, graag")
        made = await sb.next_edit(fatma)
        assert made.text.startswith("Jullie zijn nu vaste buren! Anouk is nu je vaste buur (gezelschap")
        assert made.url_buttons() == {}
        assert "Stuur Anouk een bericht via mij" in made.button_texts()
        to_helper = await sb.next_message(anouk, containing="vaste buren")
        assert "Fatma is nu je vaste buur" in to_helper.text
        assert to_helper.url_buttons() == {}
        assert "Stuur Fatma een bericht via mij" in to_helper.button_texts()

        # No name reached anyone before both said yes: not in a message, an edit or an answer.
        for person, others in ((kees, ("Fatma", "Anouk")), (anouk, ("Fatma", "Kees")),
                               (fatma, ("Anouk", "Kees"))):
            earlier = texts_to(world, person, start, before_names)
            assert earlier
            for text in earlier:
                assert not any(name in text for name in others), (person.first_name, text)
        assert all("Fatma" not in text and "Anouk" not in text for text in texts_to(world, kees, start))
        assert all(message.text == t("nl", "offer.group.go_private") or "Hoi buren" in message.text
                   for message in sb.bot_messages(world.group))

        pairs = await pairing_store(world).involving(fatma.id)
        statuses = sorted((p.helper_id == kees.id, p.status) for p in pairs)
        assert statuses == [(False, PairStatus.ACTIVE), (True, PairStatus.DECLINED)]


async def test_three_cups_of_tea_calm_at_night_one_reminder_and_then_quiet(world: World) -> None:
    sb = world.sb
    anouk, fatma = world.user("Anouk"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, anouk, fatma)
        await pair_up(world, anouk, fatma)
        pairing = (await pairing_store(world).involving(fatma.id))[0]
        # A week later the question falls due; the bot was busy until late: it waits for morning.
        fatma_count, anouk_count = await quiet_chat(world, fatma), await quiet_chat(world, anouk)
        await at_local(world, 7, time(23, 0))
        assert await quiet_chat(world, fatma) == fatma_count
        assert await quiet_chat(world, anouk) == anouk_count
        await at_local(world, 1, time(8, 31))
        first_f = await sb.next_message(fatma, containing="elkaar al gezien")
        assert first_f.text == t("nl", "pairing.checkin.1", name="Anouk")
        assert first_f.button_texts() == ["Ja", "Nog niet"]
        first_a = await sb.next_message(anouk, containing="elkaar al gezien")
        assert "Fatma" in first_a.text

        # Silence: one gentle reminder a week later, then "Ja" counts once for both.
        await at_local(world, 7, time(10, 31))
        reminder_f = await sb.next_message(fatma, containing="Nog even over jou en Anouk")
        await sb.next_message(anouk, containing="Nog even over jou en Fatma")
        await tap(world, fatma, reminder_f, "Ja")
        assert (await sb.next_edit(fatma)).text == t("nl", "pairing.met.1")
        late = await tap(world, anouk, first_a, "Ja")
        assert late.text == t("nl", "pairing.answer.noted")
        assert (await sb.next_edit(anouk)).text == t("nl", "pairing.met.noted")
        assert (await pairing_store(world).get(pairing.id)).stage == 1  # type: ignore[union-attr]

        # Second cup: "Nog niet" from one side, then the one reminder, then yes and the question
        # whether to agree on something regular.
        await at_local(world, 14, time(10, 31))
        second_a = await sb.next_message(anouk, containing="elkaar nog eens gezien")
        await sb.next_message(fatma, containing="elkaar nog eens gezien")
        await tap(world, anouk, second_a, "Nog niet")
        assert (await sb.next_edit(anouk)).text == t("nl", "pairing.not_yet.later")
        await at_local(world, 7, time(10, 31))
        reminder_f = await sb.next_message(fatma, containing="Nog even over")
        await sb.next_message(anouk, containing="Nog even over")
        await tap(world, fatma, reminder_f, "Ja")
        regular = await sb.next_edit(fatma)
        assert regular.text == t("nl", "pairing.regular.ask")
        await tap(world, fatma, regular, "Nog niet")
        assert (await sb.next_edit(fatma)).text == t("nl", "pairing.regular.no")

        # Third cup: asked again about something regular, and then no more questions.
        await at_local(world, 14, time(10, 31))
        third_f = await sb.next_message(fatma, containing="de derde keer")
        await sb.next_message(anouk, containing="de derde keer")
        await tap(world, fatma, third_f, "Ja")
        regular = await sb.next_edit(fatma)
        assert regular.text == t("nl", "pairing.regular.ask")
        await tap(world, fatma, regular, "Ja, goed idee")
        agreed = await sb.next_edit(fatma)
        assert agreed.text == t("nl", "pairing.regular.yes", name="Anouk")
        assert agreed.url_buttons() == {}
        assert "Stuur Anouk een bericht via mij" in agreed.button_texts()
        stored = await pairing_store(world).get(pairing.id)
        assert stored is not None and stored.stage == 3 and stored.regular_at is not None
        figures = await pairing_store(world).figures(world.group.id, world.clock.now())
        assert (figures.made, figures.active, figures.third_cup) == (1, 1, 1)

        fatma_count, anouk_count = await quiet_chat(world, fatma), await quiet_chat(world, anouk)
        for _ in range(3):
            await at_local(world, 10, time(10, 31))
        assert await quiet_chat(world, fatma) == fatma_count
        assert await quiet_chat(world, anouk) == anouk_count


async def test_silence_is_asked_about_once_more_and_then_left_alone(world: World) -> None:
    sb = world.sb
    anouk, fatma = world.user("Anouk"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, anouk, fatma)
        await pair_up(world, anouk, fatma)
        before = await quiet_chat(world, fatma)
        await at_local(world, 7, time(10, 31))
        await sb.next_message(fatma, containing="elkaar al gezien")
        await at_local(world, 7, time(10, 31))
        await sb.next_message(fatma, containing="Nog even over")
        for _ in range(4):
            await at_local(world, 7, time(10, 31))
        assert await quiet_chat(world, fatma) == before + 2


async def test_either_side_stops_without_reasons_and_the_other_hears_it_kindly(world: World) -> None:
    sb = world.sb
    anouk, fatma = world.user("Anouk"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, anouk, fatma)
        to_anouk, _ = await pair_up(world, anouk, fatma)
        await sb.say(fatma, fatma, "/vastebuur")
        mine = await sb.next_message(fatma)
        assert "Anouk: gezelschap" in mine.text
        assert mine.button_texts() == ["Stoppen met Anouk", "Vraag een vaste buur"]
        await tap(world, fatma, mine, "Stoppen met Anouk")
        sure = await sb.next_message(fatma)
        assert sure.text == t("nl", "pairing.end.ask", name="Anouk")
        await tap(world, fatma, sure, "Nee, toch niet")
        assert (await sb.next_edit(fatma)).text == t("nl", "pairing.end.kept", name="Anouk")

        fatma_count = await quiet_chat(world, fatma)
        await tap(world, anouk, to_anouk, "Stoppen")
        sure = await sb.next_message(anouk)
        await tap(world, anouk, sure, "Ja, stoppen")
        assert (await sb.next_edit(anouk)).text == t("nl", "pairing.end.done", name="Fatma")
        told = await sb.next_message(fatma)
        assert told.text == t("nl", "pairing.ended.partner", want="gezelschap").replace(
            "<b>", "").replace("</b>", "")
        assert "Anouk" not in told.text
        again = await tap(world, anouk, to_anouk, "Stoppen")
        assert again.text == t("nl", "pairing.answer.ended")
        pairing = (await pairing_store(world).involving(fatma.id))[0]
        assert pairing.status is PairStatus.ENDED and pairing.ended_at is not None
        await at_local(world, 8, time(10, 31))
        assert await quiet_chat(world, fatma) == fatma_count + 1


async def test_a_neighbour_who_leaves_or_blocks_the_bot_leaves_their_pairs(world: World) -> None:
    sb = world.sb
    kees, anouk, fatma, youssef = (world.user(n) for n in ("Kees", "Anouk", "Fatma", "Youssef"))
    async with world.bot():
        await world.add_bot()
        await begin_here(world, kees, anouk, fatma, youssef)
        await pair_up(world, kees, fatma)
        await sb.leave(world.group, kees)
        told = await sb.next_message(fatma, containing="kan niet meer meedoen")
        assert "Kees" not in told.text
        store = pairing_store(world)
        assert await store.offer(world.group.id, kees.id) is None
        assert all(p.status is PairStatus.ENDED for p in await store.involving(kees.id))

        await pair_up(world, anouk, youssef)
        await sb.block_bot(anouk)
        told = await sb.next_message(youssef, containing="kan niet meer meedoen")
        assert "Anouk" not in told.text
        assert all(p.status is PairStatus.ENDED for p in await store.involving(anouk.id))


async def test_buttons_pressed_by_someone_else_change_nothing(world: World) -> None:
    sb = world.sb
    kees, fatma, mehmet = world.user("Kees"), world.user("Fatma"), world.user("Mehmet")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, kees, fatma, mehmet)
        own = sb.bot_messages(mehmet)[-1]
        await offer(world, kees)
        await wish(world, fatma)
        suggestion = await sb.next_message(kees, containing=SUGGESTION)
        pairing = (await pairing_store(world).involving(kees.id))[0]
        # The suggestion forwarded to Mehmet, and pressed there; and forged by Fatma herself.
        for presser, message in ((mehmet, own), (fatma, sb.bot_messages(fatma)[-1])):
            answered = await (await sb.tap(presser, message, f"pair:h:{pairing.id}:y", forged=True)).answer()
            assert answered.text == t("nl", "error.not_yours")
        stored = await pairing_store(world).get(pairing.id)
        assert stored is not None and stored.status is PairStatus.ASKED_HELPER

        await tap(world, kees, suggestion, "Ja, graag")
        await sb.next_message(fatma, containing="Een buur wil graag")
        for presser, message in ((mehmet, own), (kees, suggestion)):
            answered = await (await sb.tap(presser, message, f"pair:r:{pairing.id}:y", forged=True)).answer()
            assert answered.text == t("nl", "error.not_yours")
        forged = await (await sb.tap(mehmet, own, "pair:end:999999", forged=True)).answer()
        assert forged.text == t("nl", "error.stale_button")
        junk = await (await sb.tap(mehmet, own, "pair:h:1:maybe", forged=True)).answer()
        assert junk.text == t("nl", "error.stale_button")
        stored = await pairing_store(world).get(pairing.id)
        assert stored is not None and stored.status is PairStatus.ASKED_RESIDENT
        assert all("Kees" not in text and "Fatma" not in text for text in texts_to(world, mehmet))


async def test_offer_survives_a_restart_pauses_and_nothing_is_suggested_at_night(world: World) -> None:
    sb = world.sb
    kees, fatma = world.user("Kees"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, kees, fatma)
        question = await open_offer(world, kees)
        await tap(world, kees, question, "pf:k:groceries")
        question = await sb.next_edit(kees)
        assert "✓ Boodschappen" in question.button_texts()
    async with world.bot():
        await tap(world, kees, question, "pf:next")
        question = await sb.next_edit(kees)
        refused = await tap(world, kees, question, "pf:next")
        assert refused.text == t("nl", "pairing.flow.pick_time") and refused.show_alert
        question = await fill_in(world, kees, question, days=(0, 1, 2, 3, 4, 5, 6),
                                 parts=("morning",))
        await tap(world, kees, question, "pf:f:occasional")
        card = await sb.next_edit(kees)
        assert "Boodschappen" in card.text and "op elke dag (ochtend)" in card.text
        await tap(world, kees, card, "Even stoppen")
        card = await sb.next_edit(kees)
        assert t("nl", "offer.card.paused") in card.text

        await wish(world, fatma, kind="groceries", days=(2,), parts=("morning",))
        await world.run_due()
        kees_count = await quiet_chat(world, kees)
        assert not any(SUGGESTION in m.text for m in sb.bot_messages(kees))
        await at_local(world, 0, time(23, 0))
        await tap(world, kees, card, "Weer aanzetten")
        card = await sb.next_edit(kees)
        await world.run_due()
        assert await quiet_chat(world, kees) == kees_count
        await at_local(world, 1, time(8, 31))
        suggestion = await sb.next_message(kees, containing=SUGGESTION)
        assert "hulp met boodschappen op woensdagochtend" in suggestion.text

        await tap(world, kees, card, "Aanpassen")
        again = await sb.next_edit(kees)
        assert "✓ Boodschappen" in again.button_texts()
        await tap(world, kees, again, "Stop")
        assert (await sb.next_edit(kees)).text == t("nl", "pairing.flow.stopped")
        assert await pairing_store(world).offer(world.group.id, kees.id) is not None
        await sb.say(kees, kees, "/aanbod")
        card = await sb.next_message(kees)
        await tap(world, kees, card, "Verwijderen")
        assert (await sb.next_edit(kees)).text == t("nl", "offer.removed")
        assert await pairing_store(world).offer(world.group.id, kees.id) is None


async def test_worried_shows_the_admins_contact_or_how_to_set_it_and_112(world: World) -> None:
    sb = world.sb
    kees = world.user("Kees")
    stranger = sb.add_user("Sanne", language_code="nl")
    async with world.bot():
        await world.add_bot()
        await sb.say(kees, world.group, "/zorgen")
        line = await sb.next_message(world.group)
        assert line.text == t("nl", "worried.group.go_private")
        await sb.open_private(kees, line.url_buttons()["Open Omzien"])
        shown = await sb.next_message(kees)
        assert "Flat De Linde" in shown.text and "/instellingen" in shown.text
        assert "112" in shown.text and "Ik geef zelf niets door" in shown.text

        svc = world.services
        building = await svc.buildings.get(world.group.id)
        assert building is not None
        await svc.buildings.save_settings(world.group.id, building.settings.model_copy(
            update={"care_contact": "Wijkteam Noord <ma-vr>, 020-123 4567"}))
        await sb.say(kees, kees, "/zorgen")
        shown = await sb.next_message(kees)
        assert "Wijkteam Noord <ma-vr>, 020-123 4567" in shown.text
        assert "/instellingen" not in shown.text and "112" in shown.text
        john = world.user("John")
        await begin_here(world, john)
        await sb.say(john, john, "/worried")
        shown = await sb.next_message(john)
        assert shown.text.startswith("Worried about a neighbour?")
        assert "Wijkteam Noord <ma-vr>" in shown.text and "Call 112" in shown.text

        await sb.open_private(stranger)
        await sb.next_message(stranger)
        await sb.say(stranger, stranger, "/worried")
        shown = await sb.next_message(stranger)
        assert t("nl", "worried.no_group") in shown.text
        assert "Veilig Thuis" in shown.text and "112" in shown.text


async def test_export_forget_and_retention(world: World) -> None:
    sb = world.sb
    anouk, fatma = world.user("Anouk"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, anouk, fatma)
        await pair_up(world, anouk, fatma)
        data = next(p for p in world.services.personal_data if p.name == "pairing")
        mine = await data.export(fatma.id)
        assert mine["pairs"][0]["partner"] == "Anouk" and mine["pairs"][0]["role"] == "asked"
        assert mine["wishes"][0]["status"] == "paired" and mine["offers"] == []
        theirs = await data.export(anouk.id)
        assert theirs["offers"][0]["kinds"] == ["company"] and theirs["pairs"][0]["role"] == "offered"

        assert await forget_resident(world.services, anouk.id)
        told = await sb.next_message(fatma, containing="kan niet meer meedoen")
        assert "Anouk" not in told.text
        assert await data.export(anouk.id) == {"offers": [], "wishes": [], "pairs": [],
                                               "suggestions": []}
        mine = await data.export(fatma.id)
        assert mine["pairs"][0]["status"] == "ended" and "partner" not in mine["pairs"][0]

        assert await data.expire(world.clock.now() + timedelta(seconds=1)) >= 1
        pairing = (await pairing_store(world).involving(fatma.id))
        assert pairing == []
        figures = await pairing_store(world).figures(world.group.id, world.clock.now())
        assert figures.made == 1 and figures.active == 0


async def test_a_withdrawn_wish_is_no_longer_suggested(world: World) -> None:
    sb = world.sb
    kees, fatma = world.user("Kees"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, kees, fatma)
        await wish(world, fatma)
        await sb.say(fatma, fatma, "/vastebuur")
        mine = await sb.next_message(fatma)
        assert "Je zoekt nog gezelschap op donderdagmiddag." in mine.text
        await tap(world, fatma, mine, "Niet meer zoeken: Gezelschap of wandelen")
        assert (await sb.next_message(fatma)).text == t("nl", "wish.withdrawn", want="gezelschap")
        await offer(world, kees)
        await world.run_due()
        await sb.settle()
        assert not any(SUGGESTION in m.text for m in sb.bot_messages(kees))


async def test_from_a_done_request_to_a_regular_neighbour(world: World) -> None:
    sb = world.sb
    kees, fatma, mehmet = world.user("Kees"), world.user("Fatma"), world.user("Mehmet")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, kees)
        posted = await ask(world, fatma)
        await tap(world, kees, posted.card, "Ik help")
        to_fatma = await sb.next_message(fatma, containing="Kees helpt je")
        to_kees = await sb.next_message(kees, containing="Je helpt Fatma")
        await tap(world, fatma, to_fatma, "Het is gelukt")
        thank = await sb.next_edit(fatma, containing="bedanken")
        assert "Vaker samen doen" in thank.button_texts()

        forged = await (await sb.tap(kees, to_kees, f"pair:req:{posted.request_id}", forged=True)).answer()
        assert forged.text == t("nl", "error.not_yours")
        await tap(world, fatma, thank, "Vaker samen doen")
        assert (await sb.next_message(fatma)).text == t("nl", "pairing.request.asking", name="Kees")
        question = await sb.next_message(kees, containing="vond het fijn dat je hielp")
        assert question.text.startswith("Fatma vond het fijn dat je hielp (Boodschappen).")
        twice = await tap(world, fatma, thank, "Vaker samen doen")
        assert twice.text == t("nl", "pairing.request.asked_before", name="Kees")

        await tap(world, kees, question, "Ja, graag")
        made = await sb.next_edit(kees, containing="vaste buren")
        assert made.text.startswith("Jullie zijn nu vaste buren! Fatma is nu je vaste buur ("
                                    "hulp met boodschappen).")
        assert made.url_buttons() == {}
        assert "Stuur Fatma een bericht via mij" in made.button_texts()
        to_fatma = await sb.next_message(fatma, containing="vaste buren")
        assert "Kees is nu je vaste buur" in to_fatma.text
        thrice = await tap(world, fatma, thank, "Vaker samen doen")
        assert thrice.text == t("nl", "pairing.request.already_pair", name="Kees")

        # A helper who never opened the bot cannot be asked privately: the requester hears so.
        posted = await ask(world, fatma, text="Wie helpt met de container?", kind="Container of afval")
        await tap(world, mehmet, posted.card, "Ik help")
        to_fatma = await sb.next_message(fatma, containing="Mehmet helpt je")
        await tap(world, fatma, to_fatma, "Het is gelukt")
        thank = await sb.next_edit(fatma, containing="bedanken")
        refused = await tap(world, fatma, thank, "Vaker samen doen")
        assert refused.text == t("nl", "pairing.request.helper_unreachable", name="Mehmet")
        assert refused.show_alert
        assert await pairing_store(world).by_request(posted.request_id) is None


async def test_a_helper_whose_private_chat_refuses_is_let_go_and_the_next_is_asked(world: World) -> None:
    sb = world.sb
    kees, anouk, fatma = world.user("Kees"), world.user("Anouk"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, kees, anouk, fatma)
        await offer(world, kees)
        await offer(world, anouk, often="occasional")
        # Kees blocks the bot and the bot never hears of it: only the refused message tells.
        sb.world.private_state(kees.id).blocked = True
        await wish(world, fatma)
        await world.run_due()
        await sb.next_message(anouk, containing=SUGGESTION)
        statuses = sorted((p.helper_id == kees.id, p.status)
                          for p in await pairing_store(world).involving(fatma.id))
        assert statuses == [(False, PairStatus.ASKED_HELPER), (True, PairStatus.CANCELLED)]
        resident = await world.services.residents.get(kees.id)
        assert resident is not None and not resident.can_be_messaged


def sent_to(user: SandboxUser, containing: str, *, methods: tuple[str, ...] = ("sendMessage",)
            ) -> Callable[[BotEvent], bool]:
    return lambda e: (e.ok and e.method in methods and e.chat_id == user.id
                      and e.message is not None and containing in e.message.text)


async def told_by(world: World, user: SandboxUser, containing: str, *,
                  methods: tuple[str, ...] = ("sendMessage",)) -> BotEvent:
    """The call that told `user`. The schedule's poll is paused, so only the action itself can
    have caused it; the wait is bounded by a little more than the product's 20-second poll."""
    return await world.sb.wait_for(sent_to(user, containing, methods=methods),
                                   timeout=SCHEDULE_POLL_SECONDS + 5)


async def test_both_partners_are_told_at_once_not_at_the_next_schedule_poll(world: World) -> None:
    """With the schedule's poll paused: the suggestion, the question to the other side and both
    "you are regular neighbours" each reach their reader, so each came from the press that
    caused it. How soon is measured by `make bench` (commit to send)."""
    sb = world.sb
    anouk, fatma = world.user("Anouk"), world.user("Fatma")
    async with world.bot(schedule_poll_seconds=SCHEDULE_POLL_SECONDS):
        await world.add_bot()
        await world.run_due()
        world.pause_schedule_poll()
        await begin_here(world, anouk, fatma)
        await offer(world, anouk)
        sb.mark()
        await wish(world, fatma)
        await told_by(world, anouk, SUGGESTION)
        suggestion = await sb.next_message(anouk, containing=SUGGESTION)

        sb.mark()
        await sb.tap(anouk, suggestion, "Ja, graag")
        await told_by(world, fatma, "Een buur wil graag")
        asked = await sb.next_message(fatma, containing="Een buur wil graag")

        sb.mark()
        await sb.tap(fatma, asked, "Ja, graag")
        to_fatma = await told_by(world, fatma, "vaste buren", methods=("editMessageText",))
        to_anouk = await told_by(world, anouk, "vaste buren")
        assert to_fatma.message is not None and to_anouk.message is not None
        assert "Anouk is nu je vaste buur" in to_fatma.message.text
        assert "Fatma is nu je vaste buur" in to_anouk.message.text
        await sb.settle()
        assert [m.text for m in sb.bot_messages(anouk)].count(to_anouk.message.text) == 1


async def test_at_night_the_partner_who_did_not_press_is_told_in_the_morning(world: World) -> None:
    """The last yes at 23:00: the one who pressed sees the news at once; the other hears it at
    08:30, once."""
    sb = world.sb
    anouk, fatma = world.user("Anouk"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await begin_here(world, anouk, fatma)
        await offer(world, anouk)
        await wish(world, fatma)
        suggestion = await sb.next_message(anouk, containing=SUGGESTION)
        await tap(world, anouk, suggestion, "Ja, graag")
        asked = await sb.next_message(fatma, containing="Een buur wil graag")
        await sb.settle()

        await at_local(world, 0, time(23, 0))
        sb.mark()
        await tap(world, fatma, asked, "Ja, graag")
        to_fatma = await sb.next_edit(fatma, containing="vaste buren")
        assert "Anouk is nu je vaste buur" in to_fatma.text
        await at_local(world, 1, time(7, 0))
        await sb.settle()
        assert not any(sent_to(anouk, "vaste buren")(e) for e in sb.events_since_mark())

        await at_local(world, 0, time(8, 30))
        to_anouk = await sb.next_message(anouk, containing="vaste buren")
        assert "Fatma is nu je vaste buur" in to_anouk.text
        await at_local(world, 0, time(9, 0))
        await sb.settle()
        assert len([e for e in sb.events_since_mark() if sent_to(anouk, "vaste buren")(e)]) == 1
