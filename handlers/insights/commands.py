"""The figures' commands: /cijfers for everyone, /uitnodigen and /cijfersstop for group admins.

/cijfers (/stats): in a private chat a worker gets, for each building that invited them, the
last full week and month (the whole weeks whose Monday falls in it), a chart of the last 12
weeks, then the combined view and one CSV file. In the group anyone gets exactly what the workers
get about that building (the same message, chart and rows), so residents always know what is
seen of them. Anyone else gets a kind line and no figures.

Community workers see a group's figures only because the group said so: an admin asks for a
single-use invitation (/uitnodigen) and gets it privately (the worker then answers in
`flow`); any admin stops it at any moment (/cijfersstop, a button per worker), and the worker
is told and gets nothing after.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest, Forbidden

from bot.domain.community import Building
from bot.domain.deeplinks import link_url
from bot.domain.insights import BuildingInsights, combined_insights
from bot.i18n import plain, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_group_admin,
    language_for,
    remember,
    resident_language,
    send_private,
    services,
)
from handlers.insights.data import building_report
from handlers.insights.flow import LINK_KIND, PREFIX
from handlers.insights.render import (
    CHART_NAME,
    CSV_NAME,
    render_building,
    render_chart,
    render_combined,
    render_csv,
)
from storage.insights import Consent, WorkerStore

log = logging.getLogger(__name__)

COMMANDS = [
    MenuCommand({"nl": "uitnodigen", "en": "invite"}, "cmd.invite_worker", private=False),
    MenuCommand({"nl": "cijfersstop", "en": "stopstats"}, "cmd.stop_worker", private=False),
    MenuCommand({"nl": "cijfers", "en": "stats"}, "cmd.insights"),
]
"""In the menu's order as it has always been: the admins' two, then /cijfers."""
INVITE_DAYS = 7


def _store(context: Context) -> WorkerStore:
    return WorkerStore(services(context).db)


async def _is_admin(update: Update, context: Context) -> bool:
    chat, user = update.effective_chat, update.effective_user
    return chat is not None and user is not None and await is_group_admin(context, chat.id, user.id)



async def _admin_command(update: Update, context: Context) -> tuple[Message, Building, str] | None:
    """The message, building and language of a group admin's command in an active building; to
    anyone else the reason is said (nothing in a group the bot does not serve), and None."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return None
    svc = services(context)
    await remember(update, context)
    lang = await language_for(update, context)
    if not is_group(chat):
        await message.reply_text(t(lang, "workers.in_group_only"))
        return None
    building = await svc.buildings.get(chat.id)
    if building is None or not building.active:
        return None
    if not await _is_admin(update, context):
        await message.reply_text(t(lang, "workers.admin_only"))
        return None
    return message, building, lang


# -- /cijfers -------------------------------------------------------------------------------------


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


# -- /uitnodigen ----------------------------------------------------------------------------------


async def invite(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    asked = await _admin_command(update, context)
    if asked is None:
        return
    message, building, lang = asked
    svc = services(context)
    now = svc.clock.now()
    link = await svc.deep_links.create(
        LINK_KIND, now, building_id=building.chat_id, single_use=True,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    admin = await svc.residents.get(user.id)
    private_lang = resident_language(svc, admin)
    sent = await send_private(
        context, user.id,
        t(private_lang, "workers.invite.private", building=building.title,
          url=link_url(svc.bot_username, link.token)),
        fallback_chat_id=building.chat_id, fallback_name=user.first_name,
    )
    if sent is not None:
        await message.reply_text(t(lang, "workers.invite.sent"))


# -- /cijfersstop ---------------------------------------------------------------------------------


def _stop_keyboard(lang: str, consents: list[Consent]) -> InlineKeyboardMarkup | None:
    if not consents:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(
            plain(lang, "workers.stop.button", name=c.name, organisation=c.organisation),
            callback_data=callback_data(PREFIX, "stop", c.id),
        )]
        for c in consents
    ])


async def show_workers(update: Update, context: Context) -> None:
    asked = await _admin_command(update, context)
    if asked is None:
        return
    message, building, lang = asked
    consents = await _store(context).active_in(building.chat_id)
    if not consents:
        await message.reply_text(t(lang, "workers.stop.none"))
        return
    await message.reply_text(t(lang, "workers.stop.list"), reply_markup=_stop_keyboard(lang, consents))


async def on_stop(update: Update, context: Context) -> None:
    """Checked again on every press: an admin of this group, a consent of this group, still on."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[2].isdigit() or not is_group(chat):
        await answer(update, plain(lang, "workers.stop.stale"), show_alert=True)
        return
    if not await _is_admin(update, context):
        await answer(update, plain(lang, "workers.admin_only"), show_alert=True)
        return
    store = _store(context)
    consent = await store.get(int(parts[2]))
    now = svc.clock.now()
    if consent is None or not await store.stop(consent.id, chat.id, now):
        await answer(update, plain(lang, "workers.stop.stale"), show_alert=True)
        return
    await answer(update, plain(lang, "workers.stop.answer"))
    remaining = await store.active_in(chat.id)
    done = t(lang, "workers.stop.done", name=consent.name, organisation=consent.organisation)
    if isinstance(query.message, Message):
        text = done if not remaining else f"{done}\n\n{t(lang, 'workers.stop.list')}"
        try:
            await query.message.edit_text(text, reply_markup=_stop_keyboard(lang, remaining))
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
    await tell_worker_stopped(context.bot, svc, consent)


async def tell_worker_stopped(bot: Any, svc: Services, consent: Consent) -> None:
    building = await svc.buildings.get(consent.building_id)
    worker = await svc.residents.get(consent.worker_id)
    lang = resident_language(svc, worker)
    title = building.title if building is not None else ""
    try:
        await bot.send_message(consent.worker_id, t(lang, "workers.stopped_worker", building=title))
    except Forbidden:
        log.info("a community worker could not be told that a group stopped the figures")
