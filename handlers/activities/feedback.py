"""The look-back after an activity: the group is thanked (no number), and the organiser and
those who said they would come are asked privately whether they were there and how it was.

Who came is what they say, not what they answered before: the card counts those who said they
were there (never a public zero). The answer to "how was it" fits the answer: only "Fijn" is
followed by the question whether they would help next time.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Update

from bot.domain.activities import Activity
from bot.domain.text import display_name
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.card import card_ref, organiser_label
from handlers.activities.hosting import thank_the_group
from handlers.activities.reach import tell
from handlers.kit.buttons import button, keyboard, parse_id
from handlers.kit.context import Context, presser_language, services, user_language
from handlers.kit.guards import answer, in_own_chat

PROMPT_KIND = "activity"
"""The kind of private prompt residents can mute (see /meldingen)."""
RATINGS = ("good", "okay", "bad")
ABSENT = "away"
"""The look-back's "I was not there" button."""


def rating_keyboard(lang: str, activity_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, f"activity.lookback.{rating}"), "act", "rate",
                            activity_id, rating) for rating in RATINGS],
                    [button(plain(lang, "activity.lookback.away"), "act", "rate", activity_id,
                            ABSENT)])


def help_keyboard(lang: str, activity_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "activity.lookback.help_yes"), "act", "help", activity_id, "y"),
                     button(plain(lang, "activity.lookback.help_no"), "act", "help", activity_id, "n")])


async def look_back(svc: Services, activity: Activity, now: datetime) -> None:
    """Thank the group when someone meant to come (for a series, ask who hosts next time), and
    ask the organiser and those who said they would come whether they were there and how it
    was (once each)."""
    store = svc.stores.activities
    people = await store.came(activity.id)
    if people:
        await thank_the_group(svc, activity)
    if activity.organiser_id is not None and activity.organiser_id not in people:
        people.insert(0, activity.organiser_id)
    for user_id in people:
        if not await store.ask_feedback(activity, user_id, now):
            continue
        lang = await user_language(svc, user_id)
        await svc.out.prompt(user_id, PROMPT_KIND,
                             t(lang, "activity.lookback.question", title=activity.title),
                             keyboard=rating_keyboard(lang, activity.id),
                             key=f"act.lookback:{activity.id}:{user_id}")


async def people_there(svc: Services, activity: Activity, user_id: int) -> int:
    """One who says they were there counts with the neighbour they said they would bring."""
    mine = next((r for r in await svc.stores.activities.rsvps(activity.id)
                 if r.user_id == user_id), None)
    return 1 + (mine.guests if mine is not None else 0)


async def asked(update: Update, svc: Services, activity_id: int, user_id: int) -> Activity | None:
    """The activity behind a look-back button, pressed in the presser's own chat by someone who
    was asked. To anyone else it is as gone as an id nothing has, so they learn neither its
    organiser's name nor which activities exist."""
    if not in_own_chat(update) or not await svc.stores.activities.was_asked(activity_id, user_id):
        return None
    return await svc.stores.activities.get(activity_id)


async def on_rating(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    store, now = svc.stores.activities, svc.clock.now()
    lang = await presser_language(svc, user)
    parts = query.data.split(":")
    activity = None
    activity_id = parse_id(parts[2]) if len(parts) == 4 else None
    if activity_id is not None and parts[3] in (*RATINGS, ABSENT):
        activity = await asked(update, svc, activity_id, user.id)
    if activity is None:
        await answer(update, plain(lang, "error.stale_button"))
        return
    rating = parts[3]
    there = 0 if rating == ABSENT else await people_there(svc, activity, user.id)
    if not await store.say_came(activity.id, user.id, there, now):
        await answer(update, plain(lang, "error.stale_button"))
        return
    if rating != ABSENT:
        await store.rate(activity.id, user.id, rating, now)
    await answer(update)
    await svc.cards.refresh(card_ref(activity.id))
    organiser = organiser_label(lang, activity.organiser_name)
    if rating == "good":
        await svc.out.replace_pressed(update, t(lang, "activity.lookback.thanks"),
                                      help_keyboard(lang, activity.id))
        return
    key = ("activity.lookback.thanks_away" if rating == ABSENT
           else f"activity.lookback.thanks_{rating}")
    if activity.organiser_id == user.id and rating != ABSENT:
        key = "activity.lookback.thanks_organiser"
    await svc.out.replace_pressed(update, t(lang, key, organiser=organiser))


async def on_help_next(update: Update, context: Context) -> None:
    """"Would you help next time?": the organiser hears privately who would, once."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    store = svc.stores.activities
    lang = await presser_language(svc, user)
    parts = query.data.split(":")
    activity_id = parse_id(parts[2]) if len(parts) == 4 and parts[3] in ("y", "n") else None
    activity = await asked(update, svc, activity_id, user.id) if activity_id is not None else None
    if activity is None:
        await answer(update, plain(lang, "error.stale_button"))
        return
    yes = parts[3] == "y"
    first_time = await store.answer_help(activity.id, user.id, yes, svc.clock.now())
    await answer(update)
    is_organiser = activity.organiser_id == user.id
    if yes and is_organiser:
        key = "activity.lookback.organise_again"
    elif yes:
        key = "activity.lookback.help_noted"
    else:
        key = "activity.lookback.no_thanks"
    await svc.out.replace_pressed(
        update, t(lang, key, organiser=organiser_label(lang, activity.organiser_name)))
    if yes and first_time and not is_organiser and activity.organiser_id is not None:
        await tell(svc, activity.organiser_id, "activity.lookback.helper", name=display_name(user.first_name),
                   title=activity.title)
