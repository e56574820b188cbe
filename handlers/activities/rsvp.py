"""Answers on the card: Ik kom, Misschien, Ik neem iemand mee, Toch niet, with a waiting list.

The card shows counts, never names. When a place comes free, the first on the waiting list is
going now and hears it privately (or, if the bot cannot write to them, by a line in the group).
"""

from __future__ import annotations

from telegram import Update

from bot.domain.activities import Activity, ActivityStatus, RsvpChoice, RsvpOutcome
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.card import card_link_keyboard, card_ref, pressed_on_card, when_text
from handlers.kit.context import (
    Context,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.guards import answer
from handlers.kit.reach import need_start_line
from storage.activities import Withdrawal

CHOICES = {"go": RsvpChoice.GOING, "plus": RsvpChoice.PLUS_ONE, "maybe": RsvpChoice.MAYBE,
           "no": RsvpChoice.NOT_GOING}


def closed_key(activity: Activity) -> str:
    """The press answer once an activity takes no more answers."""
    if activity.status is ActivityStatus.CANCELLED:
        return "activity.answer.cancelled"
    return "activity.answer.closed"


async def card_press(update: Update, context: Context) -> tuple[Activity, str] | None:
    """The activity behind a card button pressed in its own group by a member, and the
    presser's language."""
    svc = services(context)
    activity = await pressed_on_card(update, context, svc.stores.activities.get)
    if activity is None:
        return None
    return activity, resident_language(svc, await remember(update, context))


async def on_rsvp(update: Update, context: Context) -> None:
    found = await card_press(update, context)
    query, user = update.callback_query, update.effective_user
    if found is None or query is None or query.data is None or user is None:
        return
    activity, lang = found
    svc = services(context)
    choice = CHOICES[query.data.split(":")[1]]
    result = await svc.stores.activities.respond(activity.id, user.id, choice, svc.clock.now())
    if result is None or result.decision is None:
        await answer(update, plain(lang, closed_key(result.activity if result else activity)))
        return
    decision = result.decision
    outcome = decision.outcome
    if outcome is RsvpOutcome.WAITING:
        text = plain(lang, "activity.answer.waiting", position=result.waiting_position or 1)
    else:
        text = plain(lang, f"activity.answer.{outcome.value}", title=activity.title)
    resident = await svc.residents.get(user.id)
    if outcome in (RsvpOutcome.GOING, RsvpOutcome.PLUS_ONE) and not (
        resident and resident.can_be_messaged
    ):
        text += " " + plain(lang, "activity.answer.start_for_reminder")
    await answer(update, text)
    if decision.changed:
        await svc.cards.refresh(card_ref(activity.id))
    if decision.promoted:
        await tell_promoted(svc, result.activity, [r.user_id for r in decision.promoted])


async def tell_promoted(svc: Services, activity: Activity, user_ids: list[int]) -> None:
    """A place came free: the first on the waiting list is going now, and hears it privately,
    or by a line under the card when the bot cannot write to them."""
    for user_id in user_ids:
        lang = await user_language(svc, user_id)
        text = t(lang, "activity.promoted", title=activity.title,
                 when=when_text(lang, svc, activity), place=activity.place)
        fallback = await need_start_line(
            svc, activity.building_id, user_id, key="activity.promoted_in_group",
            reply_to_card=card_ref(activity.id), title=activity.title)
        await svc.out.private(user_id, text, keyboard=card_link_keyboard(lang, activity),
                              fallback=fallback)


async def after_withdrawals(svc: Services, withdrawals: list[Withdrawal]) -> None:
    """Answers taken back (a resident left, or was forgotten): the cards change, and whoever
    moved up from the waiting list hears it."""
    for withdrawal in withdrawals:
        await svc.cards.refresh(card_ref(withdrawal.activity_id))
        if withdrawal.promoted:
            activity = await svc.stores.activities.get(withdrawal.activity_id)
            if activity is not None:
                await tell_promoted(svc, activity, withdrawal.promoted)
