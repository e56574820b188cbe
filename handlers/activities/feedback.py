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
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, user_language
from handlers.kit.press import Press

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


async def answered(update: Update, context: Context, choices: tuple[str, ...],
                   ) -> tuple[Press, Activity, str] | None:
    """A look-back button (`act:<question>:<activity>:<answer>`): the press, the activity and
    the answer, or None after the stale answer. Only someone who was asked, in their own chat,
    gets further: to anyone else the activity is as gone as an id nothing has, so they learn
    neither its organiser's name nor which activities exist."""
    press = await Press.open(update, context)
    if press is None:
        return None
    activity_id = press.number(2, parts=4)
    said = press.parts[-1]
    store = press.svc.stores.activities
    activity = None
    if activity_id is not None and said in choices and press.in_own_chat \
            and await store.was_asked(activity_id, press.user.id):
        activity = await store.get(activity_id)
    if activity is None:
        await press.tell("error.stale_button")
        return None
    return press, activity, said


async def on_rating(update: Update, context: Context) -> None:
    found = await answered(update, context, (*RATINGS, ABSENT))
    if found is None:
        return
    press, activity, rating = found
    svc, user, lang = press.svc, press.user, press.lang
    store, now = svc.stores.activities, svc.clock.now()
    there = 0 if rating == ABSENT else await people_there(svc, activity, user.id)
    if not await store.say_came(activity.id, user.id, there, now):
        await press.tell("error.stale_button")
        return
    if rating != ABSENT:
        await store.rate(activity.id, user.id, rating, now)
    await press.answer()
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
    found = await answered(update, context, ("y", "n"))
    if found is None:
        return
    press, activity, said = found
    svc, user, lang = press.svc, press.user, press.lang
    yes = said == "y"
    first_time = await svc.stores.activities.answer_help(activity.id, user.id, yes,
                                                         svc.clock.now())
    await press.answer()
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
