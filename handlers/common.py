"""Small pieces every handler needs: the services, the reader's language, safe sending."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import (
    Bot,
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.domain.community import MemberStatus, Resident
from bot.domain.deeplinks import link_url
from bot.i18n import normalize_language, t
from bot.services import Services

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
ADMIN_CACHE_SECONDS = 60.0
CALLBACK_DATA_LIMIT = 64
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
PRESENT = frozenset(
    {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}
)
"""Telegram member statuses of someone who is in the group."""


def services(context: Context) -> Services:
    found = context.bot_data["services"]
    assert isinstance(found, Services)
    return found


def callback_data(*parts: object) -> str:
    """Button data: short, colon-separated ids that are checked again when pressed."""
    data = ":".join(str(part) for part in parts)
    if not 0 < len(data.encode()) <= CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data must be 1-64 bytes, got {data!r}")
    return data


def is_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in GROUP_TYPES


def is_person(user: User | None) -> bool:
    return user is not None and not user.is_bot


async def remember(update: Update, context: Context) -> Resident | None:
    """Record the person behind this update (and, in a group, that they belong to it)."""
    user = update.effective_user
    if not is_person(user) or (update.effective_message and update.effective_message.sender_chat):
        return None
    assert user is not None
    svc = services(context)
    now = svc.clock.now()
    resident = await svc.residents.seen(user.id, user.first_name, user.language_code, now)
    chat = update.effective_chat
    if is_group(chat) and chat is not None:
        building = await svc.buildings.get(chat.id)
        if building is not None:
            membership = await svc.memberships.get(chat.id, user.id)
            if membership is None or not membership.is_current:
                await svc.memberships.set_status(chat.id, user.id, MemberStatus.MEMBER, now)
    return resident


def resident_language(svc: Services, resident: Resident | None) -> str:
    if resident is None:
        return svc.settings.language
    if resident.language:
        return resident.language
    return normalize_language(resident.telegram_language, svc.settings.language)


async def user_language(svc: Services, user_id: int) -> str:
    """The language to write to this person privately in."""
    return resident_language(svc, await svc.residents.get(user_id))


async def group_language(svc: Services, chat_id: int) -> str:
    building = await svc.buildings.get(chat_id)
    return building.language if building is not None else svc.settings.language


async def language_for(update: Update, context: Context) -> str:
    """The reader's language: the group's in a group, the resident's in a private chat."""
    svc = services(context)
    chat = update.effective_chat
    if is_group(chat) and chat is not None:
        return await group_language(svc, chat.id)
    user = update.effective_user
    resident = await svc.residents.get(user.id) if user is not None else None
    if resident is None and user is not None:
        return normalize_language(user.language_code, svc.settings.language)
    return resident_language(svc, resident)


async def building_link(svc: Services, chat_id: int) -> str:
    """The standing deep link that opens a private chat tied to this building."""
    link = await svc.deep_links.reusable("building", chat_id, "", svc.clock.now())
    return link_url(svc.bot_username, link.token)


async def send_private(
    context: Context,
    user_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    fallback_chat_id: int | None = None,
    fallback_name: str = "",
    deep_link: str | None = None,
) -> Message | None:
    """Write to a resident privately. If Telegram refuses (they never opened the bot, or blocked
    it), post one short line in the group with a link to open the bot, never fail silently."""
    svc = services(context)
    try:
        return await context.bot.send_message(user_id, text, reply_markup=reply_markup)
    except Forbidden:
        await svc.residents.mark_unreachable(user_id)
        if fallback_chat_id is None:
            log.info("a private message could not be delivered (no group to fall back to)")
            return None
    lang = await group_language(svc, fallback_chat_id)
    url = deep_link or await building_link(svc, fallback_chat_id)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "button.open_private"), url=url)]]
    )
    await context.bot.send_message(
        fallback_chat_id, t(lang, "private.need_start", name=fallback_name), reply_markup=keyboard
    )
    return None


async def send_prompt(
    bot: Bot, svc: Services, user_id: int, kind: str, text: str,
    *, reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """A scheduled private prompt (reminder, follow-up): sent only if the resident allows this
    kind now (mutes, long absence); never falls back to the group."""
    if not await svc.may_prompt(user_id, kind, svc.clock.now()):
        return None
    try:
        return await bot.send_message(user_id, text, reply_markup=reply_markup)
    except Forbidden:
        await svc.residents.mark_unreachable(user_id)
        return None


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


async def is_current_member(svc: Services, building_id: int, user_id: int) -> bool:
    """Only current members of an active building may act on its cards; people who left may not."""
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
    await svc.residents.seen(user_id, member.user.first_name, member.user.language_code, now)
    await svc.memberships.set_status(building_id, user_id, MemberStatus.MEMBER, now)
    return True


async def answer(update: Update, text: str | None = None, **kwargs: Any) -> None:
    """Answer a button press; Telegram shows a text of at most 200 characters."""
    query = update.callback_query
    if query is not None:
        await query.answer(text[:200] if text else None, **kwargs)
