"""Who and where an update is about: the services, the person, the reader's language."""

from __future__ import annotations

from datetime import datetime

from telegram import Chat, Update, User
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.domain.community import MemberStatus, Resident
from bot.domain.deeplinks import link_url
from bot.domain.languages import own_language, spoken
from bot.services import Services

Context = ContextTypes.DEFAULT_TYPE
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
BUILDING_LINK = "building"
"""The deep-link kind that opens the bot tied to a building (handlers.community.start)."""


def services(context: Context) -> Services:
    found = context.bot_data["services"]
    assert isinstance(found, Services)
    return found


def is_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in GROUP_TYPES


def is_person(user: User | None) -> bool:
    return user is not None and not user.is_bot


async def remember(update: Update, context: Context) -> Resident | None:
    """Record the person behind this update; a message they wrote in a group also shows they
    belong to it. A press does not: anyone who can see a public group's cards can press."""
    user = update.effective_user
    if not is_person(user) or (update.effective_message and update.effective_message.sender_chat):
        return None
    assert user is not None
    svc = services(context)
    now = svc.clock.now()
    resident = await svc.residents.seen(user.id, user.first_name, user.language_code, now,
                                        user.username)
    chat = update.effective_chat
    if is_group(chat) and chat is not None and update.callback_query is None:
        building = await svc.buildings.get(chat.id)
        if building is not None:
            membership = await svc.memberships.get(chat.id, user.id)
            if membership is None or not membership.is_current:
                await svc.memberships.set_status(chat.id, user.id, MemberStatus.MEMBER, now)
            else:
                await svc.memberships.confirm(chat.id, user.id, now)
    return resident


async def mark_departed(svc: Services, building_id: int, user: User, now: datetime) -> None:
    """Mark a resident gone and let features release what they held, once however the bot
    learns it (a service message, a member update, or Telegram's answer when asked)."""
    membership = await svc.memberships.get(building_id, user.id)
    if membership is not None and not membership.is_current:
        await svc.memberships.confirm(building_id, user.id, now)
        return
    await svc.residents.seen(user.id, user.first_name, user.language_code, now, user.username)
    await svc.memberships.set_status(building_id, user.id, MemberStatus.LEFT, now)
    await svc.run_departure_hooks(building_id, user.id, now)


def resident_language(svc: Services, resident: Resident | None) -> str:
    """The language to write to this resident in: their own (`own_language`), else the bot's
    default until they have picked one."""
    if resident is None:
        return svc.settings.language
    return own_language(resident.language, resident.telegram_language) or svc.settings.language


async def user_language(svc: Services, user_id: int) -> str:
    """The language to write to this person privately in."""
    return resident_language(svc, await svc.residents.get(user_id))


async def presser_language(svc: Services, user: User) -> str:
    """Answers to a press are seen only by the presser: in their own language, even before the
    bot has recorded them."""
    resident = await svc.residents.get(user.id)
    if resident is None:
        return spoken(user.language_code) or svc.settings.language
    return resident_language(svc, resident)


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
    if user is None:
        return svc.settings.language
    return await presser_language(svc, user)


async def building_link(svc: Services, chat_id: int) -> str:
    """The standing deep link that opens a private chat tied to this building."""
    link = await svc.deep_links.reusable(BUILDING_LINK, chat_id, "", svc.clock.now())
    return link_url(svc.bot_username, link.token)
