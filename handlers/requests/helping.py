"""Open requests shown privately to a neighbour who wants to help someone (the private menu's
"Iemand helpen"), and the resident's own requests and claims for their overview ("Mijn
dingen"), each with the buttons it has elsewhere."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.domain.requests import HelpRequest, RequestStatus
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.reach import contact_of
from handlers.requests.card import card_text
from handlers.requests.keyboards import helper_controls, requester_controls
from handlers.requests.texts import first_name, kind_text, when_text

MAX_SHOWN = 5
"""Open requests shown at once: the soonest first, so the list stays short to read."""


async def open_to_help(svc: Services, user_id: int, buildings: list[int]) -> list[HelpRequest]:
    """Requests in the resident's buildings that nobody took yet and whose time has not passed;
    their own are left out."""
    now = svc.clock.now()
    found = [request
             for building_id in buildings
             for request in await svc.stores.requests.open_in(building_id)
             if request.requester_id != user_id and request.when.due_at > now]
    return sorted(found, key=lambda request: request.when.due_at)[:MAX_SHOWN]


async def show_open_requests(svc: Services, user_id: int, lang: str, buildings: list[int]) -> None:
    """Each open request as its card reads, with its own "Ik help" (`req:pc:<id>`)."""
    found = await open_to_help(svc, user_id, buildings)
    if not found:
        await svc.out.message(user_id, t(lang, "request.helping.none"))
        return
    await svc.out.message(user_id, t(lang, "request.helping.intro"))
    for request in found:
        name = "" if request.anonymous else await first_name(svc, request.requester_id)
        claim = button(plain(lang, "request.button.claim"), "req", "pc", request.id)
        await svc.out.message(user_id, card_text(lang, request, svc.settings.zone, name),
                              keyboard=keyboard([claim]))


async def own_requests(
    svc: Services, user_id: int, lang: str
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The resident's open requests and the requests they help with, each as a short text with
    the controls it has in their private chat."""
    zone = svc.settings.zone
    store = svc.stores.requests
    shown: list[tuple[str, InlineKeyboardMarkup | None]] = []
    for request in await store.active_of_requester(user_id):
        what = dict(kind=Safe(kind_text(lang, request.kind)),
                    when=Safe(when_text(lang, request.when, zone)),
                    description=request.description or "…")
        helper = None
        if request.status is RequestStatus.CLAIMED and request.helper_id is not None:
            helper = await contact_of(svc, request.helper_id)
            text = t(lang, "request.mine.asked_claimed", helper=helper.name, **what)
        else:
            text = t(lang, "request.mine.asked_open", **what)
        shown.append((text, requester_controls(lang, request, helper)))
    for request in await store.claimed_by(user_id):
        requester = await contact_of(svc, request.requester_id)
        text = t(lang, "request.mine.helping", requester=requester.name,
                 kind=Safe(kind_text(lang, request.kind)),
                 when=Safe(when_text(lang, request.when, zone)),
                 description=request.description or "…")
        shown.append((text, helper_controls(lang, request, requester)))
    return shown
