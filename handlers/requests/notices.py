"""What the people involved hear when a request changes under them: a helper stepped back, the
requester cancelled, or an admin took the card down. Told privately, never in the group; the
card follows every change, and buttons that no longer fit are taken off."""

from __future__ import annotations

from bot.domain.requests import HelpRequest, RequestStatus
from bot.i18n import Safe, t
from bot.services import Services
from handlers.kit.context import user_language
from handlers.requests.card import card_ref
from handlers.requests.keyboards import requester_controls
from handlers.requests.private_buttons import retire, send
from handlers.requests.schedule import stop_series, unschedule_request
from handlers.requests.texts import first_name, kind_text, when_text
from storage.request_controls import Role


async def reopen(svc: Services, request: HelpRequest, helper_id: int) -> None:
    """After a helper steps back: the card says "Ik help" again (or the request closes if its
    time has passed), the requester hears so with buttons that fit (their older ones go), and a
    standing weekly helper is released."""
    store = svc.stores.requests
    if request.series_id is not None:
        await store.drop_standing_helper(request.series_id, helper_id)
    now = svc.clock.now()
    if now >= request.when.due_at:
        await store.expire(request.id, now)
    await svc.cards.refresh(card_ref(request.id))
    current = await store.get(request.id)
    assert current is not None
    r_lang = await user_language(svc, request.requester_id)
    key = ("request.withdraw.requester" if current.status is RequestStatus.OPEN
           else "request.withdraw.requester_closed")
    await send(svc, request.id, Role.ASKER, request.requester_id,
               t(r_lang, key, helper=await first_name(svc, helper_id),
                 kind=Safe(kind_text(r_lang, request.kind))),
               requester_controls(r_lang, current))


async def tell_helper_cancelled(svc: Services, request: HelpRequest) -> None:
    """The helper hears the request is off; their buttons for it go."""
    assert request.helper_id is not None
    h_lang = await user_language(svc, request.helper_id)
    await send(svc, request.id, Role.HELPER, request.helper_id, t(
        h_lang, "request.cancel.helper", requester=await first_name(svc, request.requester_id),
        kind=Safe(kind_text(h_lang, request.kind)),
        when=Safe(when_text(h_lang, request.when, svc.settings.zone))), None)


async def refresh_series(svc: Services, request: HelpRequest, *, itself: bool = True) -> None:
    """A weekly need stopped: every week still on shows it no longer comes back (and the card
    of `request` too, unless it is being deleted)."""
    cards = {request.id} if itself else set()
    if request.series_id is not None:
        cards |= {r.id for r in await svc.stores.requests.active_in_series(request.series_id)
                  if r.id != request.id}
    for request_id in sorted(cards):
        await svc.cards.refresh(card_ref(request_id))


async def take_down(svc: Services, request: HelpRequest, *, refresh: bool = True) -> None:
    """After an admin removed a request: no more schedule or weeks, card updated (unless the
    caller deletes it), and both people involved told (their buttons for it go)."""
    await unschedule_request(svc, request)
    if request.series_id is not None:
        await stop_series(svc, request.series_id)
    await refresh_series(svc, request, itself=refresh)
    r_lang = await user_language(svc, request.requester_id)
    await send(svc, request.id, Role.ASKER, request.requester_id,
               t(r_lang, "request.remove.requester", kind=Safe(kind_text(r_lang, request.kind))),
               None)
    if request.helper_id is None:
        return
    if request.status is RequestStatus.CLAIMED:
        h_lang = await user_language(svc, request.helper_id)
        await send(svc, request.id, Role.HELPER, request.helper_id,
                   t(h_lang, "request.remove.helper", kind=Safe(kind_text(h_lang, request.kind))),
                   None)
    else:
        await retire(svc, request.id, Role.HELPER)
