"""Safety before anything else: odd senders are screened out and each resident gets a fair share
of the bot. Registered in early handler groups, so no feature ever sees an update that was
stopped; a safety net in the last group answers any press that no feature took."""

from __future__ import annotations

import logging

from telegram import Chat, MaybeInaccessibleMessage, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.domain.privacy import Verdict
from bot.i18n import plain, t
from bot.logs import pseudonym
from bot.services import Services
from handlers import order
from handlers.kit.context import Context, is_group, language_for, services
from handlers.kit.guards import answer

log = logging.getLogger(__name__)


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
    query = update.callback_query
    if not well_formed(update):
        log.warning("update %s lacks fields the bot needs; ignored", update.update_id)
        if query is not None and isinstance(query.id, str):
            await answer(update, plain(services(context).settings.language, "error.stale_button"))
        raise ApplicationHandlerStop
    if query is not None and (not query.data or query.message is None):
        # Every button of this bot carries data and sits on a message in a chat: a press
        # without either (a game, an inline message, a tampered client) is no button of ours,
        # and PTB would hand a press without data to the first button handler of all.
        await answer(update, plain(await language_for(update, context), "error.stale_button"))
        raise ApplicationHandlerStop
    if update.message is None:
        if query is None and update.my_chat_member is None and update.chat_member is None:
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
        verdict = svc.action_counter.check(message.sender_chat.id, svc.clock.now())
        if verdict is Verdict.ALLOWED:
            await svc.out.reply(update, t(await language_for(update, context), "odd.anonymous"))
    raise ApplicationHandlerStop


async def limit(update: Update, context: Context) -> None:
    """At most so many commands and button presses per resident; told once, then quiet."""
    user = update.effective_user
    message = update.message
    svc = services(context)
    pressed = update.callback_query is not None
    commanded = message is not None and _command_name(message, svc.bot_username) is not None
    if user is None or not (pressed or commanded):
        return
    verdict = svc.action_counter.check(user.id, svc.clock.now())
    if verdict is Verdict.ALLOWED:
        return
    tell = verdict is Verdict.REFUSED_TELL
    if tell:
        log.info("rate limit reached by %s", pseudonym(user.id))
    lang = await language_for(update, context)
    if pressed:
        try:
            await answer(update, plain(lang, "abuse.slow_down") if tell else None)
        except TelegramError:
            log.warning("could not tell %s to slow down", pseudonym(user.id))
    elif tell and message is not None and not is_group(message.chat):
        await svc.out.reply(update, t(lang, "abuse.slow_down"))
    raise ApplicationHandlerStop


async def unclaimed_press(update: Update, context: Context) -> None:
    """A press no handler takes (forged, or from an older version of the bot) still gets a short
    answer, so the resident is not left with a spinning button."""
    if update.callback_query is None:
        return
    for group, handlers in context.application.handlers.items():
        if order.RATE_LIMIT < group < order.LAST and any(
            handler.check_update(update) not in (None, False) for handler in handlers
        ):
            return
    await answer(update, plain(await language_for(update, context), "error.stale_button"))


def register_screen(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, screen), group=order.SCREEN)
    app.add_handler(TypeHandler(Update, limit), group=order.RATE_LIMIT)
    app.add_handler(TypeHandler(Update, unclaimed_press), group=order.LAST)
