"""Regular neighbours: what residents offer (/aanbod), a wish for a regular neighbour
(/vastebuur), anonymous suggestions with a double opt-in, the three cups of tea, and whom to
talk to when worried about a neighbour (/zorgen)."""

from __future__ import annotations

from functools import partial

from telegram.ext import Application, ChatMemberHandler

from bot.menu import MenuCommand
from bot.services import Services
from handlers import order
from handlers.kit.command import route_commands
from handlers.kit.press import route_presses
from handlers.pairing.commands import (
    OFFER_LINK,
    REGULAR_LINK,
    WORRIED_LINK,
    offer_command,
    open_offer_link,
    open_regular_link,
    open_worried_link,
    regular_command,
    worried_command,
)
from handlers.pairing.data import PairingData, on_private_member
from handlers.pairing.flow import on_flow_button
from handlers.pairing.jobs import PairingJobs
from handlers.pairing.offer import on_offer_button
from handlers.pairing.presses import on_pair_button
from handlers.pairing.views import RELAY_ROUTE, relay_partner
from handlers.pairing.wishes import on_wish_button

__all__ = ["COMMANDS", "register"]

COMMANDS = [
    MenuCommand({"nl": "aanbod", "en": "offer"}, "cmd.offer"),
    MenuCommand({"nl": "vastebuur", "en": "regular"}, "cmd.regular"),
    MenuCommand({"nl": "zorgen", "en": "worried"}, "cmd.worried", group=False),
]


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes.update({
        OFFER_LINK: open_offer_link,
        REGULAR_LINK: open_regular_link,
        WORRIED_LINK: open_worried_link,
    })
    svc.relay_routes[RELAY_ROUTE] = partial(relay_partner, svc)
    route_commands(app, {
        ("aanbod", "offer"): offer_command,
        ("vastebuur", "regular"): regular_command,
        ("zorgen", "worried"): worried_command,
    })
    route_presses(app, {
        r"^pf:": on_flow_button,
        r"^off:": on_offer_button,
        r"^wsh:": on_wish_button,
        r"^pair:": on_pair_button,
    })
    app.add_handler(ChatMemberHandler(on_private_member, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=order.PAIRING_BLOCKED)
    PairingJobs(svc).register()
    data = PairingData(svc)
    svc.personal_data.append(data)
    svc.departure_hooks.append(data.departed)
    svc.unreachable_hooks.append(data.refused)
    svc.activity_probes.append(svc.stores.pairing.last_activity)
