"""Regular neighbours: what residents offer (/aanbod), a wish for a regular neighbour
(/vastebuur), anonymous suggestions with a double opt-in, the three cups of tea, and whom to
talk to when worried about a neighbour (/zorgen)."""

from __future__ import annotations

from functools import partial

from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler

from bot.menu import MenuCommand
from bot.services import Services
from handlers import order
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
    svc.link_routes[OFFER_LINK] = open_offer_link
    svc.link_routes[REGULAR_LINK] = open_regular_link
    svc.link_routes[WORRIED_LINK] = open_worried_link
    svc.relay_routes[RELAY_ROUTE] = partial(relay_partner, svc)
    app.add_handler(CommandHandler(["aanbod", "offer"], offer_command))
    app.add_handler(CommandHandler(["vastebuur", "regular"], regular_command))
    app.add_handler(CommandHandler(["zorgen", "worried"], worried_command))
    app.add_handler(CallbackQueryHandler(on_flow_button, pattern=r"^pf:"))
    app.add_handler(CallbackQueryHandler(on_offer_button, pattern=r"^off:"))
    app.add_handler(CallbackQueryHandler(on_wish_button, pattern=r"^wsh:"))
    app.add_handler(CallbackQueryHandler(on_pair_button, pattern=r"^pair:"))
    app.add_handler(ChatMemberHandler(on_private_member, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=order.PAIRING_BLOCKED)
    PairingJobs(svc).register()
    data = PairingData(svc)
    svc.personal_data.append(data)
    svc.departure_hooks.append(data.departed)
    svc.unreachable_hooks.append(data.refused)
    svc.activity_probes.append(svc.stores.pairing.last_activity)
