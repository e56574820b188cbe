"""Small help requests: asked privately, posted as a card in the group, taken by one neighbour
with "Ik help", and followed through to done and thanks (or closed, withdrawn, repeated weekly).

Every button carries only a short id; the press is checked again against the database and the
presser, so a stale, forged or other group's button changes nothing and gets a short answer.
"""

from __future__ import annotations

from functools import partial

from telegram.ext import Application, CommandHandler, filters

from bot.services import Services
from handlers.kit.at_start import run_at_start
from handlers.kit.press import route_presses
from handlers.requests.card import CARD_KIND, REPORT_KIND, RequestCards
from handlers.requests.claims import (
    REQUEST_LINK,
    on_card_button,
    on_private_claim,
    open_request_link,
    relay_partner,
)
from handlers.requests.commands import (
    COMMANDS,
    ask_in_group,
    ask_in_private,
    open_ask_link,
    remove_command,
)
from handlers.requests.controls import on_again, on_control
from handlers.requests.data import RequestFeed
from handlers.requests.flow import RequestFlow
from handlers.requests.flow_buttons import on_flow_button
from handlers.requests.jobs import RequestJobs
from handlers.requests.keyboards import RELAY_ROUTE
from handlers.requests.posting import repost_after_move
from handlers.requests.private_buttons import register_live_buttons

__all__ = ["COMMANDS", "register"]


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.cards.register(CARD_KIND, RequestCards(svc))
    register_live_buttons(svc)
    svc.flows.register(RequestFlow(svc))
    svc.link_routes.update({
        "ask": open_ask_link,
        REQUEST_LINK: open_request_link,
    })
    svc.relay_routes[RELAY_ROUTE] = partial(relay_partner, svc)
    app.add_handler(CommandHandler(["vraag", "ask"], ask_in_group, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler(["vraag", "ask"], ask_in_private,
                                   filters=filters.ChatType.PRIVATE))
    route_presses(app, {
        r"^rqf:": on_flow_button,
        r"^req:(c|ca):": on_card_button,
        r"^req:pc:": on_private_claim,
        r"^req:again:": on_again,
        r"^req:": on_control,
    })
    app.add_handler(CommandHandler(["weghalen", "remove"], remove_command,
                                   filters=filters.ChatType.GROUPS))
    jobs = RequestJobs(svc)
    svc.scheduler.register("request.bump", jobs.bump)
    svc.scheduler.register("request.close", jobs.close, calm=False)
    svc.scheduler.register("request.prompt", jobs.prompt)
    svc.scheduler.register("request.next", jobs.next_week)
    run_at_start(app, jobs.post_unposted, after=0.1, name="requests:unposted")
    feed = RequestFeed(svc)
    svc.digest_sources.append(feed.digest)
    svc.add_card_feature(REPORT_KIND, feed, partial(repost_after_move, svc))
