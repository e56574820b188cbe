"""A request goes up: its card is posted in the group and its bump and close are planned."""

from __future__ import annotations

from telegram import Update

from bot.domain.requests import HelpRequest
from bot.i18n import t
from bot.services import Services
from handlers.kit.context import user_language
from handlers.kit.send import Method, Outgoing
from handlers.requests.card import CARD_KIND, card_ref
from handlers.requests.keyboards import requester_controls
from handlers.requests.private_buttons import replace_pressed
from handlers.requests.schedule import schedule_request
from storage.request_controls import Role


async def post_card(svc: Services, request: HelpRequest) -> bool:
    """Post the card; False (and the request cancelled) when its group is no longer active.

    Should Telegram refuse the post all the same (the bot may no longer write there), the
    requester is told privately, and the request stays without a card until it closes.
    """
    rendered = await svc.cards.source(CARD_KIND).render(request.id)
    if rendered is None:
        await svc.stores.requests.cancel(request.id, svc.clock.now())
        return False
    lang = await user_language(svc, request.requester_id)
    told = Outgoing(chat_id=request.requester_id, method=Method.SEND,
                    text=t(lang, "request.flow.failed"), unreachable_user=request.requester_id)
    await svc.out.send(Outgoing(
        chat_id=rendered.chat_id, method=Method.SEND, text=rendered.text,
        keyboard=rendered.keyboard.to_dict() if rendered.keyboard is not None else None,
        card=card_ref(request.id), on_refused=told,
    ))
    return True


async def repost_after_move(svc: Services, building_id: int) -> None:
    """The group became a supergroup: the requests still in play get their card there (the old
    cards can no longer change, and their buttons answer that they are out of date)."""
    for request in await svc.stores.requests.live_without_card(building_id, svc.clock.now()):
        await svc.cards.post(card_ref(request.id))


async def post_and_schedule(svc: Services, request: HelpRequest) -> HelpRequest | None:
    """Post the card and plan the request's schedule; the request as posted, or None."""
    if not await post_card(svc, request):
        return None
    posted = await svc.stores.requests.get(request.id)
    if posted is not None:
        await schedule_request(svc, posted)
    return posted


async def publish(update: Update, svc: Services, request: HelpRequest, lang: str) -> None:
    """Post a new request and give the requester its controls (in place of the message whose
    button was pressed)."""
    posted = await post_and_schedule(svc, request)
    if posted is not None:
        await replace_pressed(update, svc, posted.id, Role.ASKER, t(lang, "request.flow.posted"),
                              requester_controls(lang, posted))
    else:
        await svc.out.replace_pressed(update, t(lang, "request.flow.failed"))
