"""A community worker's invitation, opened: their name, then their organisation, typed privately.

The worker opens the single-use link an admin got with /uitnodigen and types who they are; the
waiting state is a row, so a restart loses nothing. The group is then told in one message who
now gets its figures.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.domain.deeplinks import DeepLink, is_valid_payload
from bot.domain.insights import LABEL_MAX, LabelProblem, clean_label
from bot.i18n import plain, t
from handlers import order
from handlers.common import Context, answer, callback_data, group_language, language_for, services
from storage.insights import WorkerStore

log = logging.getLogger(__name__)

LINK_KIND = "worker"
PREFIX = "wrk"
DRAFT_DAYS = 7
"""A worker who opened the invitation but never finished is asked nothing after this."""
TEXT_GROUP = order.WORKER_TEXT
START_GROUP = order.WORKER_START


def _store(context: Context) -> WorkerStore:
    return WorkerStore(services(context).db)


async def refuse_used_invite(update: Update, context: Context) -> None:
    """A used or expired invitation: say so plainly, and stop here."""
    message = update.effective_message
    if message is None or not context.args:
        return
    payload = context.args[0]
    if not is_valid_payload(payload):
        return
    svc = services(context)
    link = await svc.deep_links.get(payload)
    if link is None or link.kind != LINK_KIND or link.usable_at(svc.clock.now()):
        return
    lang = await language_for(update, context)
    await message.reply_text(t(lang, "workers.invite.used"))
    raise ApplicationHandlerStop


async def open_invite(update: Update, context: Context, link: DeepLink) -> None:
    """The worker opened the invitation: take it (once) and ask who they are."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or link.building_id is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    building = await svc.buildings.get(link.building_id)
    now = svc.clock.now()
    if building is None or not building.active:
        await message.reply_text(t(lang, "start.link_unknown"))
        return
    if not await svc.deep_links.use(link.token, now):
        await message.reply_text(t(lang, "workers.invite.used"))
        return
    await _store(context).start_draft(user.id, building.chat_id, now)
    await message.reply_text(t(lang, "workers.ask_name", building=building.title),
                             reply_markup=_cancel_keyboard(lang))


def _cancel_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        plain(lang, "workers.cancel.button"), callback_data=callback_data(PREFIX, "cancel"))]])


def _label_problem(lang: str, problem: LabelProblem, typed: str) -> str:
    if problem is LabelProblem.TOO_LONG:
        return t(lang, "workers.label.too_long", length=len(" ".join(typed.split())), limit=LABEL_MAX)
    return t(lang, "workers.label.empty")


async def on_text(update: Update, context: Context) -> None:
    """The worker's name, then organisation; any other text is not ours and passes on."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    svc = services(context)
    store = WorkerStore(svc.db)
    draft = await store.draft(user.id)
    now = svc.clock.now()
    if draft is None:
        return
    if now - draft.started_at > timedelta(days=DRAFT_DAYS):
        await store.drop_draft(user.id)
        return
    lang = await language_for(update, context)
    cleaned = clean_label(message.text)
    if isinstance(cleaned, LabelProblem):
        await message.reply_text(_label_problem(lang, cleaned, message.text),
                                 reply_markup=_cancel_keyboard(lang))
        raise ApplicationHandlerStop
    if draft.step == "name":
        await store.set_draft_name(user.id, cleaned)
        await message.reply_text(t(lang, "workers.ask_organisation", name=cleaned),
                                 reply_markup=_cancel_keyboard(lang))
        raise ApplicationHandlerStop
    building = await svc.buildings.get(draft.building_id)
    if building is None or not building.active:
        await store.drop_draft(user.id)
        await message.reply_text(t(lang, "start.link_unknown"))
        raise ApplicationHandlerStop
    consent = await store.finish(user.id, cleaned, now)
    if consent is None:
        raise ApplicationHandlerStop
    group_lang = await group_language(svc, building.chat_id)
    try:
        await context.bot.send_message(
            building.chat_id,
            t(group_lang, "workers.group_notice", name=consent.name, organisation=consent.organisation),
        )
    except TelegramError:
        log.info("the group could not be told about a new community worker; consent withdrawn")
        await store.stop(consent.id, building.chat_id, now)
        await message.reply_text(t(lang, "workers.group_unreachable"))
        raise ApplicationHandlerStop from None
    await message.reply_text(t(lang, "workers.accepted", building=building.title))
    raise ApplicationHandlerStop


async def on_cancel(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = await language_for(update, context)
    dropped = await _store(context).drop_draft(user.id)
    await answer(update)
    if dropped and isinstance(query.message, Message):
        await query.message.edit_text(t(lang, "workers.cancelled"))
