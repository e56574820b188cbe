"""The bot's life in a group: added, removed, members coming and going, becoming a supergroup."""

from __future__ import annotations

import logging

from telegram import ChatMember, InlineKeyboardMarkup, Update
from telegram.ext import Application, ChatMemberHandler, MessageHandler, filters

from bot.domain.community import MemberStatus
from bot.domain.deeplinks import link_url
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import keyboard, link_button
from handlers.kit.context import (
    Context,
    building_link,
    is_group,
    is_person,
    mark_departed,
    services,
)
from handlers.kit.guards import PRESENT, forget_admin

log = logging.getLogger(__name__)


async def welcome_keyboard(svc: Services, chat_id: int, lang: str) -> InlineKeyboardMarkup:
    begin = await building_link(svc, chat_id)
    ask = await svc.deep_links.reusable("ask", chat_id, "", svc.clock.now())
    return keyboard([
        link_button(plain(lang, "button.begin"), begin),
        link_button(plain(lang, "request.button.ask"), link_url(svc.bot_username, ask.token)),
    ])


async def on_my_chat_member(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None:
        return
    svc = services(context)
    now = svc.clock.now()
    chat = change.chat
    was_in = change.old_chat_member.status in PRESENT
    is_in = change.new_chat_member.status in PRESENT
    if not is_group(chat):
        if change.new_chat_member.status == ChatMember.BANNED:
            await svc.residents.mark_unreachable(chat.id)
        elif is_in and is_person(change.from_user):
            await svc.residents.seen(chat.id, change.from_user.first_name,
                                     change.from_user.language_code, now,
                                     change.from_user.username)
            await svc.residents.mark_started(chat.id, now)
        return
    forget_admin(svc, chat.id)
    if is_in and not was_in:
        existing = await svc.buildings.get(chat.id)
        language = existing.language if existing else svc.settings.language
        if existing is not None:
            # Back after being away: joins and leaves meanwhile were not seen.
            await svc.memberships.unconfirm_all(chat.id)
        building = await svc.buildings.activate(chat.id, chat.title or "", language, now)
        adder = change.from_user
        if is_person(adder):
            await svc.residents.seen(adder.id, adder.first_name, adder.language_code, now,
                                     adder.username)
            await svc.memberships.set_status(chat.id, adder.id, MemberStatus.MEMBER, now)
        await svc.out.message(chat.id, t(building.language, "welcome.group"),
                              keyboard=await welcome_keyboard(svc, chat.id, building.language))
        log.info("added to group %s", chat.id)
    elif was_in and not is_in:
        await svc.buildings.deactivate(chat.id, now)
        log.info("removed from group %s", chat.id)


async def on_members_changed(update: Update, context: Context) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    if await svc.buildings.get(chat.id) is None:
        return
    now = svc.clock.now()
    for user in message.new_chat_members or ():
        forget_admin(svc, chat.id, user.id)
        if is_person(user):
            await svc.residents.seen(user.id, user.first_name, user.language_code, now, user.username)
            await svc.memberships.set_status(chat.id, user.id, MemberStatus.MEMBER, now)
    gone = message.left_chat_member
    if gone is not None:
        forget_admin(svc, chat.id, gone.id)
    if gone is not None and is_person(gone):
        await mark_departed(svc, chat.id, gone, now)


async def on_chat_member(update: Update, context: Context) -> None:
    """Telegram tells an admin bot about every join and leave, also when no service message shows."""
    change = update.chat_member
    if change is None or not is_group(change.chat):
        return
    svc = services(context)
    user = change.new_chat_member.user
    forget_admin(svc, change.chat.id, user.id)
    if not is_person(user) or await svc.buildings.get(change.chat.id) is None:
        return
    now = svc.clock.now()
    was_in = change.old_chat_member.status in PRESENT
    is_in = change.new_chat_member.status in PRESENT
    if was_in and not is_in:
        await mark_departed(svc, change.chat.id, user, now)
    elif is_in and not was_in:
        await svc.residents.seen(user.id, user.first_name, user.language_code, now, user.username)
        await svc.memberships.set_status(change.chat.id, user.id, MemberStatus.MEMBER, now)


async def on_migrate(update: Update, context: Context) -> None:
    """Telegram tells both chats; moving is idempotent, so whichever comes first does it."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    if await svc.buildings.move(old, new):
        forget_admin(svc, old)
        log.info("group %s became supergroup %s; rows moved", old, new)
        await svc.run_move_hooks(new)


def register_group_life(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(ChatMemberHandler(on_chat_member, ChatMemberHandler.CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_handler(
        MessageHandler(
            filters.StatusUpdate.NEW_CHAT_MEMBERS | filters.StatusUpdate.LEFT_CHAT_MEMBER,
            on_members_changed,
        )
    )
