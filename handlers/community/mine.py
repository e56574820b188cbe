"""/mijn (/mine), "Mijn dingen": everything running for a resident, in one private view.

Their open requests and the requests they help with, the activities they organise (with the
organiser's controls), their answers to coming activities (a waiting-list place with its
number), their regular neighbours and open wishes: each as a short
message with the buttons it has elsewhere, so a resident never has to scroll back to find them.
The buttons are the features' own; this view only gathers them.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.dates_text import clock_text
from bot.domain.activities import Activity
from bot.domain.activity_rsvps import RsvpStatus
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers.activities.card import counts_text
from handlers.activities.controls import send_controls
from handlers.community.menu import home_keyboard
from handlers.kit.buttons import button, keyboard
from handlers.kit.command import Command
from handlers.kit.context import (
    BUILDING_LINK,
    Context,
    resident_language,
)
from handlers.pairing.commands import own_pairings
from handlers.requests.helping import own_requests
from handlers.requests.texts import date_text

MAX_SHOWN = 15
"""Things shown at once; more than this is rare and would only flood the chat."""

Shown = tuple[str, InlineKeyboardMarkup | None]


def activity_when(lang: str, svc: Services, activity: Activity) -> str:
    zone = svc.settings.zone
    return t(lang, "request.when.at", date=Safe(date_text(lang, activity.starts_at, zone)),
             time=clock_text(lang, activity.starts_at.astimezone(zone)))


async def own_activities(svc: Services, user_id: int, lang: str) -> list[tuple[Activity, str]]:
    """Coming activities the resident organises, with how many come (shown with the controls
    to change it, see who comes, hand it over or call it off)."""
    store = svc.stores.activities
    shown: list[tuple[Activity, str]] = []
    for activity in await store.organised_by(user_id, svc.clock.now()):
        counts = Safe(counts_text(lang, activity, await store.counts(activity.id)))
        shown.append((activity, t(lang, "mine.activity.organising", title=activity.title,
                                  when=Safe(activity_when(lang, svc, activity)), counts=counts)))
    return shown


async def own_answers(svc: Services, user_id: int, lang: str) -> list[Shown]:
    """Coming activities the resident answered: "Toch niet" for each, "Ik kom" for a maybe,
    and a waiting-list place with its number."""
    shown: list[Shown] = []
    store = svc.stores.activities
    for activity, rsvp in await store.answered_by(user_id, svc.clock.now()):
        what = dict(title=activity.title, when=Safe(activity_when(lang, svc, activity)))
        no = button(plain(lang, "activity.button.no"), "act", "no", activity.id)
        if rsvp.status is RsvpStatus.WAITING:
            place = await store.waiting_position(activity.id, user_id) or 1
            text = t(lang, "mine.activity.waiting", position=place, **what)
            no = button(plain(lang, "mine.button.leave_waiting"), "act", "no", activity.id)
            shown.append((text, keyboard([no])))
        elif rsvp.status is RsvpStatus.MAYBE:
            going = button(plain(lang, "activity.button.going"), "act", "go", activity.id)
            shown.append((t(lang, "mine.activity.maybe", **what), keyboard([going, no])))
        else:
            key = "mine.activity.going_with_guest" if rsvp.guests else "mine.activity.going"
            shown.append((t(lang, key, **what), keyboard([no])))
    return shown


async def show_mine_to(svc: Services, user_id: int, lang: str) -> None:
    requests = await own_requests(svc, user_id, lang)
    organised = await own_activities(svc, user_id, lang)
    rest = await own_answers(svc, user_id, lang)
    rest += [(line, keyboard([stop])) for line, stop in await own_pairings(svc, user_id, lang)]
    if not (requests or organised or rest):
        await svc.out.message(user_id, t(lang, "mine.nothing"), keyboard=home_keyboard(lang))
        return
    await svc.out.message(user_id, t(lang, "mine.title"))
    for text, buttons in requests[:MAX_SHOWN]:
        await svc.out.message(user_id, text, keyboard=buttons)
    left = max(0, MAX_SHOWN - len(requests))
    for activity, text in organised[:left]:
        await send_controls(svc, activity, user_id, lang, text)
    for text, buttons in rest[:max(0, left - len(organised))]:
        await svc.out.message(user_id, text, keyboard=buttons)


async def show_mine(update: Update, context: Context) -> None:
    """/mijn: privately, the view; in a group, one line that points to the private chat."""
    command = await Command.open(update, context)
    if command is None:
        return
    if command.in_group:
        await command.go_private(BUILDING_LINK, "mine.go_private")
        return
    await show_mine_to(command.svc, command.user.id,
                       resident_language(command.svc, command.resident))
