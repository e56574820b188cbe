"""What other features read from requests: the digest's lines, the activity probe, a resident's
personal data (export, forget, retention), departures from the group, and card reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain.requests import RequestStatus
from bot.i18n import Safe, t, tn
from bot.services import ReportedCard, Services
from handlers.requests.card import card_ref
from handlers.requests.notices import reopen, take_down, tell_helper_cancelled
from handlers.requests.private_buttons import retire
from handlers.requests.schedule import stop_series, unschedule_request
from handlers.requests.texts import first_name, kind_text, when_text
from storage.request_controls import Role

HELPED_WINDOW = timedelta(days=7)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class RequestFeed:
    """The digest's lines, the activity probe, personal data, departures and reports."""

    name = "requests"

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.store = svc.stores.requests

    async def digest(self, building_id: int, lang: str, now: datetime) -> list[str]:
        """Open requests (never the name of one who asked as "een buur") and how often
        neighbours helped each other this week: thanks for the building, not per person."""
        lines: list[str] = []
        waiting = [r for r in await self.store.open_in(building_id) if r.when.due_at > now]
        if waiting:
            lines.append(t(lang, "request.digest.header"))
            for request in waiting:
                who = (t(lang, "request.digest.neighbour") if request.anonymous
                       else await first_name(self.svc, request.requester_id))
                lines.append(t(lang, "request.digest.line",
                               kind=Safe(kind_text(lang, request.kind)),
                               when=Safe(when_text(lang, request.when, self.svc.settings.zone)),
                               who=who))
        helped = await self.store.helped_since(building_id, now - HELPED_WINDOW, now)
        if helped:
            lines.append(tn(lang, "request.digest.helped", helped))
        return lines

    async def last_activity(self, building_id: int) -> datetime | None:
        return await self.store.last_activity(building_id)

    async def export(self, user_id: int) -> dict[str, Any]:
        """Their own requests in full; of requests they helped with, only kind and times
        (the text is the other resident's)."""
        asked, helped = [], []
        for request in await self.store.involving(user_id):
            times = {
                "created_at": request.created_at.isoformat(),
                "due_at": request.when.due_at.isoformat(),
                "claimed_at": _iso(request.claimed_at),
                "done_at": _iso(request.done_at),
                "thanked_at": _iso(request.thanked_at),
            }
            if request.requester_id == user_id:
                asked.append({
                    "kind": request.kind.value, "description": request.description,
                    "when": request.when.kind.value, "status": request.status.value,
                    "shown_as_neighbour": request.anonymous, "on_behalf": request.on_behalf,
                    "weekly": request.repeats, "contact_shared": request.contact,
                    "expired_at": _iso(request.expired_at),
                    "cancelled_at": _iso(request.cancelled_at), **times,
                })
            if request.helper_id == user_id:
                helped.append({"kind": request.kind.value, "status": request.status.value,
                               **times})
        return {
            "requests": asked,
            "helped_with": helped,
            "thanks_received": sum(1 for item in helped if item["thanked_at"]),
            "thanks_given": sum(1 for item in asked if item["thanked_at"]),
        }

    async def forget(self, user_id: int, now: datetime) -> None:
        """Open requests cancelled, claims handed back, texts and contact details erased,
        their name off every card and their id off every request. Idempotent."""
        involved = await self.store.involving(user_id)
        for building_id in {r.building_id for r in involved}:
            await self.departed(building_id, user_id, now)
        # Their cards now say "gestopt" or a short closed line: no name is left on any.
        resident = await self.svc.residents.get(user_id)
        await self.store.erase_resident(user_id, now, [r.id for r in involved],
                                        resident.first_name if resident is not None else "")

    async def expire(self, before: datetime) -> int:
        return await self.store.erase_closed_before(before)

    async def departed(self, building_id: int, user_id: int, now: datetime) -> None:
        """Someone left the group: what they asked there is withdrawn, what they took reopens."""
        for request in await self.store.active_of_requester_in(user_id, building_id):
            if await self.store.cancel(request.id, now):
                await unschedule_request(self.svc, request)
                await self.svc.cards.refresh(card_ref(request.id))
                await retire(self.svc, request.id, Role.ASKER)
                if request.helper_id is not None:
                    await tell_helper_cancelled(self.svc, request)
            if request.series_id is not None:
                await stop_series(self.svc, request.series_id, now)
        for request in await self.store.claimed_by(user_id, building_id):
            if await self.store.withdraw(request.id, user_id):
                await retire(self.svc, request.id, Role.HELPER)
                await reopen(self.svc, request, user_id)

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        request = await self.store.get(item_id)
        if request is None or request.status is RequestStatus.REMOVED:
            return None
        summary = f"{kind_text(lang, request.kind)}: {request.description or ''}".strip()
        return ReportedCard(building_id=request.building_id, chat_id=request.building_id,
                            message_id=request.card_message_id, summary=summary)

    async def hide(self, item_id: int, now: datetime) -> bool:
        """A reported card an admin chose to hide: taken down as with /weghalen."""
        request = await self.store.get(item_id)
        if request is None or not await self.store.remove(item_id, now):
            return False
        await take_down(self.svc, request, refresh=False)
        return True
