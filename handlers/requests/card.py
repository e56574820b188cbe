"""The request's card in the group: what it says, its buttons, and where its message is kept.

The card is registered with `svc.cards` as kind "request"; posting and refreshing go through
the kit, which records the posted message id here (`RequestCards.record`).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.domain.requests import HelpRequest, RequestSeries, RequestStatus
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.cards import RenderedCard
from handlers.kit.send import CardRef
from handlers.requests.texts import first_name, kind_text, when_text, when_weekday

CARD_KIND = "request"
"""Kind of the card in `svc.cards`."""
REPORT_KIND = "req"
"""Card kind in the "Meld" button (`rep:req:<id>`) and in `svc.reportables`."""


def card_ref(request_id: int) -> CardRef:
    return CardRef(kind=CARD_KIND, item_id=request_id)


def card_text(
    lang: str, request: HelpRequest, zone: ZoneInfo, requester_name: str,
    *, standing: bool = False, weekly: bool | None = None,
) -> str:
    """The card in the group. Closed requests shrink to one short line without names."""
    kind = Safe(kind_text(lang, request.kind))
    status = request.status
    if status is RequestStatus.DONE:
        return t(lang, "request.card.done", kind=kind)
    if status is RequestStatus.CANCELLED:
        return t(lang, "request.card.cancelled", kind=kind)
    if status is RequestStatus.EXPIRED:
        return t(lang, "request.card.expired", kind=kind)
    if status is RequestStatus.REMOVED:
        return t(lang, "request.card.removed")
    lines = [t(lang, "request.card.when", when=Safe(when_text(lang, request.when, zone)))]
    if request.anonymous:
        lines.append(t(lang, "request.card.by_neighbour"))
    else:
        lines.append(t(lang, "request.card.by_name", name=requester_name))
    if request.on_behalf:
        lines.append(t(lang, "request.card.on_behalf"))
    if request.repeats if weekly is None else weekly:
        lines.append(t(lang, "request.card.weekly",
                       weekday=Safe(when_weekday(lang, request.when, zone))))
    if status is RequestStatus.CLAIMED:
        key = "request.card.claimed_always" if standing else "request.card.claimed"
        lines.append(t(lang, key))
    else:
        lines.append(t(lang, "request.card.open_hint"))
    return t(lang, "request.card", kind=kind, description=request.description or "…",
             details=Safe("\n".join(lines)))


def card_keyboard(lang: str, request: HelpRequest, *, weekly: bool) -> InlineKeyboardMarkup | None:
    """"Ik help" (or this time / every time, for a weekly need), and "Meld" for anyone who
    thinks the card does not belong here (the group's admins hear of it privately)."""
    if request.status is not RequestStatus.OPEN:
        return None
    if weekly:
        claim = [button(plain(lang, "request.button.claim_once"), "req", "c", request.id),
                 button(plain(lang, "request.button.claim_all"), "req", "ca", request.id)]
    else:
        claim = [button(plain(lang, "request.button.claim"), "req", "c", request.id)]
    report = button(plain(lang, "report.button"), "rep", REPORT_KIND, request.id)
    return keyboard(claim, [report])


def _standing(series: RequestSeries | None, request: HelpRequest) -> bool:
    return (series is not None and request.helper_id is not None
            and series.standing_helper_id == request.helper_id)


class RequestCards:
    """The `CardSource` of request cards: rendered from the stored request and its series."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.store = svc.stores.requests

    async def render(self, item_id: int) -> RenderedCard | None:
        request = await self.store.get(item_id)
        if request is None:
            return None
        building = await self.svc.buildings.get(request.building_id)
        if building is None or not building.active:
            return None
        lang = building.language
        series = await self.store.series(request.series_id) if request.series_id else None
        weekly = series is not None and series.running
        name = "" if request.anonymous else await first_name(self.svc, request.requester_id)
        text = card_text(lang, request, self.svc.settings.zone, name,
                         standing=_standing(series, request), weekly=weekly)
        return RenderedCard(chat_id=request.building_id, text=text,
                            keyboard=card_keyboard(lang, request, weekly=weekly))

    async def message_id(self, item_id: int) -> int | None:
        request = await self.store.get(item_id)
        return request.card_message_id if request is not None else None

    async def record(self, item_id: int, message_id: int) -> None:
        await self.store.set_card(item_id, message_id)
