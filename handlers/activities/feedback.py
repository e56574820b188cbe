"""The look-back after an activity: the group is thanked, and the organiser and those who came
are asked privately how it was and whether they would help next time."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Update

from bot.domain.activities import Activity
from bot.domain.text import display_name
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.card import organiser_label
from handlers.activities.hosting import thank_the_group
from handlers.activities.reach import tell
from handlers.kit.buttons import button, keyboard, parse_id
from handlers.kit.context import Context, presser_language, services, user_language
from handlers.kit.guards import answer

PROMPT_KIND = "activity"
"""The kind of private prompt residents can mute (see /meldingen)."""
RATINGS = ("good", "okay", "bad")


def rating_keyboard(lang: str, activity_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, f"activity.lookback.{rating}"), "act", "rate",
                            activity_id, rating) for rating in RATINGS])


def help_keyboard(lang: str, activity_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "activity.lookback.help_yes"), "act", "help", activity_id, "y"),
                     button(plain(lang, "activity.lookback.help_no"), "act", "help", activity_id, "n")])


async def look_back(svc: Services, activity: Activity, now: datetime) -> None:
    """Thank the group (a number, no names), ask who hosts next time for a series, and ask the
    organiser and those who came how it was (once each)."""
    store = svc.stores.activities
    if (activity.came_count or 0) > 0:
        await thank_the_group(svc, activity)
    people = await store.came(activity.id)
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


async def on_rating(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    lang = await presser_language(svc, user)
    parts = query.data.split(":")
    activity_id = parse_id(parts[2]) if len(parts) == 4 else None
    if activity_id is None or parts[3] not in RATINGS:
        await answer(update, plain(lang, "error.stale_button"))
        return
    if not await svc.stores.activities.rate(activity_id, user.id, parts[3], svc.clock.now()):
        await answer(update, plain(lang, "error.not_yours"))
        return
    await answer(update)
    await svc.out.replace_pressed(update, t(lang, "activity.lookback.thanks"),
                                  help_keyboard(lang, activity_id))


async def on_help_next(update: Update, context: Context) -> None:
    """"Would you help next time?": the organiser hears privately who would, once."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    store = svc.stores.activities
    lang = await presser_language(svc, user)
    parts = query.data.split(":")
    activity_id = parse_id(parts[2]) if len(parts) == 4 else None
    activity = await store.get(activity_id) if activity_id is not None else None
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
