"""The figures as residents and workers get them, end to end through the sandbox: /cijfers in
the group answers privately (and posts only for an admin), a worker with three buildings gets one
overview, a trait only one household has never shows, and the chart of a small building draws
"<5" as a hatched band on a whole-number axis."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import numpy as np
from matplotlib.image import imread

from bot.domain.periods import last_full_month, last_full_quarter, months_of, recent_weeks, weeks_of
from bot.domain.shown_figures import SMALL_LIMIT, Show
from bot.i18n import t
from handlers.insights.chart import BAND_FACE, BAND_HATCH, building_chart, png
from handlers.insights.data import building_report
from tests.harness import World
from tests.insights.insights_seed import Life, Request, Resident, ensure_building, seed
from tests.insights.insights_steps import accept, days_pass, invite, report, rows, seed_last_week

FIRST = 10**9


async def test_cijfers_in_the_group_answers_privately_and_posts_only_for_an_admin(world: World) -> None:
    sb = world.sb
    kees, anouk = world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await seed_last_week(world)
        await sb.open_private(kees)
        await sb.next_message(kees)
        sb.mark()
        await sb.say(kees, world.group, "/cijfers")
        text = await sb.next_message(kees, containing="Cijfers van Flat De Linde")
        assert (await sb.next_message(kees, containing="laatste 12 weken")).photo is not None
        table = sb.file_bytes(await sb.next_message(kees, containing="spreadsheet"))
        await sb.settle()
        into_group = [e.method for e in sb.events_since_mark()
                      if e.chat_id == world.group.id and e.message is not None]
        assert into_group == [], "a resident's /cijfers posts nothing in the group"

        # Anouk never opened the bot: one line in the group that names nobody, with a button
        # that opens it for her only.
        await sb.say(anouk, world.group, "/cijfers")
        line = await sb.next_message(world.group, containing="cijfers privé")
        assert line.text.startswith("Ik stuur je de cijfers privé") and "Anouk" not in line.text
        assert not line.photo and not line.document
        await sb.open_private(anouk, line.url_buttons()["Open de cijfers"])
        privately = await sb.next_message(anouk, containing="Cijfers van Flat De Linde")
        assert privately.text == text.text
        assert (await sb.next_message(anouk, containing="spreadsheet")).document is not None

        # An admin's /cijfers is for everyone: in the group.
        group_text, _, group_table = await report(world, world.admin, world.group)
        assert group_text.text == text.text and group_table == table


async def test_a_worker_with_three_buildings_gets_one_overview(world: World) -> None:
    sb = world.sb
    worker = sb.add_user("Sanne", "Visser", language_code="nl")
    others = [sb.add_group(title, members=[world.admin], admins=[world.admin])
              for title in ("Flat De Eik", "Flat De Beuk")]
    async with world.bot():
        await world.add_bot()
        for group in others:
            await sb.add_bot_to_group(group, by=world.admin)
            await sb.next_message(group)
        for group in (world.group, *others):
            await accept(world, worker, await invite(world, group), "Sanne", "Wijkteam", group)
        await days_pass(world)
        for index, group in enumerate((world.group, *others)):
            await sb.next_message(worker, containing="Goed nieuws")
            await seed_last_week(world, group.id, FIRST + 100 * index)
        sb.mark()
        text, chart, table = await report(world, worker, worker, title="Cijfers van je 3 groepen")
        for title in ("Flat De Linde", "Flat De Eik", "Flat De Beuk"):
            assert title in text.text
        assert "Samen (3 groepen met cijfers)" in text.text
        assert chart.startswith(b"\x89PNG")
        found = rows(table)
        assert found[0] == ["groep", "periode", "van", "tot en met", "cijfer", "aantal"]
        scopes = {row[0] for row in found[1:]}
        assert scopes == {"Flat De Linde", "Flat De Eik", "Flat De Beuk", "alle groepen samen"}
        week = {row[0]: row[5] for row in found if row[1] == "2026-W48" and row[4] == "hulpvragen"}
        assert week == {"Flat De Linde": "12", "Flat De Eik": "12", "Flat De Beuk": "12",
                        "alle groepen samen": "36"}
        await sb.settle()
        to_worker = [e.method for e in sb.events_since_mark() if e.chat_id == worker.id and e.message]
        assert to_worker == ["sendMessage", "sendPhoto", "sendDocument"], "one overview, not three"


async def test_a_trait_only_one_household_has_never_shows(world: World) -> None:
    """One Ukrainian household among Dutch ones took part: nothing in the report, the file or
    what is stored says anything about language."""
    async with world.bot():
        await world.add_bot()
        monday = await seed_last_week(world)
        oksana = Resident(FIRST + 50, "Oksana", "uk")
        await seed(world.services.db, world.group.id, Life(
            residents=[oksana],
            requests=[Request(oksana.user_id, monday + timedelta(days=2), helper=FIRST, status="done")],
        ), world.clock.now())
        text, chart, table = await report(world, world.admin, world.group)
        words = re.compile(r"\b(uk|UK|Oekra\w*|taal|talen|language)\b|Oksana", re.IGNORECASE)
        assert not words.search(text.text) and not words.search(table.decode("utf-8-sig"))
        stored = await world.services.db.fetch_all("SELECT figures FROM insight_snapshots")
        assert stored and not any("language" in row[0] or '"uk"' in row[0] for row in stored)
        assert b"Oksana" not in chart


SMALL_WEEKS = [1, 2, 1, 0, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0]
"""Help requests in each week from July to mid-November 2026, every one helped: 4, 3 and 4 in
the months of the third quarter, 3 in October."""


async def _small_building(world: World, now: datetime) -> None:
    """Six neighbours asking each other now and then: each week, and each month, shows "<5";
    the quarter before shows 11."""
    zone = world.services.settings.zone
    quarter = last_full_quarter(now, zone)
    weeks = [week for month in months_of(quarter) for week in weeks_of(month)]
    weeks += weeks_of(last_full_month(now, zone)) + recent_weeks(now, zone, 3)
    people = [Resident(FIRST + n, f"Buur{n}") for n in range(6)]
    moments = [week.start + timedelta(days=1, hours=n)
               for week, count in zip(weeks, SMALL_WEEKS, strict=True) for n in range(count)]
    requests = [Request(people[i % 3].user_id, moment, helper=people[3 + i % 3].user_id,
                        status="done") for i, moment in enumerate(moments)]
    await seed(world.services.db, world.group.id, Life(residents=people, requests=requests),
               now - timedelta(days=400))


async def test_the_chart_of_an_all_suppressed_month_shows_the_band_on_a_whole_number_axis(
        world: World) -> None:
    async with world.bot():
        await world.add_bot()
        now = world.clock.now()
        await _small_building(world, now)
        text, chart, _ = await report(world, world.admin, world.group)
        # A month of "<5" only: the report leads with the quarter, which shows something.
        assert "Maand: oktober 2026" in text.text and "Kwartaal: juli–september 2026" in text.text
        assert "Juli–september 2026: 11 hulpvragen, 11 geholpen." in text.text

        # The PNG sent is exactly this figure, drawn from the same report...
        building = await world.services.buildings.get(world.group.id)
        assert building is not None
        shown = await building_report(world.services, building, now)
        figure = building_chart("nl", shown)
        assert png(figure) == chart
        assert shown.month is not None and shown.month.asked.show is Show.SMALL
        # ...whose small figures are hatched bands from 0 to 5, never bars of a height,
        requests, activities, _ = figure.axes
        small = [cell for point in shown.trend for cell in (point.asked, point.helped)
                 if cell.show is Show.SMALL]
        assert len(small) >= 10
        bands = [p for p in requests.patches if p.get_hatch() == BAND_HATCH]
        assert len(bands) == len(small)
        assert all(p.get_height() == SMALL_LIMIT and p.get_y() == 0 for p in bands)
        assert not [p for p in requests.patches if p.get_hatch() != BAND_HATCH and p.get_height() > 0]
        assert not [p for p in activities.patches if p.get_hatch() == BAND_HATCH]
        # ...with no number written beside them, and whole numbers on the axis.
        assert not any(any(c.isdigit() for c in text_.get_text()) for text_ in requests.texts)
        figure.canvas.draw()
        ticks = requests.get_yticks()
        assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks)
        assert requests.get_ylim() == (0.0, float(SMALL_LIMIT + 1))
        assert "minder dan 5" in [text_.get_text() for text_ in requests.get_legend().get_texts()]
        # And in the PNG's own pixels the band's colour is there.
        pixels = imread(io.BytesIO(chart))[:, :, :3]
        face = np.array([int(BAND_FACE[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        assert int(np.all(np.abs(pixels - face) < 0.02, axis=2).sum()) > 1000


async def test_no_figures_where_fewer_than_5_took_part(world: World) -> None:
    async with world.bot():
        await world.add_bot()
        await ensure_building(world.services.db, world.group.id, "Flat De Linde", world.clock.now())
        await world.sb.say(world.admin, world.group, "/cijfers")
        reply = await world.sb.next_message(world.group, containing="Cijfers van")
        assert t("nl", "insights.too_small") in reply.text
