""""Ik help" and what follows: one helper among many, meeting privately, done and thanks,
change of plans, admin removal, and buttons that must change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import delivery_worker
from bot.domain.requests import RequestStatus
from bot.i18n import t
from handlers.kit.send import Outgoing
from handlers.requests.card import CARD_KIND
from storage.db import Database
from storage.outbox import OutboxRow
from storage.requests import RequestStore
from tests.harness import World
from tests.requests.request_steps import ask, edits_in, press_as_outsider, started, store, tap


def both(key: str, **values: object) -> set[str]:
    return {t("nl", key, **values), t("en", key, **values)}


async def test_twenty_neighbours_press_at_once_and_one_helps(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    newcomers = [sb.add_user(f"Buur{n}", language_code="nl") for n in range(12)]
    async with world.bot():
        await world.add_bot()
        for person in newcomers:
            await sb.join(world.group, person)
        posted = await ask(world, fatma)
        pressers = [u for u in [world.admin, *world.residents] if u != fatma] + newcomers
        assert len(pressers) == 20
        edits_before = edits_in(world, world.group)
        presses = await asyncio.gather(*(sb.tap(u, posted.card, "Ik help") for u in pressers))
        answers = await asyncio.gather(*(press.answer() for press in presses))
        texts = [answer.text for answer in answers]
        winners = [u for u, text in zip(pressers, texts, strict=True)
                   if text in both("request.answer.claimed")]
        assert len(winners) == 1
        assert all(text in both("request.answer.taken") for text in texts
                   if text not in both("request.answer.claimed"))
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.CLAIMED
        assert saved.helper_id == winners[0].id
        card = await sb.next_edit(world.group, containing="Er helpt al iemand")
        assert card.buttons() == []
        intro = await sb.next_message(fatma)
        assert f"{winners[0].first_name} helpt je" in intro.text
        await sb.settle()
        assert edits_in(world, world.group) == edits_before + 1


async def test_a_press_before_the_card_send_is_answered_still_helps(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram shows a card the moment it is sent; the bot learns its message id only from the
    answer to the send. Kees presses "Ik help" in between (that answer is held back here): he
    helps, and the card shows it."""
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot() as app:
        await world.add_bot()
        await started(world, kees)
        worker = delivery_worker(app)
        assert worker is not None
        answered = asyncio.Event()
        sent = worker._sent

        async def answered_late(row: OutboxRow, item: Outgoing, message_id: int | None) -> None:
            if item.card is not None and item.card.kind == CARD_KIND:
                await answered.wait()
            await sent(row, item, message_id)

        monkeypatch.setattr(worker, "_sent", answered_late)
        posted = await ask(world, fatma)
        waiting = await store(world).get(posted.request_id)
        assert waiting is not None and waiting.card_message_id is None
        assert (await tap(world, kees, posted.card, "Ik help")).text == t(
            "nl", "request.answer.claimed")
        answered.set()
        assert "Er helpt al iemand" in (await sb.next_edit(world.group)).text
        assert (await sb.next_message(fatma)).text.startswith("Fijn! Kees helpt je")
        await sb.settle()
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.CLAIMED
        assert saved.card_message_id == posted.card.message_id


async def test_own_request_and_a_helper_who_left_the_group(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma)
        own = await tap(world, fatma, posted.card, "Ik help")
        assert own.text == t("nl", "request.answer.own") and own.show_alert
        await tap(world, kees, posted.card, "Ik help")
        await sb.next_edit(world.group)
        await sb.next_message(fatma)
        await sb.next_message(kees)
        await sb.leave(world.group, kees)
        reopened = await sb.next_edit(world.group)
        assert reopened.button_texts() == ["Ik help", "Meld"]
        assert (await sb.next_message(fatma)).text.startswith("Kees kan toch niet helpen")
        outsider = await press_as_outsider(world, kees, reopened, f"req:c:{posted.request_id}")
        assert outsider.text == t("nl", "request.answer.not_member")
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.OPEN and saved.helper_id is None


async def test_meet_share_contact_done_and_thanks(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma, text="Wie neemt <melk> & eieren mee?")
        assert (await tap(world, kees, posted.card, "Ik help")).text == t("nl", "request.answer.claimed")
        card = await sb.next_edit(world.group)
        assert "Er helpt al iemand" in card.text and "Gevraagd door een buur" in card.text
        assert "Kees" not in card.text and "Fatma" not in card.text
        to_fatma = await sb.next_message(fatma)
        assert to_fatma.text.startswith("Fijn! Kees helpt je: Boodschappen, di 24 nov.")
        assert to_fatma.url_buttons() == {}
        assert "Stuur Kees een bericht via mij" in to_fatma.button_texts()
        assert "Deel flatnummer of telefoon" in to_fatma.button_texts()
        to_kees = await sb.next_message(kees)
        assert to_kees.text.startswith("Dank je wel! Je helpt Fatma: Boodschappen, di 24 nov.")
        assert "Wie neemt <melk> & eieren mee?" in to_kees.text
        assert to_kees.url_buttons() == {}
        assert "Stuur Fatma een bericht via mij" in to_kees.button_texts()

        await tap(world, fatma, to_fatma, "Deel flatnummer of telefoon")
        assert "Alleen Kees ziet het" in (await sb.next_message(fatma)).text
        await sb.say(fatma, fatma, "Flat 3B <bel 2x>, 06-12345678")
        shared = await sb.next_message(kees)
        assert shared.text == "Fatma deelt dit met je: Flat 3B <bel 2x>, 06-12345678"
        assert (await sb.next_message(fatma)).text == t("nl", "request.contact.sent", helper="Kees")
        assert all("06-12345678" not in m.text for m in sb.messages(world.group))

        await tap(world, fatma, to_fatma, "Het is gelukt")
        thank = await sb.next_edit(fatma, containing="bedanken")
        assert thank.text == t("nl", "request.done.requester", helper="Kees")
        assert (await sb.next_edit(world.group)).text == "✅ Boodschappen: gelukt! Een buur heeft geholpen."
        assert (await sb.next_message(kees)).text == t("nl", "request.done.to_helper", requester="Fatma")
        await tap(world, fatma, thank, "Bedank Kees")
        assert (await sb.next_message(kees)).text == "Fatma zegt: dank je wel voor je hulp! 💛"
        thanked = await sb.next_edit(fatma, containing=t("nl", "request.thanks.sent"))
        assert thanked.text == t("nl", "request.thanks.sent")
        assert thanked.button_texts() == [t("nl", "pairing.button.more_often")]

        # Kees's buttons went with the close; a press that still arrives hears what is true.
        await sb.settle()
        retired = sb.message(kees, to_kees.message_id)
        assert retired is not None and retired.buttons() == [] and retired.text == to_kees.text
        again = await (await sb.tap(kees, to_kees, f"req:done:{posted.request_id}", forged=True)).answer()
        assert again.text == t("nl", "request.answer.already")
        late = await (await sb.tap(kees, to_kees, f"req:wd:{posted.request_id}", forged=True)).answer()
        assert late.text == t("nl", "request.answer.closed_done")
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.DONE
        assert saved.contact == "Flat 3B <bel 2x>, 06-12345678"
        assert saved.claimed_at is not None and saved.done_at is not None
        assert saved.thanked_at is not None
        lines = [line for source in world.services.digest_sources
                 for line in await source(world.group.id, "nl", world.clock.now())]
        assert "Deze week hielpen buren elkaar 1 keer." in lines


async def test_helper_who_never_opened_the_bot_gets_a_link_in_the_group(world: World) -> None:
    sb, fatma, mehmet = world.sb, world.user("Fatma"), world.user("Mehmet")
    async with world.bot():
        await world.add_bot()
        posted = await ask(world, fatma)
        await tap(world, mehmet, posted.card, "Ik help")
        line = await sb.next_message(world.group)
        assert line.text == t("nl", "request.claim.need_start")
        assert "Mehmet" not in line.text
        assert "Fijn! Mehmet helpt je" in (await sb.next_message(fatma)).text
        await sb.open_private(mehmet, line.url_buttons()["Open Omzien"])
        intro = await sb.next_message(mehmet)
        assert intro.text.startswith("Dank je wel! Je helpt Fatma")
        assert "Ik kan toch niet" in intro.button_texts()
        await sb.open_private(world.user("Kees"), line.url_buttons()["Open Omzien"])
        assert (await sb.next_message(world.user("Kees"))).text == t("nl", "start.link_not_yours")


async def test_withdraw_reopens_and_another_neighbour_claims(world: World) -> None:
    sb, fatma, kees, anouk = world.sb, world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, kees, anouk)
        posted = await ask(world, fatma, named=True)
        await tap(world, kees, posted.card, "Ik help")
        assert "Gevraagd door Fatma" in (await sb.next_edit(world.group)).text
        await sb.next_message(fatma)
        to_kees = await sb.next_message(kees)
        await tap(world, kees, to_kees, "Ik kan toch niet")
        assert (await sb.next_edit(kees)).text == t("nl", "request.withdraw.helper")
        reopened = await sb.next_edit(world.group)
        assert reopened.button_texts() == ["Ik help", "Meld"] and "Kun jij helpen?" in reopened.text
        told = await sb.next_message(fatma)
        assert told.text == ("Kees kan toch niet helpen met: Boodschappen. "
                             "Je vraag staat weer open in de groep.")
        assert (await tap(world, anouk, reopened, "Ik help")).text == t("nl", "request.answer.claimed")
        assert "Fijn! Anouk helpt je" in (await sb.next_message(fatma)).text
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.helper_id == anouk.id
        assert saved.status is RequestStatus.CLAIMED


async def test_edit_text_and_time_then_cancel(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma, kind="Klusje", text="Kerstboom naar boven")
        await tap(world, fatma, posted.controls, "Tekst veranderen")
        assert "Typ de nieuwe tekst" in (await sb.next_message(fatma)).text
        await sb.say(fatma, fatma, "Kerstboom <2 m> naar 4e verdieping")
        assert (await sb.next_message(fatma)).text == t("nl", "request.edit.saved")
        assert "Kerstboom <2 m> naar 4e verdieping" in (await sb.next_edit(world.group)).text

        await tap(world, kees, posted.card, "Ik help")
        await sb.next_edit(world.group)
        controls = await sb.next_message(fatma)
        to_kees = await sb.next_message(kees)
        await sb.settle()
        assert sb.message(fatma, posted.controls.message_id).buttons() == []  # type: ignore[union-attr]
        await tap(world, fatma, controls, "Tijd veranderen")
        question = await sb.next_message(fatma)
        assert "Wanneer heb je hulp nodig?" in question.text
        await sb.say(fatma, fatma, "wo 15:00")
        assert (await sb.next_message(fatma)).text == t("nl", "request.edit.saved")
        card = await sb.next_edit(world.group)
        assert "Wanneer: wo 25 nov om 15:00" in card.text and "Er helpt al iemand" in card.text
        assert "wo 25 nov om 15:00" in (await sb.next_message(kees)).text
        pending = await world.services.scheduler.store.pending("request.close")
        assert [item.due_at for item in pending] == [
            (await store(world).get(posted.request_id)).when.due_at]  # type: ignore[union-attr]

        await tap(world, fatma, controls, "Stop mijn vraag")
        assert (await sb.next_edit(fatma, containing=t("nl", "request.cancel.done"))).text == t(
            "nl", "request.cancel.done")
        assert (await sb.next_edit(world.group)).text == (
            "Klusje: deze vraag is gestopt. Het is niet meer nodig.")
        assert "Fatma heeft de vraag gestopt" in (await sb.next_message(kees)).text
        await sb.settle()
        assert sb.message(kees, to_kees.message_id).buttons() == []  # type: ignore[union-attr]
        late = await (await sb.tap(kees, to_kees, f"req:done:{posted.request_id}", forged=True)).answer()
        assert late.text == t("nl", "request.answer.closed_cancelled")
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.CANCELLED
        assert saved.cancelled_at is not None
        assert await world.services.scheduler.store.pending("request.close") == []
        assert await world.services.scheduler.store.pending("request.bump") == []


async def test_only_an_admin_takes_a_card_down(world: World) -> None:
    sb, fatma, kees, admin = world.sb, world.user("Fatma"), world.user("Kees"), world.admin
    async with world.bot():
        await world.add_bot()
        posted = await ask(world, fatma)
        await sb.say(kees, world.group, "/weghalen@OmzienBot", reply_to=posted.card)
        assert (await sb.next_message(world.group)).text == t("nl", "request.remove.not_admin")
        await sb.say(admin, world.group, "/weghalen")
        assert (await sb.next_message(world.group)).text == t("nl", "request.remove.how")
        welcome = sb.bot_messages(world.group)[0]
        await sb.say(admin, world.group, "/weghalen@OmzienBot", reply_to=welcome)
        assert (await sb.next_message(world.group)).text == t("nl", "request.remove.not_a_card")
        await sb.say(admin, world.group, "/weghalen@OmzienBot", reply_to=posted.card)
        card = await sb.next_edit(world.group)
        assert card.text == t("nl", "request.card.removed") and card.buttons() == []
        assert "Een beheerder heeft je vraag uit de groep gehaald" in (await sb.next_message(fatma)).text
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.REMOVED
        assert saved.removed_at is not None


async def test_forged_stale_and_other_group_buttons_change_nothing(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    eik = sb.add_group("Flat De Eik", members=[world.admin, kees], admins=[world.admin])
    async with world.bot():
        await world.add_bot()
        await sb.add_bot_to_group(eik, by=world.admin)
        await sb.next_message(eik)
        await started(world, kees)
        posted = await ask(world, fatma)
        rid = posted.request_id
        forged = InlineKeyboardMarkup([
            [InlineKeyboardButton("Ik help", callback_data=f"req:c:{rid}")],
            [InlineKeyboardButton("Onbekend", callback_data="req:c:987654")],
            [InlineKeyboardButton("Onzin", callback_data="req:zz:1")],
            [InlineKeyboardButton("Te lang", callback_data="req:c:" + "9" * 40)],
        ])
        async with Bot(sb.token, base_url=f"{sb.url}/bot") as other_client:
            elsewhere = await other_client.send_message(eik.id, "Kaart", reply_markup=forged)
            copy = await other_client.send_message(world.group.id, "Kopie", reply_markup=forged)
            private = await other_client.send_message(
                kees.id, "Privé", reply_markup=InlineKeyboardMarkup([[
                    InlineKeyboardButton("Klaar", callback_data=f"req:done:{rid}"),
                    InlineKeyboardButton("Intrekken", callback_data=f"req:cx:{rid}")]]))
        stale = t("nl", "error.stale_button")
        eik_card = sb.message(eik, elsewhere.message_id)
        copy_card = sb.message(world.group, copy.message_id)
        kees_private = sb.message(kees, private.message_id)
        assert eik_card is not None and copy_card is not None and kees_private is not None
        for button in ("Ik help", "Onbekend", "Onzin", "Te lang"):
            assert (await tap(world, kees, eik_card, button)).text == stale, button
            assert (await tap(world, kees, copy_card, button)).text == stale, button
        assert (await tap(world, kees, kees_private, "Klaar")).text == t("nl", "error.not_yours")
        assert (await tap(world, kees, kees_private, "Intrekken")).text == t("nl", "error.not_yours")
        saved = await store(world).get(rid)
        assert saved is not None and saved.status is RequestStatus.OPEN and saved.helper_id is None


async def test_a_restart_after_a_claim_loses_nothing(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma)
        await tap(world, kees, posted.card, "Ik help")
        await sb.next_edit(world.group)
        to_fatma = await sb.next_message(fatma)
        await sb.next_message(kees)
    async with world.bot():
        await tap(world, fatma, to_fatma, "Het is gelukt")
        assert "gelukt" in (await sb.next_edit(world.group)).text
        assert (await sb.next_message(kees)).text == t("nl", "request.done.to_helper", requester="Fatma")
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.DONE and saved.helper_id == kees.id


async def test_a_reported_card_hidden_by_an_admin_is_taken_down(world: World) -> None:
    sb, fatma, kees, admin = world.sb, world.user("Fatma"), world.user("Kees"), world.admin
    async with world.bot():
        await world.add_bot()
        await started(world, admin)
        posted = await ask(world, fatma, text="Koop mijn spullen, goedkoop!", kind="Iets anders")
        assert (await tap(world, kees, posted.card, "Meld")).text == t("nl", "report.confirm")
        assert (await tap(world, kees, posted.card, "Meld")).text == t("nl", "report.thanks")
        alert = await sb.next_message(admin)
        assert "Koop mijn spullen, goedkoop!" in alert.text and "Kees" not in alert.text
        await tap(world, admin, alert, "Verbergen")
        await sb.wait_for(lambda e: e.method == "deleteMessage" and e.ok)
        card = sb.message(world.group, posted.card.message_id)
        assert card is not None and card.deleted
        assert "Een beheerder heeft je vraag uit de groep gehaald" in (
            await sb.next_message(fatma)).text
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.REMOVED
        assert await world.services.scheduler.store.pending("request.close") == []


async def test_a_request_saved_just_before_a_stop_is_posted_at_start(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        posted = await ask(world, fatma, text="Wie zet mijn container buiten?")
        saved = await store(world).get(posted.request_id)
        assert saved is not None
    # As if the bot stopped after saving a copy but before its card reached the group.
    db = await Database.open(world.database)
    unposted = await RequestStore(db).copy(saved, saved.when, world.clock.now(), series_id=None)
    await db.close()
    world.clock.advance(timedelta(minutes=1))
    sb.mark()
    async with world.bot():
        card = await sb.next_message(world.group, containing="Wie zet mijn container buiten?")
        assert "Ik help" in card.button_texts()
        await sb.settle()
        reloaded = await store(world).get(unposted.id)
        assert reloaded is not None and reloaded.card_message_id == card.message_id
    cards = [m for m in sb.bot_messages(world.group) if "Wie zet mijn container" in m.text]
    assert len(cards) == 2
