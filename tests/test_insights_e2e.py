"""Anonymous figures end to end, through the sandbox: an admin invites a community worker, the
worker accepts, the group is told, the worker gets the report (text, chart, CSV), the group sees
the same, an admin stops it and the worker gets nothing after."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.i18n import t
from sandbox import SandboxMessage, SandboxUser
from tests.harness import START, World
from tests.insights_seed import Life, Request, busy_week, seed

LINK = re.compile(r"https://t\.me/OmzienBot\?start=[A-Za-z0-9_-]+")
LAST_WEEK = START - timedelta(days=7, hours=10)  # Monday 16 November, 00:00 in Amsterdam
OCTOBER = LAST_WEEK - timedelta(weeks=6)  # Monday 5 October: October is weeks 41-44


async def _setup(world: World) -> None:
    await world.add_bot()
    await seed(world.services.db, world.group.id, busy_week(10**9, LAST_WEEK), START)


async def _invite(world: World) -> str:
    """Marieke asks for an invitation in the group and gets it privately; its link."""
    sb, admin = world.sb, world.admin
    await sb.start_private(admin)
    await sb.next_message(admin)
    await sb.command(admin, world.group, "uitnodigen")
    assert (await sb.next_message(world.group)).text == t("nl", "workers.invite.sent")
    invitation = await sb.next_message(admin)
    assert "Flat De Linde" in invitation.text and "7 dagen" in invitation.text
    found = LINK.search(invitation.text)
    assert found is not None
    return found.group(0)


async def _accept(world: World, worker: SandboxUser, url: str, name: str, organisation: str) -> None:
    sb = world.sb
    await sb.open_link(worker, url)
    assert "Wat is je naam?" in (await sb.next_message(worker)).text
    await sb.send(worker, worker, name)
    assert (await sb.next_message(worker)).text.startswith(f"Dank je, {name}.")
    await sb.send(worker, worker, organisation)
    assert "Klaar!" in (await sb.next_message(worker, containing="Klaar!")).text


async def _report(world: World, reader: SandboxUser, chat: object) -> tuple[SandboxMessage, bytes, bytes]:
    """/cijfers: the text, then the chart and the CSV file that follow it."""
    sb = world.sb
    await sb.command(reader, chat, "cijfers")  # type: ignore[arg-type]
    text = await sb.next_message(chat, containing="Cijfers van")  # type: ignore[arg-type]
    chart = await sb.next_message(chat, containing="Hulpvragen per week")  # type: ignore[arg-type]
    table = await sb.next_message(chat, containing="spreadsheet")  # type: ignore[arg-type]
    assert chart.photo is not None and table.document is not None
    assert table.document.file_name == "omzien-cijfers.csv"
    return text, sb.file_bytes(chart), sb.file_bytes(table)


async def test_invite_accept_report_and_stop(world: World) -> None:
    sb = world.sb
    worker = sb.add_user("Sanne", "Visser", language_code="nl")
    async with world.bot():
        await _setup(world)
        url = await _invite(world)
        await _accept(world, worker, url, "Sanne Visser", "Wijkteam Noord")
        notice = await sb.next_message(world.group, containing="Sanne Visser")
        assert "Wijkteam Noord" in notice.text and "/cijfersstop" in notice.text

        text, chart, table = await _report(world, worker, worker)
        assert "Week 47 (16 nov – 22 nov 2026)" in text.text
        assert "Hulpvragen: 12 gevraagd" in text.text
        assert chart.startswith(b"\x89PNG") and b"Software" not in chart
        assert "Flat De Linde,2026-W47,2026-11-16,2026-11-22,requests_asked,12" in table.decode()
        for name in ("Fatma", "Buur1", str(10**9)):
            assert name not in text.text and name.encode() not in table

        # The glass box: the group sees exactly what the worker sees.
        group_text, group_chart, group_table = await _report(world, world.user("Kees"), world.group)
        assert group_text.text == text.text and group_text.html == text.html
        assert group_chart == chart
        assert group_table == table

        # Stop: a neighbour may not, an admin may; the worker is told and gets nothing after.
        await sb.command(world.admin, world.group, "cijfersstop")
        listing = await sb.next_message(world.group, containing="Tik op wie moet stoppen")
        refused = await sb.press(world.user("Kees"), listing, "Stop: Sanne Visser (Wijkteam Noord)")
        assert (await refused.answer()).text == t("nl", "workers.admin_only")
        pressed = await sb.press(world.admin, listing, "Stop: Sanne Visser (Wijkteam Noord)")
        assert (await pressed.answer()).text == t("nl", "workers.stop.answer")
        edited = await sb.next_edit(world.group)
        assert edited.text == "Sanne Visser (Wijkteam Noord) krijgt geen cijfers meer van deze groep."
        assert edited.buttons() == []
        assert "deelt de cijfers niet meer" in (await sb.next_message(worker)).text

        sb.mark()
        await sb.command(worker, worker, "cijfers")
        assert (await sb.next_message(worker)).text == t("nl", "insights.not_worker")
        await sb.settle()
        later = [e for e in sb.events_since_mark() if e.chat_id == worker.id and e.message is not None]
        assert [e.method for e in later] == ["sendMessage"]

        # The same press again (an old copy of the button) changes nothing.
        data = str(listing.buttons()[0][0]["callback_data"])
        again = await sb.press_data(world.admin, listing, data)
        assert (await again.answer()).text == t("nl", "workers.stop.stale")
        forged = await sb.press_data(world.admin, listing, "wrk:stop:999")
        assert (await forged.answer()).text == t("nl", "workers.stop.stale")


async def test_used_and_expired_invitations_are_refused(world: World) -> None:
    sb = world.sb
    worker, other = sb.add_user("Sanne", "Visser"), sb.add_user("Piet", "Peters")
    async with world.bot():
        await _setup(world)
        url = await _invite(world)
        await _accept(world, worker, url, "Sanne", "Wijkteam")
        await sb.next_message(world.group, containing="Sanne")
        await sb.open_link(other, url)
        assert (await sb.next_message(other)).text == t("nl", "workers.invite.used")

        late = await _invite_again(world)
        world.clock.advance(timedelta(days=7, minutes=1))
        await sb.open_link(other, late)
        assert (await sb.next_message(other)).text == t("nl", "workers.invite.used")
        consents = await world.services.db.fetch_value(
            "SELECT COUNT(*) FROM worker_consents WHERE stopped_at IS NULL")
        assert consents == 1


async def _invite_again(world: World) -> str:
    await world.sb.command(world.admin, world.group, "uitnodigen")
    await world.sb.next_message(world.group)
    found = LINK.search((await world.sb.next_message(world.admin)).text)
    assert found is not None
    return found.group(0)


async def test_no_figures_without_consent(world: World) -> None:
    sb = world.sb
    fatma, kees = world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await _setup(world)
        await sb.start_private(fatma)
        await sb.next_message(fatma)
        sb.mark()
        await sb.command(fatma, fatma, "cijfers")
        assert (await sb.next_message(fatma)).text == t("nl", "insights.not_worker")
        await sb.command(kees, world.group, "uitnodigen")
        assert (await sb.next_message(world.group)).text == t("nl", "workers.admin_only")
        await sb.command(kees, world.group, "cijfersstop")
        assert (await sb.next_message(world.group)).text == t("nl", "workers.admin_only")
        await sb.settle()
        sent = [e.method for e in sb.events_since_mark() if e.message is not None]
        assert "sendPhoto" not in sent and "sendDocument" not in sent


async def test_bad_names_are_asked_again_and_a_worker_can_follow_two_buildings(world: World) -> None:
    sb = world.sb
    worker = sb.add_user("Sanne", "Visser")
    neighbours = [sb.add_user(f"Buur{n}") for n in range(3)]
    eik = sb.add_group("Flat De Eik", members=[world.admin, *neighbours], admins=[world.admin])
    async with world.bot():
        await _setup(world)
        url = await _invite(world)
        await sb.open_link(worker, url)
        await sb.next_message(worker)
        await sb.send(worker, worker, "x" * 81)
        assert (await sb.next_message(worker)).text == t("nl", "workers.label.too_long", length=81,
                                                         limit=80)
        await sb.send(worker, worker, "Sanne")
        await sb.next_message(worker)
        await sb.send(worker, worker, "Wijkteam")
        await sb.next_message(worker, containing="Klaar!")

        await sb.add_bot_to_group(eik, by=world.admin)
        await sb.next_message(eik)
        await sb.command(world.admin, eik, "uitnodigen")
        await sb.next_message(eik)
        second = LINK.search((await sb.next_message(world.admin)).text)
        assert second is not None
        await _accept(world, worker, second.group(0), "Sanne", "Wijkteam")
        await sb.next_message(eik, containing="Sanne")

        await sb.command(worker, worker, "cijfers")
        linde = await sb.next_message(worker, containing="Cijfers van Flat De Linde")
        small = await sb.next_message(worker, containing="Cijfers van Flat De Eik")
        assert "Te klein voor cijfers" in small.text and "Hulpvragen" not in small.text
        assert "Hulpvragen: 12 gevraagd" in linde.text
        table = await sb.next_message(worker, containing="spreadsheet")
        assert b"Flat De Eik,,,,too_small_for_figures," in sb.file_bytes(table)


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
        await _setup(world)
        await seed(world.services.db, world.group.id, Life(requests=october), START)
        text, _, table = await _report(world, world.user("Kees"), world.group)
        assert "Maand: oktober 2026 (weken 41–44: 5 okt – 1 nov 2026)" in text.text
        assert "Hulpvragen: ≥19 gevraagd · ≥19 geholpen · 0 verlopen" in text.text
        assert "21" not in text.text
        rows = table.decode().splitlines()
        assert "Flat De Linde,2026-10,2026-10-05,2026-11-01,requests_asked,>=19" in rows
        asked = {row.split(",")[1]: row.rsplit(",", 1)[1] for row in rows if ",requests_asked," in row}
        assert [asked[f"2026-W{week}"] for week in range(41, 45)] == ["6", "<5", "7", "5"]
        assert "21" not in asked.values()
