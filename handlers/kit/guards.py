"""Who may do what: asked at the moment of the action, answered in one short line when not.

Every press and command is checked again when it arrives; these are the checks features share.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import ChatMember, Update, User
from telegram.error import BadRequest, TelegramError

from bot.domain.community import MemberStatus
from bot.domain.deeplinks import DeepLink
from bot.i18n import plain, t
from handlers.kit.context import Context, is_group, presser_language, services

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 60.0
ANSWER_LIMIT = 200
PRESENT = frozenset(
    {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}
)
"""Telegram member statuses of someone who is in the group."""


async def answer(update: Update, text: str | None = None, **kwargs: Any) -> None:
    """Answer a button press, directly (it has a deadline); Telegram shows at most 200
    characters. A press answered too late is refused by Telegram; that changes nothing."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text[:ANSWER_LIMIT] if text else None, **kwargs)
    except BadRequest as error:
        log.info("a press could not be answered: %s", error)


async def is_group_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """Asked of Telegram (admins change without the bot seeing it), cached for a minute."""
    svc = services(context)
    key = (chat_id, user_id)
    cached = svc.admin_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < ADMIN_CACHE_SECONDS:
        return cached[1]
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except BadRequest:
        return False
    admin = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    svc.admin_cache[key] = (time.monotonic(), admin)
    return admin


async def group_admin(update: Update, context: Context, refusal_key: str, *,
                      lang: str | None = None) -> bool:
    """A group command for admins only: True for an admin, else one short reply (or, for a
    press, an alert) in the reader's language."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or not is_group(chat):
        return False
    if await is_group_admin(context, chat.id, user.id):
        return True
    svc = services(context)
    if lang is None:
        building = await svc.buildings.get(chat.id)
        lang = building.language if building is not None else svc.settings.language
    if update.callback_query is not None:
        await answer(update, plain(await presser_language(svc, user), refusal_key), show_alert=True)
    else:
        await svc.out.reply(update, t(lang, refusal_key))
    return False


async def is_current_member(context: Context, building_id: int, user_id: int) -> bool:
    """Only current members of an active building may act on its cards; people who left may not."""
    svc = services(context)
    building = await svc.buildings.get(building_id)
    if building is None or not building.active:
        return False
    membership = await svc.memberships.get(building_id, user_id)
    return membership is not None and membership.is_current


async def is_member(context: Context, building_id: int, user_id: int) -> bool:
    """May this person act on the building's cards? Our records decide for people we saw there
    (joins and leaves arrive as service messages); for anyone else Telegram is asked once and
    the answer recorded."""
    svc = services(context)
    building = await svc.buildings.get(building_id)
    if building is None or not building.active:
        return False
    membership = await svc.memberships.get(building_id, user_id)
    if membership is not None:
        return membership.is_current
    try:
        member = await context.bot.get_chat_member(building_id, user_id)
    except TelegramError:
        return False
    if member.status not in PRESENT:
        return False
    now = svc.clock.now()
    await svc.residents.seen(user_id, member.user.first_name, member.user.language_code, now,
                             member.user.username)
    await svc.memberships.set_status(building_id, user_id, MemberStatus.MEMBER, now)
    return True


async def member_press(update: Update, context: Context, building_id: int,
                       refusal_key: str) -> User | None:
    """A press on a building's card or flow: the presser if they are a member, else an alert."""
    user = update.effective_user
    if user is None:
        return None
    if await is_member(context, building_id, user.id):
        return user
    svc = services(context)
    await answer(update, plain(await presser_language(svc, user), refusal_key), show_alert=True)
    return None


async def member_link(update: Update, context: Context, link: DeepLink,
                      refusal_key: str) -> User | None:
    """A deep link tied to a building, opened privately: the opener if they are a member of
    that building, else one short line (a forwarded link from another group changes nothing)."""
    user = update.effective_user
    if user is None or link.building_id is None:
        return None
    if await is_member(context, link.building_id, user.id):
        return user
    svc = services(context)
    await svc.out.message(user.id, t(await presser_language(svc, user), refusal_key))
    return None
