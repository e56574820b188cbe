"""The admins' controls of who sees the group's figures: /cijfersstop lists every worker who is
proposed, let in or paused, with a button to stop each (and to turn a paused one back on);
/bezwaren sets how many objections stop a proposal.

Every press is checked again: an admin of this group, a consent of this group, still live.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.community import Building
from bot.domain.worker_consent import THRESHOLD_CHOICES, ConsentStatus, default_threshold
from bot.i18n import plain, t, tn
from handlers.insights.consent import PREFIX, stopped, who
from handlers.insights.objections import stop_pressed
from handlers.kit.buttons import button, column, keyboard
from handlers.kit.command import Command, for_admins
from handlers.kit.context import (
    Context,
    language_for,
)
from handlers.kit.guards import group_admin
from handlers.kit.press import Press, Speaks
from storage.insight_workers import Consent

IN_GROUP_ONLY = "workers.in_group_only"
ADMIN_ONLY = "workers.admin_only"

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


@for_admins(IN_GROUP_ONLY, ADMIN_ONLY)
async def show_workers(command: Command, building: Building) -> None:
    svc, lang, building_id, update = command.svc, command.lang, building.chat_id, command.update
    consents = await svc.stores.workers.live_in(building_id)
    if not consents:
        await svc.out.reply(update, t(lang, "workers.stop.none"))
        return
    await svc.out.reply(update, t(lang, "workers.stop.list"), keyboard=_stop_keyboard(lang, consents))


async def on_stop(update: Update, context: Context) -> None:
    """Stop from the group's list, or from an admin's private message."""
    press = await Press.open(update, context)
    if press is None or press.chat is None:
        return
    svc, chat = press.svc, press.chat
    consent_id = press.number(2, parts=3)
    if consent_id is None:
        await press.tell("workers.stop.stale", alert=True)
        return
    store = svc.stores.workers
    consent = await store.get(consent_id)
    if not press.in_group:
        await stop_pressed(press, consent if press.in_own_chat else None)
        return
    if not await group_admin(update, context, "workers.admin_only"):
        return
    if consent is None or not await store.stop(consent.id, chat.id, svc.clock.now()):
        await press.tell("workers.stop.stale", alert=True)
        return
    await press.tell("workers.stop.answer")
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


@for_admins(IN_GROUP_ONLY, ADMIN_ONLY)
async def show_limit(command: Command, building: Building) -> None:
    svc, lang, building_id, update = command.svc, command.lang, building.chat_id, command.update
    default = default_threshold(await svc.memberships.count_current(building_id))
    chosen = await svc.stores.workers.chosen_threshold(building_id)
    current = t(lang, "workers.limit.chosen", count=chosen) if chosen is not None \
        else t(lang, "workers.limit.is_default", count=default)
    await svc.out.reply(update, t(lang, "workers.limit.ask", current=current),
                        keyboard=_limit_keyboard(lang, default))


async def on_limit(update: Update, context: Context) -> None:
    press = await Press.open(update, context, Speaks.READER)
    if press is None:
        return
    if press.chat is None or not press.in_group:
        await press.answer()
        return
    if not await group_admin(update, context, "workers.admin_only"):
        return
    svc, chat_id = press.svc, press.chat.id
    number = press.number(2, parts=3)
    if number is None or (number != 0 and number not in THRESHOLD_CHOICES):
        await press.answer()
        return
    await svc.stores.workers.choose_threshold(chat_id, number or None)
    count = number or default_threshold(await svc.memberships.count_current(chat_id))
    await press.answer()
    await svc.out.replace_pressed(update, tn(press.lang, "workers.limit.done", count))
