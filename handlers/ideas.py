"""/idee (/idea): a resident proposes something to do together; neighbours tap "Doe mee"; at five
the proposer is invited privately to turn it into an activity, with a draft already filled in.

The card shows how many joined, never who: only the proposer learns the names, once the idea
has become an activity.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.activities import Draft, DraftStep, InvalidInput, format_when
from bot.domain.community import MemberStatus
from bot.domain.deeplinks import DeepLink, link_url
from bot.domain.ideas import JOINS_NEEDED, Idea, JoinOutcome, clean_idea, draft_title
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import t
from bot.menu import MenuCommand
from bot.scheduler import JobHandler
from bot.services import ReportedCard, Services
from handlers import order
from handlers.activities import app_refresher, notify_private, refresher
from handlers.activity_flow import ask
from handlers.common import (
    Context,
    answer,
    callback_data,
    group_language,
    is_group,
    is_member,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.buttons import report_button
from storage.activities import ActivityStore
from storage.ideas import IdeaStore

log = logging.getLogger(__name__)

COMMANDS = [MenuCommand({"nl": "idee", "en": "idea"}, "cmd.idea")]
IDEA_GROUP = order.IDEA_TEXT
READY = "idea.ready"
REPORT_KIND = "idea"
"""Card kind in the "Meld" button and in `svc.reportables`."""

App = Application[Any, Any, Any, Any, Any, Any]


# --- the card --------------------------------------------------------------------------------

def proposer_label(lang: str, name: str) -> str:
    return name or t(lang, "activity.someone")


async def render_card(svc: Services, idea: Idea) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = await group_language(svc, idea.building_id)
    text = t(lang, "idea.card", name=proposer_label(lang, idea.proposer_name),
             text=idea.text or t(lang, "idea.erased"))
    if not idea.is_open:
        activity = await ActivityStore(svc.db).get(idea.activity_id) if idea.activity_id else None
        if activity is not None:
            text += "\n\n" + t(lang, "idea.card.converted", title=activity.title,
                               when=format_when(activity.starts_at, activity.ends_at, lang,
                                                svc.settings.zone))
        return text, None
    text += "\n\n" + t(lang, "idea.card.count", joined=idea.joined, needed=JOINS_NEEDED)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "idea.button.join"),
                             callback_data=callback_data("idea", "join", idea.id)),
        InlineKeyboardButton(t(lang, "idea.button.leave"),
                             callback_data=callback_data("idea", "leave", idea.id)),
    ], [report_button(lang, REPORT_KIND, idea.id)]])
    return text, keyboard


async def refresh_card(bot: Bot, svc: Services, idea_id: int) -> None:
    store = IdeaStore(svc.db)
    idea = await store.get(idea_id)
    if idea is None or idea.message_id is None or idea.card_version <= idea.card_shown:
        return
    version = idea.card_version
    text, keyboard = await render_card(svc, idea)
    try:
        await bot.edit_message_text(text, chat_id=idea.building_id, message_id=idea.message_id,
                                    reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            log.warning("idea card %s could not be edited: %s", idea_id, error)
    except Forbidden:
        log.info("idea card %s: the bot is no longer in the group", idea_id)
    await store.mark_shown(idea_id, version)


async def propose(context: Context, user: User, building_id: int, text: str) -> Idea | None:
    """Store the idea and post its card in the group."""
    svc = services(context)
    store = IdeaStore(svc.db)
    idea = await store.create(building_id, user.id, user.first_name, text, svc.clock.now())
    card, keyboard = await render_card(svc, idea)
    try:
        message = await context.bot.send_message(building_id, card, reply_markup=keyboard)
    except Forbidden:
        return None
    await store.set_message(idea.id, message.message_id, idea.card_version)
    return idea


# --- /idee -----------------------------------------------------------------------------------

def stop_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "activity.flow.stop"), callback_data=callback_data("idea", "stop"))]])


async def start_typing(context: Context, user: User, lang: str, building_id: int) -> None:
    svc = services(context)
    await ActivityStore(svc.db).delete_draft(user.id)
    await IdeaStore(svc.db).start_draft(user.id, building_id, svc.clock.now())
    await context.bot.send_message(user.id, t(lang, "idea.ask"), reply_markup=stop_keyboard(lang))


async def on_command(update: Update, context: Context) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    resident = await remember(update, context)
    if resident is None:
        return
    svc = services(context)
    typed = " ".join(context.args or [])
    if is_group(chat):
        building = await svc.buildings.get(chat.id)
        if building is None:
            return
        glang = building.language
        if typed:
            try:
                text = clean_idea(typed)
            except InvalidInput as error:
                await message.reply_text(t(glang, f"idea.problem.{error.problem.value}"))
                return
            await propose(context, user, chat.id, text)
            return
        link = await svc.deep_links.reusable("ideanew", chat.id, "", svc.clock.now())
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            t(glang, "idea.button.start_private"), url=link_url(svc.bot_username, link.token))]])
        await message.reply_text(t(glang, "idea.group.go_private"), reply_markup=keyboard)
        return
    await svc.residents.mark_started(user.id, svc.clock.now())
    lang = resident_language(svc, resident)
    buildings = await svc.memberships.buildings_of(user.id)
    if not buildings:
        await message.reply_text(t(lang, "idea.no_building"))
        return
    if len(buildings) > 1:
        rows = []
        for chat_id in buildings:
            building = await svc.buildings.get(chat_id)
            label = building.title if building and building.title else str(chat_id)
            rows.append([InlineKeyboardButton(label[:60],
                                              callback_data=callback_data("idea", "b", chat_id))])
        await message.reply_text(t(lang, "activity.flow.which_building"),
                                 reply_markup=InlineKeyboardMarkup(rows))
        return
    if typed:
        await post_typed(context, user, lang, buildings[0], typed)
        return
    await start_typing(context, user, lang, buildings[0])


async def post_typed(context: Context, user: User, lang: str, building_id: int, typed: str) -> None:
    try:
        text = clean_idea(typed)
    except InvalidInput as error:
        await context.bot.send_message(
            user.id, t(lang, f"idea.problem.{error.problem.value}") + "\n\n" + t(lang, "idea.ask"),
            reply_markup=stop_keyboard(lang))
        await IdeaStore(services(context).db).start_draft(user.id, building_id,
                                                          services(context).clock.now())
        return
    svc = services(context)
    idea = await propose(context, user, building_id, text)
    building = await svc.buildings.get(building_id)
    if idea is None:
        await context.bot.send_message(user.id, t(lang, "activity.flow.group_gone"))
        return
    await context.bot.send_message(user.id, t(lang, "idea.posted", group=building.title if building
                                              else "", needed=JOINS_NEEDED))


async def on_text(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    svc = services(context)
    building_id = await IdeaStore(svc.db).draft_building(user.id)
    if building_id is None:
        return
    lang = await user_language(svc, user.id)
    await post_typed(context, user, lang, building_id, message.text)
    raise ApplicationHandlerStop


async def on_stop(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    if await IdeaStore(svc.db).delete_draft(user.id):
        await context.bot.send_message(user.id, t(await user_language(svc, user.id), "idea.stopped"))
        raise ApplicationHandlerStop


async def open_new_link(update: Update, context: Context, link: DeepLink) -> None:
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    if not await is_member(context, link.building_id, user.id):
        await context.bot.send_message(user.id, t(lang, "start.link_unknown"))
        return
    if await svc.memberships.get(link.building_id, user.id) is None:
        await svc.memberships.set_status(link.building_id, user.id, MemberStatus.MEMBER,
                                         svc.clock.now())
    await start_typing(context, user, lang, link.building_id)


# --- buttons ---------------------------------------------------------------------------------

async def on_join(update: Update, context: Context) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    svc = services(context)
    store = IdeaStore(svc.db)
    lang = await user_language(svc, user.id)
    _, action, raw_id = query.data.split(":")
    idea = await store.get(int(raw_id)) if raw_id.isdigit() else None
    if idea is None or idea.removed_at is not None or idea.building_id != chat.id:
        await answer(update, t(lang, "error.stale_button"))
        return
    if not await is_member(context, idea.building_id, user.id):
        await answer(update, t(lang, "activity.members_only"), show_alert=True)
        return
    lang = resident_language(svc, await remember(update, context))
    result = await store.join(idea.id, user.id, action == "join", svc.clock.now())
    if result is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    await answer(update, t(lang, f"idea.answer.{result.outcome.value}",
                           missing=result.idea.missing))
    if result.outcome in (JoinOutcome.JOINED, JoinOutcome.LEFT):
        refresher(context).poke("idea", idea.id)
    if result.became_ready:
        await svc.scheduler.add(READY, str(idea.id), svc.clock.now(), building_id=idea.building_id,
                                payload={"idea_id": idea.id})


def make_keyboard(lang: str, idea_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "idea.button.make"), callback_data=callback_data("idea", "make", idea_id))]])


async def on_make(update: Update, context: Context) -> None:
    """The proposer turns the idea into an activity: a draft filled in with the idea."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    raw_id = query.data.split(":")[2]
    idea = await IdeaStore(svc.db).get(int(raw_id)) if raw_id.isdigit() else None
    if idea is None or not idea.is_open:
        await answer(update, t(lang, "error.stale_button"))
        return
    if idea.proposer_id != user.id:
        await answer(update, t(lang, "idea.proposer_only"), show_alert=True)
        return
    await answer(update)
    await begin_from_idea(context, user, lang, idea)


async def begin_from_idea(context: Context, user: User, lang: str, idea: Idea) -> None:
    svc = services(context)
    await IdeaStore(svc.db).delete_draft(user.id)
    draft = Draft(user_id=user.id, building_id=idea.building_id, step=DraftStep.WHEN,
                  title=draft_title(idea.text), description=idea.text, idea_id=idea.id,
                  updated_at=svc.clock.now())
    await ActivityStore(svc.db).save_draft(draft)
    await ask(context, user, lang, draft,
              t(lang, "activity.flow.from_idea", title=draft.title, description=draft.description))


async def open_make_link(update: Update, context: Context, link: DeepLink) -> None:
    """For a proposer who had not opened the bot when the idea reached enough neighbours."""
    user = update.effective_user
    if user is None or not link.target.isdigit():
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    idea = await IdeaStore(svc.db).get(int(link.target))
    if idea is None or not idea.is_open or idea.proposer_id != user.id:
        await context.bot.send_message(user.id, t(lang, "start.link_unknown"))
        return
    await context.bot.send_message(user.id, t(lang, "idea.ready", text=idea.text, joined=idea.joined),
                                   reply_markup=make_keyboard(lang, idea.id))


async def on_idea_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    parts = query.data.split(":")
    if parts[1] == "stop":
        await IdeaStore(svc.db).delete_draft(user.id)
        await answer(update)
        await query.edit_message_text(t(lang, "idea.stopped"))
        return
    if parts[1] == "b" and len(parts) == 3 and parts[2].lstrip("-").isdigit():
        building_id = int(parts[2])
        if building_id in await svc.memberships.buildings_of(user.id):
            await answer(update)
            await start_typing(context, user, lang, building_id)
            return
    await answer(update, t(lang, "error.stale_button"))


# --- schedule and other features ----------------------------------------------------------------

def make_ready_job(app: App, svc: Services) -> JobHandler:
    async def ready(item: ScheduledItem, now: datetime) -> ItemState | None:
        idea_id = item.payload.get("idea_id")
        idea = await IdeaStore(svc.db).get(int(idea_id)) if isinstance(idea_id, int) else None
        if idea is None or not idea.is_open or idea.proposer_id is None:
            return ItemState.SKIPPED
        lang = await user_language(svc, idea.proposer_id)
        sent = await notify_private(app.bot, svc, idea.proposer_id,
                                    t(lang, "idea.ready", text=idea.text, joined=idea.joined),
                                    make_keyboard(lang, idea.id))
        if sent is None:
            glang = await group_language(svc, idea.building_id)
            link = await svc.deep_links.reusable("ideamake", idea.building_id, str(idea.id), now)
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
                t(glang, "button.open_private"), url=link_url(svc.bot_username, link.token))]])
            await app.bot.send_message(idea.building_id,
                                       t(glang, "private.need_start", name=idea.proposer_name),
                                       reply_markup=keyboard)
        return None

    return ready


class IdeaPersonalData:
    """Ideas a resident proposed or joined."""

    name = "ideas"

    def __init__(self, app: App, svc: Services) -> None:
        self._app = app
        self._svc = svc

    async def export(self, user_id: int) -> dict[str, Any]:
        return await IdeaStore(self._svc.db).export(user_id)

    async def forget(self, user_id: int, now: datetime) -> None:
        for idea_id in await IdeaStore(self._svc.db).forget(user_id, now):
            app_refresher(self._app).poke("idea", idea_id)

    async def expire(self, before: datetime) -> int:
        return await IdeaStore(self._svc.db).expire(before)


class IdeaReports:
    """Reported idea cards: what the group's admins are shown, and taking one down."""

    def __init__(self, app: App, svc: Services) -> None:
        self._app = app
        self._svc = svc

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        idea = await IdeaStore(self._svc.db).get(item_id)
        if idea is None or idea.removed_at is not None:
            return None
        return ReportedCard(building_id=idea.building_id, chat_id=idea.building_id,
                            message_id=idea.message_id, summary=idea.text or t(lang, "idea.erased"))

    async def hide(self, item_id: int, now: datetime) -> bool:
        """The card goes (the caller deletes it) and nobody can join or build on the idea after;
        the proposer hears privately that an admin took it down."""
        store = IdeaStore(self._svc.db)
        idea = await store.get(item_id)
        if idea is None or not await store.remove(item_id, now):
            return False
        if idea.proposer_id is not None:
            lang = await user_language(self._svc, idea.proposer_id)
            await notify_private(self._app.bot, self._svc, idea.proposer_id,
                                 t(lang, "idea.removed.proposer", text=idea.text))
        return True


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    async def refresh(idea_id: int) -> None:
        await refresh_card(app.bot, svc, idea_id)

    app_refresher(app).add_kind("idea", refresh)
    svc.scheduler.register(READY, make_ready_job(app, svc))
    svc.link_routes["ideanew"] = open_new_link
    svc.link_routes["ideamake"] = open_make_link
    svc.personal_data.append(IdeaPersonalData(app, svc))
    svc.reportables[REPORT_KIND] = IdeaReports(app, svc)

    async def latest(building_id: int) -> datetime | None:
        return await IdeaStore(svc.db).last_idea_in(building_id)

    svc.activity_probes.append(latest)

    async def departed(building_id: int, user_id: int, now: datetime) -> None:
        for idea_id in await IdeaStore(svc.db).leave_open(user_id, building_id):
            app_refresher(app).poke("idea", idea_id)

    svc.departure_hooks.append(departed)
    app.add_handler(CommandHandler(["idee", "idea"], on_command))
    app.add_handler(CallbackQueryHandler(on_join, pattern=r"^idea:(join|leave):\d+$"))
    app.add_handler(CallbackQueryHandler(on_make, pattern=r"^idea:make:\d+$"))
    app.add_handler(CallbackQueryHandler(on_idea_button, pattern=r"^idea:(stop|b)"))
    private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(private_text, on_text), group=IDEA_GROUP)
    app.add_handler(CommandHandler("stop", on_stop, filters=filters.ChatType.PRIVATE), group=IDEA_GROUP)
