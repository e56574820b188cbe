"""Activities organised by residents: made in a private flow, shown as a card in the group with
answers and a waiting list, private answer buttons, a calendar file, reminders, changes, the
look-back that asks who came, hand-over of any activity, and the gentle word when a series
fades."""

from __future__ import annotations

from functools import partial

from telegram.ext import Application, CommandHandler, ContextTypes

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
from handlers.kit.at_start import run_at_start
from handlers.kit.press import route_presses

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
    svc.add_card_feature(REPORT_KIND, data, partial(repost_after_move, svc))
    svc.digest_sources.append(data.digest)
    svc.link_routes.update({
        NEW_LINK: open_new_link,
        CALENDAR_LINK: open_calendar_link,
    })

    app.add_handler(CommandHandler(["activiteit", "activity"], on_command))
    route_presses(app, {
        r"^act:(go|maybe|plus|no):\d+$": on_rsvp,
        r"^actp:": on_private_answer,
        r"^act:ics:\d+$": on_calendar,
        r"^act:host:\d+$": on_host_offer,
        r"^act:host(ok|no):\d+$": on_host_decision,
        r"^act:rate:": on_rating,
        r"^act:help:": on_help_next,
        r"^actf:": on_flow_button,
        r"^actm:": on_manage,
        r"^actfade:": on_fading,
    })

    started = svc.clock.now()

    async def on_start(context: ContextTypes.DEFAULT_TYPE) -> None:
        await recover(svc, started)

    run_at_start(app, on_start, after=RECOVER_AFTER, name="activities:recover")
