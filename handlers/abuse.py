"""Safety before anything else: odd senders are screened out, each resident gets a fair share of
the bot, and any resident can quietly report a card to the group's admins.

Registered first, in early handler groups, so no feature ever sees an update that was stopped;
a safety net in the last group answers any press that no feature took.
"""

from __future__ import annotations

import logging
import re

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    TypeHandler,
)

from bot.domain.privacy import ActionCounter, Report, ReportState, Verdict
from bot.i18n import t
from bot.logs import pseudonym
from bot.services import ReportedCard, Services
from handlers import order
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_group_admin,
    is_member,
    language_for,
    resident_language,
    services,
)
from storage.privacy import ReportStore

log = logging.getLogger(__name__)

SCREEN_GROUP = order.SCREEN
LIMIT_GROUP = order.RATE_LIMIT
LAST_GROUP = order.LAST
COUNTER_KEY = "action_counter"

REPORT_DATA = re.compile(r"^rep:([a-z][a-z0-9_]{0,15}):(\d{1,18})$")
HIDE_DATA = re.compile(r"^rhide:(\d{1,18})$")
KEEP_DATA = re.compile(r"^rkeep:(\d{1,18})$")


def report_button(lang: str, kind: str, item_id: int) -> InlineKeyboardButton:
    """The "Meld" button features put on their group cards; register `svc.reportables[kind]`."""
    return InlineKeyboardButton(t(lang, "report.button"), callback_data=callback_data("rep", kind, item_id))


def _command_name(message: Message, bot_username: str) -> str | None:
    """The command a message starts with, if it is meant for this bot (or for no bot in particular)."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    first = text.split(maxsplit=1)[0][1:]
    name, _, target = first.partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower() or None


def _known_commands(svc: Services) -> set[str]:
    return {name for command in svc.menu for name in command.all_names}


def _is_user(user: User | None) -> bool:
    return user is not None and isinstance(user.id, int) and isinstance(user.is_bot, bool) \
        and isinstance(user.first_name, str)


def _is_chat(chat: Chat | None) -> bool:
    return chat is not None and isinstance(chat.id, int) and isinstance(chat.type, str)


def _is_message(message: Message | MaybeInaccessibleMessage | None) -> bool:
    if message is None or not _is_chat(message.chat) or not isinstance(message.message_id, int):
        return False
    if not isinstance(message, Message):
        return True
    return (message.from_user is None or _is_user(message.from_user)) \
        and (message.sender_chat is None or _is_chat(message.sender_chat)) \
        and (message.text is None or isinstance(message.text, str))


def well_formed(update: Update) -> bool:
    """PTB builds objects even when required fields are missing; every field the handlers rely
    on must be there and of the right type before any handler sees the update."""
    if update.message is not None:
        return _is_message(update.message)
    query = update.callback_query
    if query is not None:
        return isinstance(query.id, str) and _is_user(query.from_user) \
            and (query.data is None or isinstance(query.data, str)) \
            and (query.message is None or _is_message(query.message))
    change = update.my_chat_member or update.chat_member
    if change is not None:
        return _is_chat(change.chat) and _is_user(change.from_user) and all(
            member is not None and isinstance(member.status, str) and _is_user(member.user)
            for member in (change.old_chat_member, change.new_chat_member)
        )
    return True


async def screen(update: Update, context: Context) -> None:
    """Let through only what the bot acts on; never crash on what Telegram may also send.

    Edited messages, channel posts and unknown update kinds are ignored. Talk sent on behalf of
    a chat (an anonymous admin, a channel) or by another bot has no resident behind it: a command
    from an anonymous admin gets one short line, everything else is ignored.
    """
    if not well_formed(update):
        log.warning("update %s lacks fields the bot needs; ignored", update.update_id)
        raise ApplicationHandlerStop
    if update.message is None:
        if update.callback_query is None and update.my_chat_member is None \
                and update.chat_member is None:
            raise ApplicationHandlerStop
        return
    message = update.message
    talk = message.text is not None or message.caption is not None
    sender = message.from_user
    if not talk or (message.sender_chat is None and sender is not None and not sender.is_bot):
        return
    svc = services(context)
    command = _command_name(message, svc.bot_username)
    if message.sender_chat is not None and command in _known_commands(svc):
        counter = _counter(context)
        if counter.check(message.sender_chat.id, svc.clock.now()) is Verdict.ALLOWED:
            lang = await language_for(update, context)
            try:
                await message.reply_text(t(lang, "odd.anonymous"), allow_sending_without_reply=True)
            except TelegramError:
                log.warning("could not answer a command sent on behalf of chat %s", message.chat.id)
    raise ApplicationHandlerStop


def _counter(context: Context) -> ActionCounter:
    counter = context.bot_data.get(COUNTER_KEY)
    assert isinstance(counter, ActionCounter)
    return counter


async def limit(update: Update, context: Context) -> None:
    """At most so many commands and button presses per resident; told once, then quiet."""
    user = update.effective_user
    message = update.message
    svc = services(context)
    pressed = update.callback_query is not None
    commanded = message is not None and _command_name(message, svc.bot_username) is not None
    if user is None or not (pressed or commanded):
        return
    verdict = _counter(context).check(user.id, svc.clock.now())
    if verdict is Verdict.ALLOWED:
        return
    tell = verdict is Verdict.REFUSED_TELL
    if tell:
        log.info("rate limit reached by %s", pseudonym(user.id))
    lang = await language_for(update, context)
    try:
        if pressed:
            await answer(update, t(lang, "abuse.slow_down") if tell else None)
        elif tell and message is not None and not is_group(message.chat):
            await message.reply_text(t(lang, "abuse.slow_down"))
    except TelegramError:
        log.warning("could not tell %s to slow down", pseudonym(user.id))
    raise ApplicationHandlerStop


async def on_report(update: Update, context: Context) -> None:
    """A resident pressed "Meld" on a card: the admins hear of it privately; nobody learns who."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    match = REPORT_DATA.match(query.data or "")
    reportable = svc.reportables.get(match.group(1)) if match else None
    if match is None or reportable is None or not is_group(chat):
        await answer(update, t(lang, "error.stale_button"))
        return
    kind, item_id = match.group(1), int(match.group(2))
    card = await reportable.describe(item_id, lang)
    building = await svc.buildings.get(chat.id)
    if card is None or card.building_id != chat.id or building is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    if query.from_user is None or not await is_member(context, chat.id, query.from_user.id):
        await answer(update, t(lang, "report.members_only"), show_alert=True)
        return
    report, new = await ReportStore(svc.db).open(chat.id, kind, item_id, svc.clock.now())
    if not new:
        await answer(update, t(lang, "report.thanks"), show_alert=True)
        return
    reached = await _alert_admins(context, svc, report, card, building.title)
    log.info("card %s:%s reported in %s; %d admin(s) told", kind, item_id, chat.id, reached)
    await answer(
        update, t(lang, "report.thanks") if reached else t(lang, "report.no_admins"), show_alert=True
    )


async def _alert_admins(
    context: Context, svc: Services, report: Report, card: ReportedCard, title: str
) -> int:
    try:
        admins = await context.bot.get_chat_administrators(report.building_id)
    except TelegramError:
        return 0
    reached = 0
    for admin in admins:
        person = admin.user
        if person.is_bot:
            continue
        resident = await svc.residents.get(person.id)
        lang = resident_language(svc, resident) if resident else svc.settings.language
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(t(lang, "report.button_hide"),
                                 callback_data=callback_data("rhide", report.id)),
            InlineKeyboardButton(t(lang, "report.button_keep"),
                                 callback_data=callback_data("rkeep", report.id)),
        ]])
        text = t(lang, "report.alert", building=title, summary=card.summary)
        try:
            await context.bot.send_message(person.id, text, reply_markup=keyboard)
        except Forbidden:
            await svc.residents.mark_unreachable(person.id)
            continue
        reached += 1
    return reached


async def _admin_report(update: Update, context: Context, pattern: re.Pattern[str]) -> Report | None:
    """The report behind a Verbergen/Laten staan press, if the presser may decide on it now."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    svc = services(context)
    lang = await language_for(update, context)
    match = pattern.match(query.data or "")
    report = await ReportStore(svc.db).get(int(match.group(1))) if match else None
    if report is None:
        await answer(update, t(lang, "error.stale_button"))
        return None
    if not await is_group_admin(context, report.building_id, user.id):
        await answer(update, t(lang, "report.admin_only"), show_alert=True)
        return None
    if report.state is not ReportState.OPEN:
        await answer(update, t(lang, "report.done_before"))
        return None
    return report


async def on_hide(update: Update, context: Context) -> None:
    report = await _admin_report(update, context, HIDE_DATA)
    query = update.callback_query
    if report is None or query is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    now = svc.clock.now()
    reportable = svc.reportables.get(report.kind)
    card = await reportable.describe(report.item_id, lang) if reportable else None
    if not await ReportStore(svc.db).close(report.id, ReportState.HIDDEN, now):
        await answer(update, t(lang, "report.done_before"))
        return
    if reportable is not None:
        await reportable.hide(report.item_id, now)
    deleted = card is None or card.message_id is None
    if card is not None and card.message_id is not None:
        try:
            deleted = await context.bot.delete_message(card.chat_id, card.message_id)
        except BadRequest:
            deleted = False
    log.info("reported card %s:%s hidden by an admin", report.kind, report.item_id)
    await answer(update)
    await query.edit_message_text(
        t(lang, "report.hidden") if deleted else t(lang, "report.hidden_manual")
    )


async def on_keep(update: Update, context: Context) -> None:
    report = await _admin_report(update, context, KEEP_DATA)
    query = update.callback_query
    if report is None or query is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    if not await ReportStore(svc.db).close(report.id, ReportState.KEPT, svc.clock.now()):
        await answer(update, t(lang, "report.done_before"))
        return
    await answer(update)
    await query.edit_message_text(t(lang, "report.kept"))


async def unclaimed_press(update: Update, context: Context) -> None:
    """A press no handler takes (forged, or from an older version of the bot) still gets a short
    answer, so the resident is not left with a spinning button."""
    if update.callback_query is None:
        return
    for group, handlers in context.application.handlers.items():
        if LIMIT_GROUP < group < LAST_GROUP and any(
            handler.check_update(update) not in (None, False) for handler in handlers
        ):
            return
    await answer(update, t(await language_for(update, context), "error.stale_button"))


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    app.bot_data[COUNTER_KEY] = ActionCounter()
    app.add_handler(TypeHandler(Update, screen), group=SCREEN_GROUP)
    app.add_handler(TypeHandler(Update, limit), group=LIMIT_GROUP)
    app.add_handler(CallbackQueryHandler(on_report, pattern=r"^rep:"))
    app.add_handler(CallbackQueryHandler(on_hide, pattern=r"^rhide:"))
    app.add_handler(CallbackQueryHandler(on_keep, pattern=r"^rkeep:"))
    app.add_handler(TypeHandler(Update, unclaimed_press), group=LAST_GROUP)
