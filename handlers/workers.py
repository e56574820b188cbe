"""Community workers see a group's anonymous figures only because the group said so.

An admin asks for a single-use invitation (`/uitnodigen`) and gets it privately; the worker opens
it, types their name and organisation in a private chat (the waiting state is a row, so a restart
loses nothing), and the group is told in one message who now gets its figures. Any admin stops it
at any moment (`/cijfersstop`, a button per worker); the worker is told, and gets nothing after.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.deeplinks import DeepLink, is_valid_payload, link_url
from bot.domain.insights import LABEL_MAX, LabelProblem, clean_label
from bot.i18n import t
from bot.menu import MenuCommand
from bot.services import Services
from handlers import order
from handlers.common import (
    Context,
    answer,
    callback_data,
    group_language,
    is_group,
    is_group_admin,
    language_for,
    remember,
    resident_language,
    send_private,
    services,
)
from storage.insights import Consent, WorkerStore

log = logging.getLogger(__name__)

COMMANDS = [
    MenuCommand({"nl": "uitnodigen", "en": "invite"}, "cmd.invite_worker", private=False),
    MenuCommand({"nl": "cijfersstop", "en": "stopstats"}, "cmd.stop_worker", private=False),
]
LINK_KIND = "worker"
INVITE_DAYS = 7
DRAFT_DAYS = 7
"""A worker who opened the invitation but never finished is asked nothing after this."""
PREFIX = "wrk"
TEXT_GROUP = order.WORKER_TEXT
START_GROUP = order.WORKER_START


def _store(context: Context) -> WorkerStore:
    return WorkerStore(services(context).db)


def _plain(text: str) -> str:
    """Button labels are not HTML: undo the escaping `t` does for messages."""
    return html.unescape(text)


async def _is_admin(update: Update, context: Context) -> bool:
    chat, user = update.effective_chat, update.effective_user
    return chat is not None and user is not None and await is_group_admin(context, chat.id, user.id)


# -- inviting -------------------------------------------------------------------------------------


async def invite(update: Update, context: Context) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    svc = services(context)
    await remember(update, context)
    lang = await language_for(update, context)
    if not is_group(chat):
        await message.reply_text(t(lang, "workers.in_group_only"))
        return
    building = await svc.buildings.get(chat.id)
    if building is None or not building.active:
        return
    if not await _is_admin(update, context):
        await message.reply_text(t(lang, "workers.admin_only"))
        return
    now = svc.clock.now()
    link = await svc.deep_links.create(
        LINK_KIND, now, building_id=chat.id, single_use=True,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    admin = await svc.residents.get(user.id)
    private_lang = resident_language(svc, admin)
    sent = await send_private(
        context, user.id,
        t(private_lang, "workers.invite.private", building=building.title,
          url=link_url(svc.bot_username, link.token)),
        fallback_chat_id=chat.id, fallback_name=user.first_name,
    )
    if sent is not None:
        await message.reply_text(t(lang, "workers.invite.sent"))


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
        t(lang, "workers.cancel.button"), callback_data=callback_data(PREFIX, "cancel"))]])


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


# -- stopping -------------------------------------------------------------------------------------


def _stop_keyboard(lang: str, consents: list[Consent]) -> InlineKeyboardMarkup | None:
    if not consents:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(
            _plain(t(lang, "workers.stop.button", name=c.name, organisation=c.organisation)),
            callback_data=callback_data(PREFIX, "stop", c.id),
        )]
        for c in consents
    ])


async def show_workers(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    await remember(update, context)
    lang = await language_for(update, context)
    if not is_group(chat):
        await message.reply_text(t(lang, "workers.in_group_only"))
        return
    building = await svc.buildings.get(chat.id)
    if building is None or not building.active:
        return
    if not await _is_admin(update, context):
        await message.reply_text(t(lang, "workers.admin_only"))
        return
    consents = await _store(context).active_in(chat.id)
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
        await answer(update, t(lang, "workers.stop.stale"), show_alert=True)
        return
    if not await _is_admin(update, context):
        await answer(update, t(lang, "workers.admin_only"), show_alert=True)
        return
    store = _store(context)
    consent = await store.get(int(parts[2]))
    now = svc.clock.now()
    if consent is None or not await store.stop(consent.id, chat.id, now):
        await answer(update, t(lang, "workers.stop.stale"), show_alert=True)
        return
    await answer(update, t(lang, "workers.stop.answer"))
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


# -- the worker's own data ------------------------------------------------------------------------


class WorkerData:
    """A worker's name and organisation, as they typed them: exported, forgotten, expired."""

    name = "insights_workers"

    def __init__(self, app: Application, svc: Services) -> None:  # type: ignore[type-arg]
        self._app = app
        self._svc = svc
        self._store = WorkerStore(svc.db)

    async def export(self, user_id: int) -> dict[str, Any]:
        return await self._store.export(user_id)

    async def forget(self, user_id: int, now: datetime) -> None:
        """Stop everything; each group that still shared its figures is told who stopped."""
        for consent in await self._store.forget(user_id, now):
            lang = await group_language(self._svc, consent.building_id)
            try:
                await self._app.bot.send_message(
                    consent.building_id,
                    t(lang, "workers.stop.done", name=consent.name, organisation=consent.organisation),
                )
            except TelegramError:
                log.info("a group could not be told that a community worker stopped")

    async def expire(self, before: datetime) -> int:
        return await self._store.expire(before)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes[LINK_KIND] = open_invite
    svc.personal_data.append(WorkerData(app, svc))
    app.add_handler(CommandHandler(["uitnodigen", "invite"], invite))
    app.add_handler(CommandHandler(["cijfersstop", "stopstats"], show_workers))
    app.add_handler(CallbackQueryHandler(on_stop, pattern=rf"^{PREFIX}:stop:"))
    app.add_handler(CallbackQueryHandler(on_cancel, pattern=rf"^{PREFIX}:cancel$"))
    app.add_handler(
        CommandHandler("start", refuse_used_invite, filters=filters.ChatType.PRIVATE), group=START_GROUP
    )
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_text),
        group=TEXT_GROUP,
    )
