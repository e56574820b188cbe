"""Activities organised by residents: made in a private flow, shown as a card in the group with
answers and a waiting list, private answer buttons, a calendar file, reminders, changes, the
look-back that asks who came, hand-over of any activity, and the gentle word when a series
fades."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.services import Services
from handlers.activities.calendar import CALENDAR_LINK, on_calendar, open_calendar_link
from handlers.activities.card import ACTIVITY_CARD, REPORT_KIND, ActivityCards
from handlers.activities.commands import COMMANDS, NEW_LINK, on_command, open_new_link
from handlers.activities.controls import CONTROLS, ControlsMessages
from handlers.activities.data import ActivityData
from handlers.activities.feedback import on_help_next, on_rating
from handlers.activities.flow import ActivityFlow, on_flow_button
from handlers.activities.hosting import HOST_CARD, HostCards, on_host_decision, on_host_offer
from handlers.activities.jobs import Jobs
from handlers.activities.manage import on_fading, on_manage
from handlers.activities.rsvp import on_private_answer, on_rsvp
from handlers.activities.schedule import recover, repost_after_move

__all__ = ["COMMANDS", "register"]

RECOVER_AFTER = 0.2
"""Seconds after start-up before cards left behind by a stop are seen to."""


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.cards.register(ACTIVITY_CARD, ActivityCards(svc))
    svc.cards.register(HOST_CARD, HostCards(svc))
    svc.cards.register(CONTROLS, ControlsMessages(svc))
    svc.flows.register(ActivityFlow(svc))
    Jobs(svc).register()
    data = ActivityData(svc)
    svc.personal_data.append(data)
    svc.reportables[REPORT_KIND] = data
    svc.digest_sources.append(data.digest)
    svc.activity_probes.append(data.last_activity)
    svc.departure_hooks.append(data.departed)
    svc.move_hooks.append(lambda building_id: repost_after_move(svc, building_id))
    svc.link_routes[NEW_LINK] = open_new_link
    svc.link_routes[CALENDAR_LINK] = open_calendar_link

    app.add_handler(CommandHandler(["activiteit", "activity"], on_command))
    app.add_handler(CallbackQueryHandler(on_rsvp, pattern=r"^act:(go|maybe|plus|no):\d+$"))
    app.add_handler(CallbackQueryHandler(on_private_answer, pattern=r"^actp:"))
    app.add_handler(CallbackQueryHandler(on_calendar, pattern=r"^act:ics:\d+$"))
    app.add_handler(CallbackQueryHandler(on_host_offer, pattern=r"^act:host:\d+$"))
    app.add_handler(CallbackQueryHandler(on_host_decision, pattern=r"^act:host(ok|no):\d+$"))
    app.add_handler(CallbackQueryHandler(on_rating, pattern=r"^act:rate:"))
    app.add_handler(CallbackQueryHandler(on_help_next, pattern=r"^act:help:"))
    app.add_handler(CallbackQueryHandler(on_flow_button, pattern=r"^actf:"))
    app.add_handler(CallbackQueryHandler(on_manage, pattern=r"^actm:"))
    app.add_handler(CallbackQueryHandler(on_fading, pattern=r"^actfade:"))

    started = svc.clock.now()

    async def on_start(context: ContextTypes.DEFAULT_TYPE) -> None:
        await recover(svc, started)

    if app.job_queue is not None:
        app.job_queue.run_once(on_start, when=RECOVER_AFTER, name="activities:recover")
