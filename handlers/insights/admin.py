"""The admins' controls of who sees the group's figures: /cijfersstop lists every worker who is
proposed, let in or paused, with a button to stop each (and to turn a paused one back on);
/bezwaren sets how many objections stop a proposal.

Every press is checked again: an admin of this group, a consent of this group, still live.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.worker_consent import THRESHOLD_CHOICES, ConsentStatus, default_threshold
from bot.i18n import plain, t
from handlers.insights.consent import PREFIX, stopped, who
from handlers.insights.objections import stop_pressed
from handlers.kit.buttons import button, column, keyboard, parse_id
from handlers.kit.context import (
    Context,
    is_group,
    language_for,
    presser_language,
    remember,
    services,
)
from handlers.kit.guards import answer, group_admin, in_own_chat
from storage.insight_workers import Consent


def _stop_keyboard(lang: str, consents: list[Consent]) -> InlineKeyboardMarkup | None:
    if not consents:
        return None
    buttons = []
    for consent in consents:
        buttons.append(button(plain(lang, "workers.stop.button", name=consent.name,
                                    organisation=consent.organisation), PREFIX, "stop", consent.id))
        if consent.status is ConsentStatus.PAUSED:
            buttons.append(button(plain(lang, "workers.resume.button", name=consent.name),
                                  PREFIX, "resume", consent.id))
    return column(buttons)


async def _admin_command(update: Update, context: Context) -> tuple[int, str] | None:
    """The group and language of a group admin's command in an active building; to anyone
    else the reason is said (nothing in a group the bot does not serve), and None."""
    chat = update.effective_chat
    if chat is None:
        return None
    svc = services(context)
    await remember(update, context)
    lang = await language_for(update, context)
    if not is_group(chat):
        await svc.out.reply(update, t(lang, "workers.in_group_only"))
        return None
    building = await svc.buildings.get(chat.id)
    if building is None or not building.active:
        return None
    if not await group_admin(update, context, "workers.admin_only", lang=lang):
        return None
    return chat.id, lang


async def show_workers(update: Update, context: Context) -> None:
    asked = await _admin_command(update, context)
    if asked is None:
        return
    building_id, lang = asked
    svc = services(context)
    consents = await svc.stores.workers.live_in(building_id)
    if not consents:
        await svc.out.reply(update, t(lang, "workers.stop.none"))
        return
    await svc.out.reply(update, t(lang, "workers.stop.list"), keyboard=_stop_keyboard(lang, consents))


async def on_stop(update: Update, context: Context) -> None:
    """Stop from the group's list, or from an admin's private message."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None:
        return
    svc = services(context)
    lang = await presser_language(svc, user)
    parts = (query.data or "").split(":")
    consent_id = parse_id(parts[2]) if len(parts) == 3 else None
    if consent_id is None:
        await answer(update, plain(lang, "workers.stop.stale"), show_alert=True)
        return
    store = svc.stores.workers
    consent = await store.get(consent_id)
    if not is_group(chat):
        await stop_pressed(update, context, consent if in_own_chat(update) else None)
        return
    if not await group_admin(update, context, "workers.admin_only"):
        return
    if consent is None or not await store.stop(consent.id, chat.id, svc.clock.now()):
        await answer(update, plain(lang, "workers.stop.stale"), show_alert=True)
        return
    await answer(update, plain(lang, "workers.stop.answer"))
    group_lang = await language_for(update, context)
    remaining = await store.live_in(chat.id)
    done = t(group_lang, "workers.stop.done", **who(group_lang, consent))
    text = done if not remaining else f"{done}\n\n{t(group_lang, 'workers.stop.list')}"
    await svc.out.replace_pressed(update, text, _stop_keyboard(group_lang, remaining))
    await stopped(svc, consent, group_line=False)


# -- how many objections stop a proposal -----------------------------------------------------------


def _limit_keyboard(lang: str, default: int) -> InlineKeyboardMarkup:
    numbers = [button(str(n), PREFIX, "limit", n) for n in THRESHOLD_CHOICES]
    return keyboard(numbers, [button(plain(lang, "workers.limit.default", count=default),
                                     PREFIX, "limit", 0)])


async def show_limit(update: Update, context: Context) -> None:
    asked = await _admin_command(update, context)
    if asked is None:
        return
    building_id, lang = asked
    svc = services(context)
    default = default_threshold(await svc.memberships.count_current(building_id))
    chosen = await svc.stores.workers.chosen_threshold(building_id)
    current = t(lang, "workers.limit.chosen", count=chosen) if chosen is not None \
        else t(lang, "workers.limit.is_default", count=default)
    await svc.out.reply(update, t(lang, "workers.limit.ask", current=current),
                        keyboard=_limit_keyboard(lang, default))


async def on_limit(update: Update, context: Context) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or not is_group(chat):
        await answer(update)
        return
    if not await group_admin(update, context, "workers.admin_only"):
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    number = parse_id(parts[2]) if len(parts) == 3 else None
    if number is None or (number != 0 and number not in THRESHOLD_CHOICES):
        await answer(update)
        return
    await svc.stores.workers.choose_threshold(chat.id, number or None)
    lang = await language_for(update, context)
    count = number or default_threshold(await svc.memberships.count_current(chat.id))
    await answer(update)
    await svc.out.replace_pressed(update, t(lang, "workers.limit.done", count=count))
