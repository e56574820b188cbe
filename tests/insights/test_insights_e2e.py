"""The group's consent to a community worker, end to end through the sandbox: an admin invites,
the worker says who they are, the group sees exactly what would be shared and has seven days to
object; without objections the worker gets the figures, with enough objections never; a later
objection pauses access and asks the admins; an admin stops it and the worker gets nothing after."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import t, tn
from sandbox import SandboxUser
from tests.harness import START, World
from tests.insights.insights_seed import Life, Request, seed
from tests.insights.insights_steps import accept, days_pass, invite, report, rows, seed_last_week

OCTOBER = START - timedelta(days=7, hours=10) - timedelta(weeks=6)  # Monday 5 October, 00:00


async def _worker_figures(world: World, worker: SandboxUser) -> str:
    """What /cijfers answers the worker first."""
    await world.sb.say(worker, worker, "/cijfers")
    return (await world.sb.next_message(worker)).text


async def test_without_objections_the_worker_gets_the_figures_after_seven_days(world: World) -> None:
    sb = world.sb
    worker = sb.add_user("Sanne", "Visser", language_code="nl")
    async with world.bot():
        await world.add_bot()
        card = await accept(world, worker, await invite(world), "Sanne Visser", "Wijkteam Noord")
        # The group sees who, from where, and exactly what they would see, and can object.
        assert "Sanne Visser" in card.text and "Wijkteam Noord" in card.text
        assert "alleen aantallen, geen namen" in card.text and "niets over taal of afkomst" in card.text
        assert "30 november" in card.text and card.button_texts() == ["Ik heb bezwaar"]
        # Nothing before the seven days are over.
        assert await _worker_figures(world, worker) == t("nl", "insights.not_worker")
        world.clock.advance(timedelta(days=6))
        await world.run_due()
        assert await _worker_figures(world, worker) == t("nl", "insights.not_worker")

        world.clock.advance(timedelta(days=1, minutes=1))
        await world.run_due()
        told = await sb.next_message(worker, containing="Goed nieuws")
        assert "Flat De Linde" in told.text
        notice = await sb.next_message(world.group, containing="Vanaf nu krijgt")
        assert "Sanne Visser" in notice.text and "/toegang" in notice.text
        edited = await sb.next_edit(world.group, containing="sinds")
        assert edited.button_texts() == ["Ik heb bezwaar"]

        await seed_last_week(world)
        text, chart, table = await report(world, worker, worker)
        assert "Week 48 (23 nov – 29 nov 2026)" in text.text
        assert "Hulpvragen 12 ·" in text.text
        assert chart.startswith(b"\x89PNG") and b"Software" not in chart
        assert ["Flat De Linde", "2026-W48", "2026-11-23", "2026-11-29", "hulpvragen", "12"] in rows(table)
        for name in ("Fatma", "Buur1", str(10**9)):
            assert name not in text.text and name.encode() not in table

        # The glass box: an admin's /cijfers in the group shows exactly what the worker sees.
        group_text, group_chart, group_table = await report(world, world.admin, world.group)
        assert group_text.text == text.text and group_text.html == text.html
        assert group_chart == chart and group_table == table

        # Stop: a neighbour may not, an admin may; the worker is told and gets nothing after.
        await sb.say(world.admin, world.group, "/cijfersstop")
        listing = await sb.next_message(world.group, containing="Tik op wie moet stoppen")
        refused = await sb.tap(world.user("Kees"), listing, "Stop: Sanne Visser (Wijkteam Noord)")
        assert (await refused.answer()).text == t("nl", "workers.admin_only")
        pressed = await sb.tap(world.admin, listing, "Stop: Sanne Visser (Wijkteam Noord)")
        assert (await pressed.answer()).text == t("nl", "workers.stop.answer")
        edited = await sb.next_edit(world.group, containing="krijgt geen cijfers meer")
        assert edited.text == "Sanne Visser (Wijkteam Noord) krijgt geen cijfers meer van deze groep."
        assert edited.buttons() == []
        assert "deelt de cijfers niet meer" in (await sb.next_message(worker)).text
        card_now = await sb.next_edit(world.group, containing="📊 Sanne Visser (Wijkteam Noord)")
        assert card_now.message_id == card.message_id and card_now.buttons() == []

        sb.mark()
        assert await _worker_figures(world, worker) == t("nl", "insights.not_worker")
        await sb.settle()
        later = [e for e in sb.events_since_mark() if e.chat_id == worker.id and e.message is not None]
        assert [e.method for e in later] == ["sendMessage"]

        # The same press again (an old copy of the button) changes nothing.
        data = str(listing.buttons()[0][0]["callback_data"])
        again = await sb.tap(world.admin, listing, data, forged=True)
        assert (await again.answer()).text == t("nl", "workers.stop.stale")
        forged = await sb.tap(world.admin, listing, "wrk:stop:999", forged=True)
        assert (await forged.answer()).text == t("nl", "workers.stop.stale")


async def test_enough_objections_stop_a_proposal(world: World) -> None:
    sb = world.sb
    worker = sb.add_user("Sanne", "Visser", language_code="nl")
    kees, fatma, anouk = world.user("Kees"), world.user("Fatma"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        # The admins choose: two objections stop a proposal. A neighbour may not choose.
        await sb.say(kees, world.group, "/bezwaren")
        assert (await sb.next_message(world.group)).text == t("nl", "workers.admin_only")
        await sb.say(world.admin, world.group, "/bezwaren")
        choice = await sb.next_message(world.group, containing="bezwaar maken")
        assert (await (await sb.tap(world.admin, choice, "2")).answer()).text is None
        assert "Bij 2 bezwaren" in (await sb.next_edit(world.group)).text

        card = await accept(world, worker, await invite(world), "Sanne Visser", "Wijkteam Noord")
        assert "Niet als er 2 of meer bezwaren zijn. Bezwaren tot nu toe: 0." in card.text
        first = await (await sb.tap(kees, card, "Ik heb bezwaar")).answer()
        assert first.text == t("nl", "workers.object.counted") and first.show_alert
        assert "Bezwaren tot nu toe: 1." in (await sb.next_edit(world.group)).text
        twice = await (await sb.tap(kees, card, "Ik heb bezwaar")).answer()
        assert twice.text == t("nl", "workers.object.again")
        # Someone outside the group cannot object, not even with a forged press, and learns
        # nothing from trying: the answer is the one an id that nothing has gets.
        outsider = sb.add_user("Piet", "Buiten")
        await sb.open_private(outsider)
        await sb.next_message(outsider)
        data = str(card.buttons()[0][0]["callback_data"])
        greeting = sb.bot_messages(outsider)[0]
        forged = await (await sb.tap(outsider, greeting, data, forged=True)).answer()
        made_up = await (await sb.tap(outsider, greeting, "wrk:obj:987654", forged=True)).answer()
        assert (forged.text, forged.show_alert) == (made_up.text, made_up.show_alert)
        assert forged.text == t("nl", "workers.object.stale")

        second = await (await sb.tap(fatma, card, "Ik heb bezwaar")).answer()
        assert second.text == t("nl", "workers.object.declined")
        assert "wil het niet" in (await sb.next_message(worker, containing="wil het niet")).text
        await sb.next_message(world.group, containing="krijgt de cijfers niet")
        # The card says so and has no button left; the days to object end with nothing to do.
        edited = await sb.next_edit(world.group, containing="krijgt de cijfers van deze groep niet")
        assert edited.buttons() == []
        late = await (await sb.tap(anouk, card, data, forged=True)).answer()
        assert late.text == t("nl", "workers.object.stale")
        await days_pass(world)
        assert await _worker_figures(world, worker) == t("nl", "insights.not_worker")
        status = await world.services.db.fetch_value("SELECT status FROM worker_consents")
        assert status == "declined"


async def test_a_later_objection_pauses_access_and_asks_the_admins(world: World) -> None:
    sb = world.sb
    worker = sb.add_user("Sanne", "Visser", language_code="nl")
    kees = world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await accept(world, worker, await invite(world), "Sanne Visser", "Wijkteam Noord")
        await days_pass(world)
        await sb.next_message(worker, containing="Goed nieuws")
        await seed_last_week(world)

        # Any resident sees who gets the figures, and objects from there.
        await sb.say(kees, world.group, "/toegang")
        listing = await sb.next_message(world.group, containing="Wie krijgt de cijfers")
        assert "Sanne Visser" in listing.text and "krijgt de cijfers" in listing.text
        answer = await (await sb.tap(kees, listing, "Bezwaar: Sanne Visser")).answer()
        assert answer.text == t("nl", "workers.object.paused", name="Sanne Visser")
        assert "even geen cijfers" in (await sb.next_message(worker, containing="bezwaar")).text
        await sb.next_message(world.group, containing="Een buur maakte bezwaar")
        asked = await sb.next_message(world.admin, containing="maakte bezwaar")
        assert asked.button_texts() == ["Weer aanzetten", "Stoppen"]
        assert await _worker_figures(world, worker) == t("nl", "insights.not_worker")

        # Only an admin of that group can turn it back on.
        forged = asked.buttons()[0][0]["callback_data"]
        refused = await (await sb.tap(kees, listing, forged, forged=True)).answer()
        assert refused.text == t("nl", "workers.admin_only")
        resumed = await (await sb.tap(world.admin, asked, "Weer aanzetten")).answer()
        assert resumed.text == t("nl", "workers.resume.answer")
        assert "weer" in (await sb.next_message(worker, containing="weer")).text
        await sb.next_message(world.group, containing="krijgt de cijfers weer")
        text, _, _ = await report(world, worker, worker)
        assert "Hulpvragen 12 ·" in text.text


async def test_used_and_expired_invitations_are_refused(world: World) -> None:
    sb = world.sb
    worker, other = sb.add_user("Sanne", "Visser"), sb.add_user("Piet", "Peters")
    async with world.bot():
        await world.add_bot()
        url = await invite(world)
        await accept(world, worker, url, "Sanne", "Wijkteam")
        await sb.open_private(other, url)
        assert (await sb.next_message(other)).text == t("nl", "workers.invite.used")

        late = await invite(world)
        world.clock.advance(timedelta(days=7, minutes=1))
        await sb.open_private(other, late)
        assert (await sb.next_message(other)).text == t("nl", "workers.invite.used")
        consents = await world.services.db.fetch_value(
            "SELECT COUNT(*) FROM worker_consents WHERE stopped_at IS NULL")
        assert consents == 1


async def test_no_figures_without_consent(world: World) -> None:
    sb = world.sb
    fatma, kees = world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await seed_last_week(world)
        await sb.open_private(fatma)
        await sb.next_message(fatma)
        sb.mark()
        await sb.say(fatma, fatma, "/cijfers")
        assert (await sb.next_message(fatma)).text == t("nl", "insights.not_worker")
        for command in ("uitnodigen", "cijfersstop", "bezwaren"):
            await sb.say(kees, world.group, f"/{command}")
            assert (await sb.next_message(world.group)).text == t("nl", "workers.admin_only")
        await sb.settle()
        sent = [e.method for e in sb.events_since_mark() if e.message is not None]
        assert "sendPhoto" not in sent and "sendDocument" not in sent


async def test_bad_names_are_asked_again(world: World) -> None:
    sb = world.sb
    worker = sb.add_user("Sanne", "Visser")
    async with world.bot():
        await world.add_bot()
        await sb.open_private(worker, await invite(world))
        await sb.next_message(worker)
        await sb.say(worker, worker, "x" * 81)
        assert (await sb.next_message(worker)).text == tn("nl", "workers.label.too_long", 81,
                                                          limit=80)
        await sb.say(worker, worker, "Sanne")
        await sb.next_message(worker)
        await sb.say(worker, worker, "Wijkteam")
        await sb.next_message(worker, containing="Klaar!")
        await sb.next_message(world.group, containing="Voorstel van een beheerder")


async def test_a_month_never_gives_away_a_small_week_beside_it(world: World) -> None:
    """October is four whole weeks with 6, 3, 7 and 5 requests. Its total, 21, minus the weeks
    shown in the chart and the file would tell that the "<5" week had 3: the month shows only
    what the weeks already tell, "≥19"."""
    first = 10**9
    october = [
        Request(requester=first + n % 12, created_at=OCTOBER + timedelta(weeks=week, hours=9 + n),
                helper=first + (n + 1) % 12, status="done")
        for week, count in enumerate((6, 3, 7, 5)) for n in range(count)
    ]
    async with world.bot():
        await world.add_bot()
        await seed_last_week(world)
        await seed(world.services.db, world.group.id, Life(requests=october), START)
        text, _, table = await report(world, world.admin, world.group)
        assert "Maand: oktober 2026 (weken 41–44: 5 okt – 1 nov 2026)" in text.text
        assert "Hulpvragen ≥19 · geholpen ≥19 · verlopen 0" in text.text
        assert "Oktober 2026: ≥19 hulpvragen, ≥19 geholpen." in text.text  # the headline
        assert "21" not in text.text
        found = rows(table)
        assert ["Flat De Linde", "2026-10", "2026-10-05", "2026-11-01", "hulpvragen", "≥19"] in found
        asked = {row[1]: row[5] for row in found if row[4] == "hulpvragen"}
        assert [asked[f"2026-W{week}"] for week in range(41, 45)] == ["6", "<5", "7", "5"]
        assert "21" not in asked.values()
