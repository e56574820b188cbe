"""The private chat always answers.

Free text nothing waits for ("hallo, kan iemand mij helpen?"), a voice message, a sticker or a
command the bot does not know gets a short, kind answer with the private menu: ask, help
someone, activities, my things. It runs last (handler group `order.HOME`) and only in private
chats, so it never takes what a feature handles: a flow that takes a typed answer stops the
update (handlers.kit.flows), and a command any feature knows here is left to it.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.privacy import Verdict
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers import order
from handlers.community.menu import ACTIVITIES, ASK, HELP, HOME, MINE, home_keyboard
from handlers.community.mine import activity_when, show_mine_to
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, is_person, remember, resident_language, services
from handlers.kit.guards import resident_buildings
from handlers.kit.press import Press, Speaks
from handlers.requests.commands import ask_in_private
from handlers.requests.helping import show_open_requests

REMOVE_COMMANDS = frozenset({"weghalen", "remove"})
"""Admins' take-down command: it works only as a reply in the group."""
STOP_COMMAND = "stop"
ACTIVITIES_AHEAD = timedelta(days=14)
MAX_ACTIVITIES = 5


def command_name(text: str) -> str:
    """`/Vraag@OmzienBot nu` -> `vraag`."""
    return text.split(maxsplit=1)[0][1:].partition("@")[0].lower() if text else ""


def taken_elsewhere(update: Update, context: Context) -> bool:
    """Does a feature's command handler take this command, here, in this chat?"""
    for group, handlers in context.application.handlers.items():
        if group == order.HOME:
            continue
        for handler in handlers:
            if isinstance(handler, CommandHandler) and handler.check_update(update):
                return True
    return False


async def someone_waits(svc: Services, user_id: int) -> bool:
    """Is a question of the bot waiting for this resident's typed answer?"""
    if await svc.flows.waiting_flow(user_id) is not None:
        return True
    return (await svc.stores.activities.draft(user_id) is not None
            or await svc.stores.ideas.draft_building(user_id) is not None)


async def on_private_message(update: Update, context: Context) -> None:
    """Whatever reached the private chat and nothing took."""
    message, user = update.effective_message, update.effective_user
    if message is None or not is_person(user) or user is None:
        return
    svc = services(context)
    lang = resident_language(svc, await remember(update, context))
    if message.text is not None and filters.COMMAND.check_update(update):
        name = command_name(message.text)
        if name in REMOVE_COMMANDS:
            await svc.out.reply(update, t(lang, "home.remove_in_group"))
        elif name == STOP_COMMAND:
            await svc.out.reply(update, t(lang, "home.nothing_to_stop"),
                                keyboard=home_keyboard(lang))
        elif not taken_elsewhere(update, context):
            await svc.out.reply(update, t(lang, "home.unknown_command"),
                                keyboard=home_keyboard(lang))
        return
    if svc.action_counter.check(user.id, svc.clock.now()) is not Verdict.ALLOWED:
        return  # a flood of messages gets answers only as fast as commands do
    if message.text is not None:
        await svc.out.reply(update, t(lang, "home.text"), keyboard=home_keyboard(lang))
    elif await someone_waits(svc, user.id):
        await svc.out.reply(update, t(lang, "home.type_answer"))
    else:
        await svc.out.reply(update, t(lang, "home.not_text"), keyboard=home_keyboard(lang))


async def on_home_button(update: Update, context: Context) -> None:
    """`home:ask`, `home:help`, `home:act`, `home:mine`: the private menu's four buttons."""
    press = await Press.open(update, context, Speaks.RESIDENT)
    if press is None or press.chat is None:
        return
    svc, user, lang = press.svc, press.user, press.lang
    what = press.data.partition(":")[2]
    if not press.in_own_chat or what not in (ASK, HELP, ACTIVITIES, MINE):
        await press.tell("error.stale_button")
        return
    await press.answer()
    if what == MINE:
        await show_mine_to(svc, user.id, lang)
        return
    buildings = await resident_buildings(context, user.id)
    if not buildings:
        await svc.out.message(user.id, t(lang, "start.find_building"))
    elif what == ASK:
        await ask_in_private(update, context)
    elif what == HELP:
        await show_open_requests(svc, user.id, lang, buildings)
    else:
        await show_activities(svc, user.id, lang, buildings)


async def show_activities(svc: Services, user_id: int, lang: str, buildings: list[int]) -> None:
    """The coming two weeks' activities in the resident's buildings, each with "Ik kom"."""
    now = svc.clock.now()
    coming = sorted([activity for building_id in buildings
                     for activity in await svc.stores.activities.upcoming(
                         building_id, now, now + ACTIVITIES_AHEAD)],
                    key=lambda activity: activity.starts_at)[:MAX_ACTIVITIES]
    if not coming:
        await svc.out.message(user_id, t(lang, "home.activities.none"))
        return
    for activity in coming:
        going = button(plain(lang, "activity.button.going"), "act", "go", activity.id)
        await svc.out.message(user_id, t(lang, "home.activity", title=activity.title,
                                         when=Safe(activity_when(lang, svc, activity))),
                              keyboard=keyboard([going]))
    await svc.out.message(user_id, t(lang, "home.activities.more"))


def register_home(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_home_button, pattern=rf"^{HOME}:"))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL,
                                   on_private_message), group=order.HOME)
