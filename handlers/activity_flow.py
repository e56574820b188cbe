"""/activiteit (/activity): an organiser makes an activity in a private chat, one question at a
time, and later changes or cancels it with private buttons.

The flow lives in a draft row, so a restart in the middle continues at the same question. Typed
answers arrive as ordinary private messages; the text handler sits in its own handler group and
acts only when this resident has an activity draft, so text meant for other features passes by.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.activities import (
    Activity,
    Change,
    Draft,
    DraftStep,
    InvalidInput,
    Problem,
    Repeat,
    check_ready,
    choose_repeat,
    fill,
    format_day,
    format_when,
    moved,
    skip,
)
from bot.domain.deeplinks import DeepLink, link_url
from bot.i18n import t
from bot.menu import MenuCommand
from bot.services import Services
from handlers import order
from handlers.activities import (
    announce_change,
    ask_group,
    cancel_activity,
    describe,
    details_text,
    organiser_keyboard,
    poke_card,
    post_card,
    refresher,
    schedule_activity,
)
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_group_admin,
    is_member,
    remember,
    resident_language,
    send_prompt,
    services,
    user_language,
)
from storage.activities import ActivityStore
from storage.ideas import IdeaStore

log = logging.getLogger(__name__)

COMMANDS = [MenuCommand({"nl": "activiteit", "en": "activity"}, "cmd.activity")]
FLOW_GROUP = order.ACTIVITY_TEXT
NEW_LINK = "activity"
"""Deep-link kind that opens a new activity for a building (the digest and nudges use it too)."""
REPEATS = {"none": Repeat.NONE, "week": Repeat.WEEKLY, "2week": Repeat.BIWEEKLY,
           "month": Repeat.MONTHLY}


def _button(lang: str, key: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(lang, key), callback_data=callback_data(*data))


def step_keyboard(lang: str, step: DraftStep) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if step is DraftStep.END:
        rows.append([_button(lang, "activity.flow.no_end", "actf", "skip")])
    elif step is DraftStep.CAPACITY:
        rows.append([_button(lang, "activity.flow.no_limit", "actf", "skip")])
    elif step is DraftStep.REPEAT:
        rows += [[_button(lang, f"activity.flow.repeat.{code}", "actf", "rep", code)]
                 for code in REPEATS]
    elif step is DraftStep.PREVIEW:
        rows.append([_button(lang, "activity.flow.post", "actf", "post")])
    rows.append([_button(lang, "activity.flow.stop", "actf", "stop")])
    return InlineKeyboardMarkup(rows)


async def question(svc: Services, lang: str, draft: Draft, user: User) -> str:
    """The text that asks for the draft's current step (the preview at the end)."""
    if draft.step is DraftStep.PREVIEW:
        assert draft.starts_at is not None
        building = await svc.buildings.get(draft.building_id)
        preview = describe(
            lang, svc.settings.zone, title=draft.title, description=draft.description,
            starts_at=draft.starts_at, ends_at=draft.ends_at, place=draft.place,
            organiser_name=user.first_name, repeat=draft.repeat, capacity=draft.capacity,
        )
        return t(lang, "activity.flow.preview", group=building.title if building else "") + "\n\n" + preview
    return t(lang, f"activity.ask.{draft.step.value}")


async def ask(context: Context, user: User, lang: str, draft: Draft, prefix: str = "") -> None:
    svc = services(context)
    text = await question(svc, lang, draft, user)
    await context.bot.send_message(
        user.id, f"{prefix}\n\n{text}" if prefix else text, reply_markup=step_keyboard(lang, draft.step)
    )


def problem_line(lang: str, problem: Problem) -> str:
    return t(lang, f"activity.problem.{problem.value}")


# --- starting ----------------------------------------------------------------------------------

async def begin(context: Context, user: User, lang: str, building_id: int | None = None) -> None:
    """Continue a draft in progress, or start one for the resident's building."""
    svc = services(context)
    store = ActivityStore(svc.db)
    existing = await store.draft(user.id)
    if existing is not None:
        await ask(context, user, lang, existing, t(lang, "activity.flow.continue"))
        return
    if building_id is None:
        buildings = await svc.memberships.buildings_of(user.id)
        if not buildings:
            await context.bot.send_message(user.id, t(lang, "activity.flow.no_building"))
            return
        if len(buildings) > 1:
            rows = []
            for chat_id in buildings:
                building = await svc.buildings.get(chat_id)
                label = building.title if building and building.title else str(chat_id)
                rows.append([InlineKeyboardButton(
                    label[:60], callback_data=callback_data("actf", "b", chat_id))])
            await context.bot.send_message(user.id, t(lang, "activity.flow.which_building"),
                                           reply_markup=InlineKeyboardMarkup(rows))
            return
        building_id = buildings[0]
    await IdeaStore(svc.db).delete_draft(user.id)
    draft = Draft(user_id=user.id, building_id=building_id, step=DraftStep.TITLE,
                  updated_at=svc.clock.now())
    await store.save_draft(draft)
    await ask(context, user, lang, draft, t(lang, "activity.flow.intro"))


async def may_manage(context: Context, activity: Activity, user_id: int) -> bool:
    """The organiser, or an admin of the group, may change or cancel an activity."""
    if activity.organiser_id == user_id:
        return True
    return await is_group_admin(context, activity.building_id, user_id)


async def manageable(context: Context, user: User) -> list[Activity]:
    """What this resident may change: what they organise, and as a group admin, all coming ones."""
    svc = services(context)
    store = ActivityStore(svc.db)
    now = svc.clock.now()
    found = {a.id: a for a in await store.organised_by(user.id, now)}
    for building_id in await svc.memberships.buildings_of(user.id):
        if await is_group_admin(context, building_id, user.id):
            far = now + timedelta(days=800)
            for activity in await store.upcoming(building_id, now, far):
                found.setdefault(activity.id, activity)
    return sorted(found.values(), key=lambda a: a.starts_at)[:20]


async def on_command(update: Update, context: Context) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    resident = await remember(update, context)
    if resident is None:
        return
    svc = services(context)
    if is_group(chat):
        building = await svc.buildings.get(chat.id)
        if building is None:
            return
        link = await svc.deep_links.reusable(NEW_LINK, chat.id, "", svc.clock.now())
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            t(building.language, "activity.button.start_private"),
            url=link_url(svc.bot_username, link.token))]])
        await message.reply_text(t(building.language, "activity.group.go_private"),
                                 reply_markup=keyboard)
        return
    await svc.residents.mark_started(user.id, svc.clock.now())
    lang = resident_language(svc, resident)
    if await ActivityStore(svc.db).draft(user.id) is None:
        mine = await manageable(context, user)
        if mine:
            rows = [[InlineKeyboardButton(
                f"{a.title[:40]} – {format_day(a.starts_at, lang, svc.settings.zone)}",
                callback_data=callback_data("actm", "open", a.id))] for a in mine]
            rows.append([_button(lang, "activity.flow.new", "actf", "new")])
            await message.reply_text(t(lang, "activity.manage.list"),
                                     reply_markup=InlineKeyboardMarkup(rows))
            return
    await begin(context, user, lang)


async def open_new_link(update: Update, context: Context, link: DeepLink) -> None:
    """The group's "Maak een activiteit" button: a private chat tied to that building."""
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    building = await svc.buildings.get(link.building_id)
    lang = await user_language(services(context), user.id)
    if building is None or not building.active:
        await context.bot.send_message(user.id, t(lang, "start.link_unknown"))
        return
    if not await is_member(context, building.chat_id, user.id):
        await context.bot.send_message(user.id, t(lang, "activity.members_only"))
        return
    await begin(context, user, lang, building.chat_id)


# --- typed answers -----------------------------------------------------------------------------

async def on_text(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    svc = services(context)
    store = ActivityStore(svc.db)
    draft = await store.draft(user.id)
    if draft is None:
        return
    lang = await user_language(services(context), user.id)
    now = svc.clock.now()
    try:
        filled = fill(draft, message.text, now, svc.settings.zone)
    except InvalidInput as error:
        await ask(context, user, lang, draft, problem_line(lang, error.problem))
        raise ApplicationHandlerStop from None
    if filled.step.is_edit:
        await apply_edit(context, user, lang, filled)
        raise ApplicationHandlerStop
    await store.save_draft(filled)
    await ask(context, user, lang, filled)
    raise ApplicationHandlerStop


async def apply_edit(context: Context, user: User, lang: str, draft: Draft) -> None:
    svc = services(context)
    store = ActivityStore(svc.db)
    now = svc.clock.now()
    activity = await store.get(draft.activity_id) if draft.activity_id else None
    if activity is None or not activity.accepts_answers(now) \
            or not await may_manage(context, activity, user.id):
        await store.delete_draft(user.id)
        await context.bot.send_message(user.id, t(lang, "activity.manage.too_late"))
        return
    if draft.step is DraftStep.EDIT_WHEN:
        assert draft.starts_at is not None
        start, end = moved(activity.starts_at, activity.ends_at, draft.starts_at, draft.ends_at)
        updated = await store.update_details(activity.id, Change.TIME, now, starts_at=start, ends_at=end)
    elif draft.step is DraftStep.EDIT_PLACE:
        updated = await store.update_details(activity.id, Change.PLACE, now, place=draft.place)
    else:
        updated = await store.update_details(activity.id, Change.TEXT, now,
                                             description=draft.description)
    await store.delete_draft(user.id)
    if updated is None:
        await context.bot.send_message(user.id, t(lang, "activity.manage.too_late"))
        return
    if draft.step is DraftStep.EDIT_WHEN:
        await schedule_activity(svc, updated)
    poke_card(context, updated.id)
    await announce_change(svc, updated, updated.last_change)
    await context.bot.send_message(
        user.id, t(lang, "activity.manage.changed") + "\n\n" + details_text(lang, svc, updated),
        reply_markup=organiser_keyboard(lang, updated),
    )


async def on_stop(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    if await ActivityStore(svc.db).delete_draft(user.id):
        await context.bot.send_message(user.id, t(await user_language(services(context), user.id),
                                                  "activity.flow.stopped"))
        raise ApplicationHandlerStop


# --- flow buttons ------------------------------------------------------------------------------

async def on_flow_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    store = ActivityStore(svc.db)
    lang = await user_language(services(context), user.id)
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    now = svc.clock.now()
    if action == "new":
        await answer(update)
        await begin(context, user, lang)
        return
    if action == "b" and len(parts) == 3:
        building_id = int(parts[2]) if parts[2].lstrip("-").isdigit() else 0
        if building_id not in await svc.memberships.buildings_of(user.id):
            await answer(update, t(lang, "error.stale_button"))
            return
        await answer(update)
        await begin(context, user, lang, building_id)
        return
    draft = await store.draft(user.id)
    if draft is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    if action == "stop":
        await store.delete_draft(user.id)
        await answer(update)
        await query.edit_message_text(t(lang, "activity.flow.stopped"))
        return
    try:
        if action == "skip":
            updated = skip(draft, now)
        elif action == "rep" and len(parts) == 3 and parts[2] in REPEATS:
            updated = choose_repeat(draft, REPEATS[parts[2]], now)
        elif action == "post" and draft.step is DraftStep.PREVIEW:
            await answer(update)
            await publish(context, user, lang, draft)
            return
        else:
            await answer(update, t(lang, "error.stale_button"))
            return
    except InvalidInput:
        await answer(update, t(lang, "error.stale_button"))
        return
    await store.save_draft(updated)
    await answer(update)
    await ask(context, user, lang, updated)


async def publish(context: Context, user: User, lang: str, draft: Draft) -> None:
    """Post the card in the group (once), schedule what follows, give the organiser controls."""
    svc = services(context)
    store = ActivityStore(svc.db)
    now = svc.clock.now()
    try:
        check_ready(draft, now)
    except InvalidInput as error:
        back = draft.model_copy(update={"step": DraftStep.WHEN, "updated_at": now})
        await store.save_draft(back)
        await ask(context, user, lang, back, problem_line(lang, error.problem))
        return
    membership = await svc.memberships.get(draft.building_id, user.id)
    building = await svc.buildings.get(draft.building_id)
    if building is None or not building.active or membership is None or not membership.is_current:
        await store.delete_draft(user.id)
        await context.bot.send_message(user.id, t(lang, "activity.flow.group_gone"))
        return
    activity = await store.publish(draft, user.first_name, now)
    posted = await post_card(context.bot, svc, activity)
    if posted is None:
        await context.bot.send_message(user.id, t(lang, "activity.flow.group_gone"))
        return
    await schedule_activity(svc, activity)
    text = t(lang, "activity.flow.posted", group=building.title)
    if draft.idea_id is not None:
        names = await convert_idea(context, draft.idea_id, activity)
        if names:
            text += "\n\n" + t(lang, "idea.joined_names", names=", ".join(names))
    await context.bot.send_message(user.id, text + "\n\n" + details_text(lang, svc, activity),
                                   reply_markup=organiser_keyboard(lang, activity))


async def convert_idea(context: Context, idea_id: int, activity: Activity) -> list[str]:
    """The idea became this activity: its card says so, and those who joined hear it privately.
    Returns their first names, for the proposer only."""
    svc = services(context)
    ideas = IdeaStore(svc.db)
    if not await ideas.convert(idea_id, activity.id, svc.clock.now()):
        return []
    refresher(context).poke("idea", idea_id)
    names: list[str] = []
    for user_id in await ideas.joiners(idea_id):
        resident = await svc.residents.get(user_id)
        if resident is not None:
            names.append(resident.first_name)
        lang = resident_language(svc, resident)
        await send_prompt(
            context.bot, svc, user_id, "activity",
            t(lang, "idea.became_activity", title=activity.title,
              when=format_when(activity.starts_at, activity.ends_at, lang, svc.settings.zone)),
        )
    return names


# --- organiser controls ------------------------------------------------------------------------

async def _managed(update: Update, context: Context) -> tuple[Activity, str, str] | None:
    """The activity behind an organiser button, if the presser may manage it."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return None
    svc = services(context)
    lang = await user_language(services(context), user.id)
    parts = query.data.split(":")
    activity = None
    if len(parts) == 3 and parts[2].isdigit():
        activity = await ActivityStore(svc.db).get(int(parts[2]))
    if activity is None:
        await answer(update, t(lang, "error.stale_button"))
        return None
    if not await may_manage(context, activity, user.id):
        await answer(update, t(lang, "activity.organiser_only"), show_alert=True)
        return None
    return activity, lang, parts[1]


async def on_manage(update: Update, context: Context) -> None:
    found = await _managed(update, context)
    query, user = update.callback_query, update.effective_user
    if found is None or query is None or user is None:
        return
    activity, lang, action = found
    svc = services(context)
    store = ActivityStore(svc.db)
    now = svc.clock.now()
    if action == "open":
        await answer(update)
        await context.bot.send_message(user.id, details_text(lang, svc, activity),
                                       reply_markup=organiser_keyboard(lang, activity))
        return
    if not activity.accepts_answers(now):
        await answer(update, t(lang, "activity.manage.too_late"), show_alert=True)
        return
    steps = {"time": DraftStep.EDIT_WHEN, "place": DraftStep.EDIT_PLACE, "text": DraftStep.EDIT_TEXT}
    if action in steps:
        await IdeaStore(svc.db).delete_draft(user.id)
        draft = Draft(user_id=user.id, building_id=activity.building_id, step=steps[action],
                      activity_id=activity.id, updated_at=now)
        await store.save_draft(draft)
        await answer(update)
        await ask(context, user, lang, draft)
        return
    if action == "cancel":
        rows = [[_button(lang, "activity.manage.cancel_yes", "actm", "cy", activity.id)]]
        if activity.series_id is not None:
            rows.append([_button(lang, "activity.manage.cancel_series", "actm", "cs", activity.id)])
        rows.append([_button(lang, "activity.manage.keep", "actm", "keep", activity.id)])
        await answer(update)
        await query.edit_message_text(
            t(lang, "activity.manage.cancel_sure", title=activity.title),
            reply_markup=InlineKeyboardMarkup(rows))
        return
    if action in ("cy", "cs"):
        cancelled = await cancel_activity(context, activity, stop_series=action == "cs")
        await answer(update)
        key = "activity.manage.cancelled" if cancelled else "activity.manage.too_late"
        await query.edit_message_text(t(lang, key, title=activity.title))
        return
    if action == "keep":
        await answer(update)
        await query.edit_message_text(details_text(lang, svc, activity),
                                      reply_markup=organiser_keyboard(lang, activity))
        return
    await answer(update, t(lang, "error.stale_button"))


async def on_fading(update: Update, context: Context) -> None:
    """The organiser's answer to "this series seems to fade": pause, change the time, ask the group."""
    found = await _managed(update, context)
    query, user = update.callback_query, update.effective_user
    if found is None or query is None or user is None:
        return
    activity, lang, action = found
    svc = services(context)
    now = svc.clock.now()
    if not activity.accepts_answers(now):
        await answer(update, t(lang, "activity.manage.too_late"), show_alert=True)
        return
    await answer(update)
    if action == "pause":
        await cancel_activity(context, activity, stop_series=True)
        await query.edit_message_text(t(lang, "activity.fade.paused", title=activity.title))
    elif action == "time":
        draft = Draft(user_id=user.id, building_id=activity.building_id, step=DraftStep.EDIT_WHEN,
                      activity_id=activity.id, updated_at=now)
        await ActivityStore(svc.db).save_draft(draft)
        await query.edit_message_reply_markup(None)
        await ask(context, user, lang, draft)
    elif action == "ask":
        await ask_group(context.bot, svc, activity)
        await query.edit_message_text(t(lang, "activity.fade.asked"))


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes[NEW_LINK] = open_new_link
    app.add_handler(CommandHandler(["activiteit", "activity"], on_command))
    app.add_handler(CallbackQueryHandler(on_flow_button, pattern=r"^actf:"))
    app.add_handler(CallbackQueryHandler(on_manage, pattern=r"^actm:"))
    app.add_handler(CallbackQueryHandler(on_fading, pattern=r"^actfade:"))
    private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(private_text, on_text), group=FLOW_GROUP)
    app.add_handler(CommandHandler("stop", on_stop, filters=filters.ChatType.PRIVATE), group=FLOW_GROUP)
