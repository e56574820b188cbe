"""Ideas: a resident proposes something to do together; neighbours tap "Doe mee"; at five the
proposer is invited privately to turn it into an activity, with a draft already filled in.

The card shows how many joined, never who: only the proposer learns the names, once the idea
has become an activity.
"""

from __future__ import annotations

from functools import partial

from telegram.ext import Application, CommandHandler, ContextTypes

from bot.services import Services
from handlers.activities.from_idea import IDEA_CARD
from handlers.ideas.card import REPORT_KIND, IdeaCards, recover, repost_after_move
from handlers.ideas.commands import COMMANDS, NEW_LINK, on_command, open_new_link
from handlers.ideas.data import IdeaData
from handlers.ideas.flow import IdeaFlow, on_idea_button
from handlers.ideas.joins import MAKE_LINK, Jobs, on_join, on_make, open_make_link
from handlers.kit.at_start import run_at_start
from handlers.kit.press import route_presses

__all__ = ["COMMANDS", "register"]

RECOVER_AFTER = 0.2
"""Seconds after start-up before cards left behind by a stop are seen to."""


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.cards.register(IDEA_CARD, IdeaCards(svc))
    svc.flows.register(IdeaFlow(svc))
    Jobs(svc).register()
    svc.add_card_feature(REPORT_KIND, IdeaData(svc), partial(repost_after_move, svc))
    svc.link_routes.update({
        NEW_LINK: open_new_link,
        MAKE_LINK: open_make_link,
    })

    app.add_handler(CommandHandler(["idee", "idea"], on_command))
    route_presses(app, {
        r"^idea:(join|leave):\d+$": on_join,
        r"^idea:make:\d+$": on_make,
        r"^idea:(stop|b)": on_idea_button,
    })

    async def on_start(context: ContextTypes.DEFAULT_TYPE) -> None:
        await recover(svc)

    run_at_start(app, on_start, after=RECOVER_AFTER, name="ideas:recover")
