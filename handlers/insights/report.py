"""/cijfers: the figures, to whoever may read them.

- A community worker, privately: for one building its report (message, chart, file); for
  several, one overview (each building's figures and their total, as a message, a chart and a
  file), so nobody reads fifteen reports one by one. Only buildings whose group agreed.
- A resident in the group: the same report the workers get, privately, so residents always know
  what is seen of them without filling the group; one who never opened the bot gets one line in
  the group with a button that opens it and then sends the figures. An admin's /cijfers posts the
  report in the group, for everyone.
- Anyone else: a kind line and no figures.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.domain.community import Building
from bot.domain.deeplinks import DeepLink
from bot.domain.insights import BuildingInsights, overview
from bot.i18n import t, tn
from bot.menu import MenuCommand
from bot.services import Services
from handlers.insights.chart import CHART_NAME, building_png, overview_png
from handlers.insights.data import building_report
from handlers.insights.render import render_building, render_overview
from handlers.insights.table import CSV_NAME, render_csv
from handlers.kit.command import Command
from handlers.kit.context import (
    Context,
    services,
    user_language,
)
from handlers.kit.guards import admin_now, member_link
from handlers.kit.reach import need_start_line
from handlers.kit.send import Method, Outgoing

LINK_KIND = "figures"
COMMANDS = [
    MenuCommand({"nl": "uitnodigen", "en": "invite"}, "cmd.invite_worker", private=False,
                admin=True),
    MenuCommand({"nl": "cijfersstop", "en": "stopstats"}, "cmd.stop_worker", private=False,
                admin=True),
    MenuCommand({"nl": "bezwaren", "en": "objections"}, "cmd.objections", private=False,
                admin=True),
    MenuCommand({"nl": "cijfers", "en": "stats"}, "cmd.insights"),
    MenuCommand({"nl": "toegang", "en": "access"}, "cmd.access"),
]
"""The admins' three, then /cijfers and /toegang for everyone."""


async def send_report(svc: Services, chat_id: int, lang: str, reports: list[BuildingInsights], *,
                      first: Outgoing | None = None) -> None:
    """One building's report, or the overview of several: the message, the chart, the file.
    `first`: the message goes as this (a private message with its fallback) instead."""
    shown = [report for report in reports if not report.too_small]
    if len(reports) == 1:
        text = render_building(lang, reports[0])
        view = None
    else:
        view = overview(reports)
        text = render_overview(lang, view)
    if first is not None:
        await svc.out.send(first.model_copy(update={"text": text}))
    else:
        await svc.out.message(chat_id, text)
    if not shown:
        return
    if view is None:
        chart = await asyncio.to_thread(building_png, lang, reports[0])
        caption = t(lang, "insights.chart.caption", building=reports[0].title)
    else:
        chart = await asyncio.to_thread(overview_png, lang, view)
        caption = tn(lang, "insights.chart.overview_caption", len(shown))
    await svc.out.photo(chat_id, CHART_NAME, chart, caption=caption)
    table = render_csv(lang, reports, view.total if view is not None else None)
    await svc.out.document(chat_id, CSV_NAME, table, caption=t(lang, "insights.csv.caption"),
                           private=chat_id > 0)


async def _figures_privately(svc: Services, building: Building, user_id: int,
                             can_be_messaged: bool, reply_to: int | None) -> None:
    """The building's report to a resident privately; the group gets one line that names
    nobody, with a button that opens only for them, when the bot may not write to them."""
    line = await need_start_line(svc, building.chat_id, user_id, key="insights.need_start",
                                 kind=LINK_KIND, label="insights.open_private", reply_to=reply_to)
    if not can_be_messaged:
        await svc.out.send(line)
        return
    report = await building_report(svc, building, svc.clock.now())
    lang = await user_language(svc, user_id)
    first = Outgoing(chat_id=user_id, method=Method.SEND, unreachable_user=user_id, on_refused=line)
    await send_report(svc, user_id, lang, [report], first=first)


async def show_insights(update: Update, context: Context) -> None:
    command = await Command.open(update, context)
    if command is None:
        return
    svc, chat, user, lang = command.svc, command.chat, command.user, command.lang
    now = svc.clock.now()
    if command.in_group:
        building = await command.served_building()
        if building is None:
            return
        if await admin_now(context, chat.id, user.id):
            await send_report(svc, chat.id, lang, [await building_report(svc, building, now)])
            return
        message = update.effective_message
        resident = command.resident
        await _figures_privately(svc, building, user.id,
                                 resident is not None and resident.can_be_messaged,
                                 message.message_id if message is not None else None)
        return
    reports = []
    for consent in await svc.stores.workers.active_of(user.id):
        building = await svc.buildings.get(consent.building_id)
        if building is not None and building.active:
            reports.append(await building_report(svc, building, now))
    if not reports:
        await svc.out.reply(update, t(lang, "insights.not_worker"))
        return
    await send_report(svc, chat.id, lang, reports)


async def open_figures_link(update: Update, context: Context, link: DeepLink) -> None:
    """The button under "open the bot": a member of that group gets its figures here."""
    user = await member_link(update, context, link, "insights.not_member")
    if user is None or link.building_id is None:
        return
    svc = services(context)
    building = await svc.buildings.get(link.building_id)
    if building is None or not building.active:
        return
    report = await building_report(svc, building, svc.clock.now())
    await send_report(svc, user.id, await user_language(svc, user.id), [report])

