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
from handlers.activities.card import MEMBERS_ONLY, card_ref
from handlers.kit.buttons import parse_id
from handlers.kit.context import (
    Context,
    user_language,
)
from handlers.kit.guards import answer, is_member
from handlers.kit.press import Press, pressed_with
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


async def card_press(update: Update, context: Context) -> tuple[Press, Activity] | None:
    """The press on an activity card's button by a member, and the activity (the presser is
    recorded only once they are found to be a member)."""
    press = await Press.open(update, context)
    if press is None:
        return None
    activity = await press.card_item(press.svc.stores.activities.get, MEMBERS_ONLY)
    if activity is None:
        return None
    return await press.remembered(), activity


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


@pressed_with(card_press)
async def on_rsvp(press: Press, activity: Activity) -> None:
    svc, user, lang = press.svc, press.user, press.lang
    choice = CHOICES[press.parts[1]]
    result = await svc.stores.activities.respond(activity.id, user.id, choice, svc.clock.now())
    if result is None or result.decision is None:
        await press.tell(closed_key(result.activity if result else activity))
        return
    outcome = result.decision.outcome
    text = press_answer(lang, activity, result)
    resident = await svc.residents.get(user.id)
    reachable = resident is not None and resident.can_be_messaged
    if outcome in (RsvpOutcome.GOING, RsvpOutcome.PLUS_ONE, RsvpOutcome.WAITING) \
            and not reachable:
        text += " " + plain(lang, "activity.answer.start_for_reminder")
    await press.answer(text)
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
    press = await Press.open(update, context)
    if press is None:
        return
    svc, user_id, lang = press.svc, press.user.id, press.lang
    store = svc.stores.activities
    match = PRIVATE_DATA.match(press.data)
    activity_id = parse_id(match.group(2)) if match else None
    activity = await store.get(activity_id) if activity_id is not None else None
    if match is None or activity is None or not press.in_own_chat \
            or not await is_member(context, activity.building_id, user_id):
        # To someone outside its building the activity is as unknown as an id nothing has.
        await press.tell("error.stale_button")
        return
    action = match.group(1)
    if action == "pos":
        await show_position(update, svc, activity, user_id, lang)
        return
    choice = RsvpChoice.GOING if action == "go" else RsvpChoice.NOT_GOING
    result = await store.respond(activity.id, user_id, choice, svc.clock.now())
    if result is None or result.decision is None:
        await press.tell(closed_key(result.activity if result else activity))
        return
    await press.answer(press_answer(lang, activity, result))
    await show_position(update, svc, result.activity, user_id, lang, answered=True)
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
