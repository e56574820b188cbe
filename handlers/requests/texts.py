"""How a request is put into words: its kind and day, the names of the two people involved, and
what each of them is told when they meet."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dates_text import clock_text, day_text, weekday_name
from bot.domain.requests import HelpRequest, Refusal, RequestStatus, When, WhenKind
from bot.i18n import Safe, plain, t
from bot.services import Services
from storage.requests import RequestStore


def kind_text(lang: str, request_kind: str) -> str:
    return t(lang, f"request.kind.{request_kind}")


def date_text(lang: str, moment: datetime, zone: ZoneInfo) -> str:
    return day_text(lang, moment.astimezone(zone).date())


def when_text(lang: str, when: When, zone: ZoneInfo) -> str:
    """Always an absolute day ("di 24 nov"), so a card never says "today" on the wrong day."""
    day = Safe(date_text(lang, when.due_at, zone))
    if when.kind is WhenKind.AT:
        return t(lang, "request.when.at", date=day,
                 time=clock_text(lang, when.due_at.astimezone(zone)))
    if when.kind is WhenKind.WEEK:
        return t(lang, "request.when.week", date=day)
    if when.part is not None:
        part = Safe(t(lang, f"request.part.{when.part.value}"))
        return t(lang, "request.when.part", date=day, part=part)
    return t(lang, "request.when.day", date=day)


def when_weekday(lang: str, when: When, zone: ZoneInfo) -> str:
    return weekday_name(lang, when.due_at.astimezone(zone).weekday())


async def first_name(svc: Services, user_id: int | None) -> str:
    if user_id is None:
        return ""
    resident = await svc.residents.get(user_id)
    return resident.first_name if resident is not None and resident.first_name else "?"


async def standing(store: RequestStore, request: HelpRequest) -> bool:
    """Is this request's helper the weekly need's standing helper ("Ik help elke keer")?"""
    if request.series_id is None or request.helper_id is None:
        return False
    series = await store.series(request.series_id)
    return series is not None and series.standing_helper_id == request.helper_id


async def requester_intro(svc: Services, request: HelpRequest, lang: str) -> str:
    zone = svc.settings.zone
    helper = await first_name(svc, request.helper_id)
    text = t(lang, "request.meet.requester", helper=helper,
             kind=Safe(kind_text(lang, request.kind)),
             when=Safe(when_text(lang, request.when, zone)))
    if await standing(svc.stores.requests, request):
        text += "\n" + t(lang, "request.meet.always_requester", helper=helper,
                         weekday=Safe(when_weekday(lang, request.when, zone)))
    return text


async def helper_intro(svc: Services, request: HelpRequest, lang: str) -> str:
    zone = svc.settings.zone
    requester = await first_name(svc, request.requester_id)
    text = t(lang, "request.meet.helper", requester=requester,
             kind=Safe(kind_text(lang, request.kind)),
             when=Safe(when_text(lang, request.when, zone)),
             description=request.description or "")
    if request.on_behalf:
        text += "\n" + t(lang, "request.meet.on_behalf", requester=requester)
    if await standing(svc.stores.requests, request):
        text += "\n" + t(lang, "request.meet.always_helper",
                         weekday=Safe(when_weekday(lang, request.when, zone)))
    if request.contact:
        text += "\n" + t(lang, "request.contact.to_helper", requester=requester,
                         contact=request.contact)
    return text


REFUSAL_KEYS = {
    Refusal.GONE: "error.stale_button",
    Refusal.TAKEN: "request.answer.taken",
    Refusal.CLOSED: "request.answer.closed",
    Refusal.OWN: "request.answer.own",
    Refusal.PAST: "request.answer.past",
    Refusal.NOT_YOURS: "error.not_yours",
    Refusal.ALREADY: "request.answer.already",
}
"""The short answer to a press that changes nothing, by the reason."""


CLOSED_KEYS = {
    RequestStatus.OPEN: "request.answer.open_again",
    RequestStatus.CLAIMED: "request.answer.still_on",
    RequestStatus.DONE: "request.answer.closed_done",
    RequestStatus.EXPIRED: "request.answer.closed_expired",
    RequestStatus.CANCELLED: "request.answer.closed_cancelled",
    RequestStatus.REMOVED: "request.answer.closed_removed",
}
"""A button that no longer fits says what is true now: open again, still on, done, over,
stopped or taken down."""


def refusal_answer(lang: str, refused: Refusal, request: HelpRequest | None = None) -> str:
    if refused is Refusal.CLOSED and request is not None:
        return plain(lang, CLOSED_KEYS[request.status])
    return plain(lang, REFUSAL_KEYS[refused])
