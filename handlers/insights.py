"""/cijfers (/stats): the anonymous figures, for invited community workers and for the group.

In a private chat a worker gets, for each building that invited them, the last full week and
month (the whole weeks whose Monday falls in it), a chart of the last 12 weeks, then the combined
view and one CSV file. In the group anyone
gets exactly what the workers get about that building (the same message, chart and rows), so
residents always know what is seen of them. Anyone else gets a kind line and no figures.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import InputFile, Update
from telegram.error import Forbidden
from telegram.ext import Application, CommandHandler

from bot.domain.community import Building
from bot.domain.insights import (
    MIN_RESIDENTS,
    BuildingInsights,
    RawFigures,
    building_insights,
    combined_insights,
    last_full_month,
    last_full_week,
    recent_weeks,
    weeks_of,
)
from bot.domain.insights_render import (
    CHART_NAME,
    CSV_NAME,
    render_building,
    render_chart,
    render_combined,
    render_csv,
)
from bot.domain.requests import RequestKind
from bot.i18n import t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import Context, is_group, language_for, remember, services
from storage.insights import InsightStore, WorkerStore

log = logging.getLogger(__name__)

COMMANDS = [MenuCommand({"nl": "cijfers", "en": "stats"}, "cmd.insights")]
KINDS = [kind.value for kind in RequestKind]


async def building_report(svc: Services, building: Building, now: datetime) -> BuildingInsights:
    """The figures of one building; everything shown about it comes from here."""
    store = InsightStore(svc.db)
    ever = await store.residents_ever(building.chat_id)
    zone = svc.settings.zone
    week, month = last_full_week(now, zone), last_full_month(now, zone)
    if ever < MIN_RESIDENTS:
        return building_insights(building.chat_id, building.title, ever, (week, RawFigures()),
                                 (month, RawFigures()), [], [], KINDS)
    trend = [(period, await store.figures(building.chat_id, period, now))
             for period in recent_weeks(now, zone)]
    month_weeks = [(period, await store.figures(building.chat_id, period, now))
                   for period in weeks_of(month)]
    # Checking what a month beside its weeks gives away is a search: off the event loop.
    return await asyncio.to_thread(
        building_insights, building.chat_id, building.title, ever,
        (week, await store.figures(building.chat_id, week, now)),
        (month, await store.figures(building.chat_id, month, now)),
        month_weeks, trend, KINDS,
    )


async def send_building(context: Context, chat_id: int, lang: str, report: BuildingInsights) -> None:
    """The message and the chart of one building, into a group or a worker's private chat."""
    await context.bot.send_message(chat_id, render_building(lang, report))
    if report.too_small:
        return
    chart = await asyncio.to_thread(render_chart, lang, report)
    await context.bot.send_photo(
        chat_id, InputFile(chart, filename=CHART_NAME),
        caption=t(lang, "insights.chart.caption", building=report.title),
    )


async def send_csv(context: Context, chat_id: int, lang: str, data: bytes) -> None:
    await context.bot.send_document(
        chat_id, InputFile(data, filename=CSV_NAME), caption=t(lang, "insights.csv.caption")
    )


async def show_insights(update: Update, context: Context) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    svc = services(context)
    await remember(update, context)
    lang = await language_for(update, context)
    now = svc.clock.now()
    if is_group(chat):
        building = await svc.buildings.get(chat.id)
        if building is None or not building.active:
            return
        report = await building_report(svc, building, now)
        await send_building(context, chat.id, lang, report)
        if not report.too_small:
            await send_csv(context, chat.id, lang, render_csv(lang, [report]))
        return
    consents = await WorkerStore(svc.db).active_of(user.id)
    if not consents:
        await message.reply_text(t(lang, "insights.not_worker"))
        return
    reports = []
    for consent in consents:
        building = await svc.buildings.get(consent.building_id)
        if building is not None and building.active:
            reports.append(await building_report(svc, building, now))
    try:
        for report in reports:
            await send_building(context, chat.id, lang, report)
        combined = combined_insights(reports)
        if combined is not None:
            await context.bot.send_message(chat.id, render_combined(lang, combined))
        if any(not report.too_small for report in reports):
            await send_csv(context, chat.id, lang, render_csv(lang, reports, combined))
    except Forbidden:
        log.info("a community worker blocked the bot while getting figures")


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(["cijfers", "stats"], show_insights))
