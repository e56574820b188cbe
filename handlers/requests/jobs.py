"""Scheduled work for requests: the one bump, closing at its time, the follow-up to the
requester, a weekly need's next week, and cards still to post after a restart."""

from __future__ import annotations

from datetime import datetime

from bot.domain.requests import HelpRequest, RequestStatus, next_occurrence
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import Safe, t
from bot.services import Services
from handlers.kit.context import Context, user_language
from handlers.kit.reach import contact_of
from handlers.requests.card import card_ref
from handlers.requests.keyboards import (
    again_keyboard,
    done_keyboard,
    helper_controls,
    requester_controls,
)
from handlers.requests.posting import post_and_schedule
from handlers.requests.private_buttons import prompt_about, retire
from handlers.requests.schedule import schedule_request
from handlers.requests.texts import first_name, kind_text, standing, when_text
from storage.request_controls import Role

PROMPT_KIND = "request"
"""The kind of scheduled private prompt (for residents' prompt settings)."""


class RequestJobs:
    """Made in `register`; each method is a scheduler handler for one kind of item."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.store = svc.stores.requests
        self.started = svc.clock.now()

    async def post_unposted(self, context: Context) -> None:
        """At start: a request saved just before a stop gets its card and schedule now."""
        for request in await self.store.unposted(created_before=self.started):
            await post_and_schedule(self.svc, request)

    async def _request(self, item: ScheduledItem) -> HelpRequest | None:
        raw = item.payload.get("request_id") or item.ref.split(":")[1]
        return await self.store.get(int(raw)) if str(raw).isdigit() else None

    async def _postpone_if_quiet(self, item: ScheduledItem, now: datetime) -> bool:
        """Ran in quiet hours (the bot was down when it fell due): move it to the morning."""
        building = await self.svc.buildings.get(item.building_id) if item.building_id else None
        if building is None:
            return False
        quiet, zone = building.settings.quiet_hours, self.svc.settings.zone
        if not quiet.contains(now, zone):
            return False
        await self.svc.scheduler.add(item.kind, item.ref + "later", quiet.next_allowed(now, zone),
                                     building_id=item.building_id, payload=item.payload)
        return True

    async def bump(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Once, in the group, as a reply to the card: nobody has taken it yet."""
        request = await self._request(item)
        if request is None or request.status is not RequestStatus.OPEN \
                or request.card_message_id is None or now >= request.when.due_at:
            return ItemState.SKIPPED
        building = await self.svc.buildings.get(request.building_id)
        if building is None or not building.active \
                or building.settings.quiet_hours.contains(now, self.svc.settings.zone):
            return ItemState.SKIPPED
        if not await self.store.mark_bumped(request.id, now):
            return ItemState.SKIPPED
        await self.svc.out.message(request.building_id, t(building.language, "request.bump"),
                                   reply_to_card=card_ref(request.id))
        return None

    async def close(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Its time has passed: unclaimed, it closes at once (the card says so, even in quiet
        hours: an edit is not a message) and the requester may post it again; claimed, the
        requester is asked once whether it worked out. What is said privately waits for the
        morning when it is night."""
        request = await self._request(item)
        if request is None or not request.is_active or now < request.when.due_at:
            return ItemState.SKIPPED
        if request.status is RequestStatus.OPEN:
            if not await self.store.expire(request.id, now):
                return ItemState.SKIPPED
            await self.svc.cards.refresh(card_ref(request.id))
            await retire(self.svc, request.id, Role.ASKER)
        elif await standing(self.store, request):
            return None  # a weekly pair has its routine; "Volgende keer" is enough
        if await self._postpone_if_quiet(item.model_copy(update={"kind": "request.prompt"}), now):
            return None
        await self.prompt_requester(request.id)
        return None

    async def prompt(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        request = await self._request(item)
        if request is None:
            return ItemState.SKIPPED
        await self.prompt_requester(request.id)
        return None

    async def prompt_requester(self, request_id: int) -> None:
        request = await self.store.get(request_id)
        if request is None:
            return
        svc = self.svc
        lang = await user_language(svc, request.requester_id)
        kind = Safe(kind_text(lang, request.kind))
        when = Safe(when_text(lang, request.when, svc.settings.zone))
        if request.status is RequestStatus.EXPIRED and request.description is not None:
            await prompt_about(svc, request.id, Role.ASKER, request.requester_id, PROMPT_KIND,
                         t(lang, "request.expired.requester", kind=kind, when=when),
                         again_keyboard(lang, request))
        elif request.status is RequestStatus.CLAIMED and request.helper_id is not None:
            helper = await first_name(svc, request.helper_id)
            series = await self.store.series(request.series_id) if request.series_id else None
            await prompt_about(svc, request.id, Role.ASKER, request.requester_id, PROMPT_KIND,
                         t(lang, "request.followup", kind=kind, helper=helper),
                         done_keyboard(lang, request, weekly=series is not None and series.running))

    async def next_week(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """A weekly need comes round again: posted for anyone, or straight to its standing helper."""
        request = await self._request(item)
        series = await self.store.series(request.series_id) if request and request.series_id else None
        if request is None or series is None or not series.running or request.description is None:
            return ItemState.SKIPPED
        svc, store = self.svc, self.store
        building = await svc.buildings.get(request.building_id)
        if building is None or not building.active:
            return ItemState.SKIPPED
        if await self._postpone_if_quiet(item, now):
            return ItemState.SKIPPED
        membership = await svc.memberships.get(request.building_id, request.requester_id)
        if membership is None or not membership.is_current:
            await store.stop_series(series.id, now)
            return ItemState.SKIPPED
        when = next_occurrence(request.when, svc.settings.zone, building.settings.quiet_hours)
        while when.due_at <= now:
            when = next_occurrence(when, svc.settings.zone, building.settings.quiet_hours)
        helper_id = series.standing_helper_id
        if helper_id is not None:
            helper_member = await svc.memberships.get(request.building_id, helper_id)
            if helper_member is None or not helper_member.is_current:
                await store.drop_standing_helper(series.id, helper_id)
                helper_id = None
        following = await store.copy(request, when, now, series_id=series.id, helper_id=helper_id)
        if helper_id is None:
            posted = await post_and_schedule(svc, following)
            if posted is not None:
                await self._tell_posted_again(posted)
            return None
        await self._remind_pair(following)
        await schedule_request(svc, following)
        return None

    async def _tell_posted_again(self, request: HelpRequest) -> None:
        """This week's need is in the group again: the requester gets its private buttons,
        as for the first one."""
        svc = self.svc
        lang = await user_language(svc, request.requester_id)
        await prompt_about(svc, request.id, Role.ASKER, request.requester_id, PROMPT_KIND, t(
            lang, "request.series.next_posted", kind=Safe(kind_text(lang, request.kind)),
            when=Safe(when_text(lang, request.when, svc.settings.zone))),
            requester_controls(lang, request))

    async def _remind_pair(self, request: HelpRequest) -> None:
        """A weekly pair: no card, both are told privately that it comes round again."""
        svc = self.svc
        assert request.helper_id is not None
        zone = svc.settings.zone
        helper = await contact_of(svc, request.helper_id)
        requester = await contact_of(svc, request.requester_id)
        sides = ((Role.ASKER, request.requester_id, "request.series.next_requester", "helper",
                  helper, requester_controls),
                 (Role.HELPER, request.helper_id, "request.series.next_helper", "requester",
                  requester, helper_controls))
        for role, user_id, key, other_is, other, controls in sides:
            lang = await user_language(svc, user_id)
            text = t(lang, key, kind=Safe(kind_text(lang, request.kind)),
                     when=Safe(when_text(lang, request.when, zone)), **{other_is: other.name})
            await prompt_about(svc, request.id, role, user_id, PROMPT_KIND, text,
                               controls(lang, request, other))
