"""Who may do what: asked at the moment of the action, answered in one short line when not.

Every press and command is checked again when it arrives; these are the checks features share.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from telegram import ChatMember, Update, User
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.domain.community import MemberStatus
from bot.domain.deeplinks import DeepLink
from bot.i18n import plain, t
from bot.press_answers import hold, send_answer
from bot.services import Services
from handlers.kit.context import Context, is_group, mark_departed, presser_language, services

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 60.0
ANSWER_LIMIT = 200
MAX_BUILDINGS_ASKED = 25
"""A resident the bot knows in no building is looked for in at most this many: a deployment
with more buildings is not searched (that would cost a call to Telegram for each)."""
PRESENT = frozenset(
    {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}
)
"""Telegram member statuses of someone who is in the group."""


async def answer(update: Update, text: str | None = None, **kwargs: Any) -> None:
    """Answer a button press directly (it has a deadline), right after the update's transaction
    (`bot.press_answers`); Telegram shows at most 200 characters."""
    query = update.callback_query
    if query is None:
        return
    call = partial(query.answer, text[:ANSWER_LIMIT] if text else None, **kwargs)
    if not hold(call):
        await send_answer(call)


def in_own_chat(update: Update) -> bool:
    """A private button counts only in the presser's own chat with the bot. A modified client
    can send any button data on any message it names: pressed on a group message (or on another
    person's), a private button would have its answer replace that message there."""
    query, user = update.callback_query, update.effective_user
    message = query.message if query is not None else None
    return user is not None and message is not None and message.chat.id == user.id


def on_own_ground(update: Update, building_id: int) -> bool:
    """A button that may sit on the building's group card or in the presser's own chat: pressed
    on any other message it is no button of theirs."""
    query, user = update.callback_query, update.effective_user
    message = query.message if query is not None else None
    return user is not None and message is not None \
        and message.chat.id in (building_id, user.id)


async def admin_now(context: Context, chat_id: int, user_id: int) -> bool:
    """Asked of Telegram at this moment, never taken from the cache: for anything destructive
    or privacy-changing (erasing the group, inviting or stopping a community worker, hiding a
    card, the group's language and settings). A demoted admin is refused at once, even when the
    bot, not an admin itself, hears nothing of the demotion. The answer refreshes the cache."""
    svc = services(context)
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except (BadRequest, Forbidden, ChatMigrated):
        svc.admin_cache.pop((chat_id, user_id), None)
        return False
    admin = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    svc.admin_cache[(chat_id, user_id)] = (time.monotonic(), admin)
    return admin


async def is_group_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """For what only shows or lists things: asked of Telegram, cached for a minute, and dropped
    as soon as a member update about the person arrives (see `forget_admin`)."""
    cached = services(context).admin_cache.get((chat_id, user_id))
    if cached is not None and time.monotonic() - cached[0] < ADMIN_CACHE_SECONDS:
        return cached[1]
    return await admin_now(context, chat_id, user_id)


def forget_admin(svc: Services, chat_id: int, user_id: int | None = None) -> None:
    """A member update about this person (or, without one, about the whole group): what was
    cached about their rights there no longer counts."""
    for key in [key for key in svc.admin_cache
                if key[0] == chat_id and (user_id is None or key[1] == user_id)]:
        del svc.admin_cache[key]


async def group_admin(update: Update, context: Context, refusal_key: str, *,
                      lang: str | None = None) -> bool:
    """A group command (or a press on its menu) for admins only, asked of Telegram now: True
    for an admin, else one short reply (or, for a press, an alert) in the reader's language."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or not is_group(chat):
        return False
    if await admin_now(context, chat.id, user.id):
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


async def is_member(context: Context, building_id: int, user_id: int) -> bool:
    """May this person act on the building's cards? Our records decide while Telegram's last word
    on them is recent (joins and leaves arrive as service messages and member updates); for
    anyone else, and for records that are unknown (the bot was away) or older than
    `MEMBERSHIP_TRUSTED_FOR`, Telegram is asked and the answer recorded. Someone found gone is
    marked departed, as if the bot had seen them leave."""
    svc = services(context)
    building = await svc.buildings.get(building_id)
    if building is None or not building.active:
        return False
    now = svc.clock.now()
    membership = await svc.memberships.get(building_id, user_id)
    if membership is not None and not membership.needs_check(now):
        return membership.is_current
    try:
        member = await context.bot.get_chat_member(building_id, user_id)
    except TelegramError:
        return False
    if member.status in PRESENT:
        await svc.residents.seen(user_id, member.user.first_name, member.user.language_code, now,
                                 member.user.username)
        await svc.memberships.set_status(building_id, user_id, MemberStatus.MEMBER, now)
        return True
    if membership is not None:
        await mark_departed(svc, building_id, member.user, now)
    return False


async def knows_of(context: Context, building_id: int, user_id: int, *parties: int | None) -> bool:
    """May the presser learn that a thing exists? Those it concerns may (the people its buttons
    were sent to), and the members of its building (`is_member`). Anyone else must get the very
    answer an id that nothing has gets, so nobody counts through another building's things or
    hears a name from them."""
    return user_id in parties or await is_member(context, building_id, user_id)


async def member_buildings(context: Context, user_id: int) -> list[int]:
    """The active buildings this person is in, each checked as `is_member` does (a record from
    before the bot was away from a group is asked of Telegram first)."""
    candidates = await services(context).memberships.buildings_of(user_id)
    return [building_id for building_id in candidates
            if await is_member(context, building_id, user_id)]


async def resident_buildings(context: Context, user_id: int) -> list[int]:
    """The buildings this resident lives in: from our records, else by asking Telegram whether
    they are in each building's group (recorded when they are), so a plain /start in the
    private chat is enough to begin."""
    svc = services(context)
    known = await svc.memberships.buildings_of(user_id)
    if known:
        return known
    active = await svc.buildings.active()
    if len(active) > MAX_BUILDINGS_ASKED:
        return []
    return [building.chat_id for building in active
            if await is_member(context, building.chat_id, user_id)]


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
