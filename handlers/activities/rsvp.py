"""Answers to an activity: on the card (Ik kom, Misschien, Ik neem iemand mee, Toch niet) and
privately, with the buttons under a reminder, a notice or a waiting-list place.

The card shows counts, never names. A place on the waiting list is told privately with buttons
(not only in a pop-up that disappears). When a place comes free, the first on the waiting list
is going now and hears it privately (or, if the bot cannot write to them, by a line in the
group).
"""

from __future__ import annotations

import re

from telegram import Update

from bot.domain.activities import (
    Activity,
    ActivityStatus,
    RsvpChoice,
    RsvpOutcome,
    RsvpStatus,
    waiting_position,
)
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.answers import answer_keyboard, status_text
from handlers.activities.card import card_ref, pressed_on_card
from handlers.kit.buttons import parse_id
from handlers.kit.context import (
    Context,
    presser_language,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.guards import answer, in_own_chat, is_member
from handlers.kit.reach import need_start_line
from storage.activities import RsvpResult, Withdrawal

CHOICES = {"go": RsvpChoice.GOING, "plus": RsvpChoice.PLUS_ONE, "maybe": RsvpChoice.MAYBE,
           "no": RsvpChoice.NOT_GOING}
PRIVATE_DATA = re.compile(r"^actp:(go|no|pos):(\d{1,18})$")


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


def press_answer(lang: str, activity: Activity, result: RsvpResult) -> str:
    """The short answer to a press that changed (or kept) the resident's answer."""
    assert result.decision is not None
    outcome = result.decision.outcome
    if outcome is RsvpOutcome.WAITING:
        return plain(lang, "activity.answer.waiting", position=result.waiting_position or 1)
    return plain(lang, f"activity.answer.{outcome.value}", title=activity.title)


async def after_answer(svc: Services, result: RsvpResult) -> None:
    """The card follows, and whoever moved up from the waiting list hears it."""
    assert result.decision is not None
    if result.decision.changed:
        await svc.cards.refresh(card_ref(result.activity.id))
    if result.decision.promoted:
        await tell_promoted(svc, result.activity, [r.user_id for r in result.decision.promoted])


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
    outcome = result.decision.outcome
    text = press_answer(lang, activity, result)
    resident = await svc.residents.get(user.id)
    reachable = resident is not None and resident.can_be_messaged
    if outcome in (RsvpOutcome.GOING, RsvpOutcome.PLUS_ONE, RsvpOutcome.WAITING) \
            and not reachable:
        text += " " + plain(lang, "activity.answer.start_for_reminder")
    await answer(update, text)
    if outcome is RsvpOutcome.WAITING and reachable and result.decision.mine is not None:
        await tell_waiting(svc, activity, user.id, result.waiting_position)
    await after_answer(svc, result)


async def tell_waiting(svc: Services, activity: Activity, user_id: int,
                       position: int | None) -> None:
    """A place on the waiting list, as a message that stays, with its buttons."""
    lang = await user_language(svc, user_id)
    await svc.out.private(user_id, status_text(lang, svc, activity, RsvpStatus.WAITING, position),
                          keyboard=answer_keyboard(lang, activity, RsvpStatus.WAITING))


async def on_private_answer(update: Update, context: Context) -> None:
    """A private answer button (under a reminder, a notice or a waiting-list place): the same
    answer as on the card, for the presser themselves; the message then says where they
    stand, with the buttons that fit."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    store = svc.stores.activities
    lang = await presser_language(svc, user)
    match = PRIVATE_DATA.match(query.data or "")
    activity_id = parse_id(match.group(2)) if match else None
    activity = await store.get(activity_id) if activity_id is not None else None
    if match is None or activity is None or not in_own_chat(update) \
            or not await is_member(context, activity.building_id, user.id):
        # To someone outside its building the activity is as unknown as an id nothing has.
        await answer(update, plain(lang, "error.stale_button"))
        return
    action = match.group(1)
    if action == "pos":
        await show_position(update, svc, activity, user.id, lang)
        return
    choice = RsvpChoice.GOING if action == "go" else RsvpChoice.NOT_GOING
    result = await store.respond(activity.id, user.id, choice, svc.clock.now())
    if result is None or result.decision is None:
        await answer(update, plain(lang, closed_key(result.activity if result else activity)))
        return
    await answer(update, press_answer(lang, activity, result))
    await show_position(update, svc, result.activity, user.id, lang, answered=True)
    await after_answer(svc, result)


async def show_position(update: Update, svc: Services, activity: Activity, user_id: int,
                        lang: str, *, answered: bool = False) -> None:
    """In place of the pressed message: where the resident stands now, with its buttons."""
    rsvps = await svc.stores.activities.rsvps(activity.id)
    mine = next((r for r in rsvps if r.user_id == user_id), None)
    status = mine.status if mine is not None else RsvpStatus.NOT_GOING
    position = waiting_position(rsvps, user_id)
    if not answered:
        await answer(update, plain(lang, "activity.answer.position", position=position)
                     if position is not None else None)
    await svc.out.replace_pressed(update, status_text(lang, svc, activity, status, position),
                                  answer_keyboard(lang, activity, status))


async def tell_promoted(svc: Services, activity: Activity, user_ids: list[int]) -> None:
    """A place came free: the first on the waiting list is going now, and hears it privately
    (with the button to say they cannot after all), or by a line under the card when the bot
    cannot write to them."""
    for user_id in user_ids:
        lang = await user_language(svc, user_id)
        text = status_text(lang, svc, activity, RsvpStatus.GOING)
        fallback = await need_start_line(
            svc, activity.building_id, user_id, key="activity.promoted_in_group",
            reply_to_card=card_ref(activity.id), title=activity.title)
        await svc.out.private(
            user_id, t(lang, "activity.promoted_lead") + "\n" + text,
            keyboard=answer_keyboard(lang, activity, RsvpStatus.GOING), fallback=fallback)


async def after_withdrawals(svc: Services, withdrawals: list[Withdrawal]) -> None:
    """Answers taken back (a resident left, or was forgotten): the cards change, and whoever
    moved up from the waiting list hears it."""
    for withdrawal in withdrawals:
        await svc.cards.refresh(card_ref(withdrawal.activity_id))
        if withdrawal.promoted:
            activity = await svc.stores.activities.get(withdrawal.activity_id)
            if activity is not None:
                await tell_promoted(svc, activity, withdrawal.promoted)
