"""The scheduled side of regular neighbours: matching rounds (one at a time, a daily one too),
the anonymous questions, calm news to the other side, and the check-ins."""

from __future__ import annotations

import asyncio
from datetime import datetime, time

from bot.domain.pairing import SUGGESTION_TTL, PairStatus, plan_suggestions
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import t
from bot.services import Services
from handlers.kit.context import user_language
from handlers.pairing.checkins import ask_both
from handlers.pairing.pairs import (
    ASK_KIND,
    CHECKIN_KIND,
    MATCH_KIND,
    TELL_KIND,
    quiet_hours,
    schedule_matching,
)
from handlers.pairing.suggestions import ANSWERS, ask, made_text
from handlers.pairing.views import want_text

DAILY_MATCH_TIME = time(10, 0)


class PairingJobs:
    """Holds the lock that keeps two matching rounds from suggesting the same helper twice."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._matching = asyncio.Lock()

    def register(self) -> None:
        scheduler = self.svc.scheduler
        scheduler.register(MATCH_KIND, self.match_job)
        scheduler.register(ASK_KIND, self.ask_job)
        scheduler.register(TELL_KIND, self.tell_job)
        scheduler.register(CHECKIN_KIND, self.checkin_job)
        scheduler.add_planner(self.plan_daily)

    async def match(self, building_id: int, now: datetime) -> None:
        """Suggest a helper for each open wish that is not waiting for an answer. A helper who
        turns out to have blocked the bot is let go by `pairs.refused`, which looks again."""
        store = self.svc.stores.pairing
        async with self._matching:
            wishes = await store.matchable_wishes(building_id)
            if not wishes:
                return
            planned = plan_suggestions(
                wishes, await store.matchable_offers(building_id),
                active_pairs=await store.active_counts(),
                excluded=await store.excluded_pairs(building_id),
                busy=await store.busy_helpers(),
                waiting=await store.waiting_wishes(building_id),
            )
            for wish, offer in planned:
                pairing = await store.suggest(wish, offer, now)
                if pairing is not None:
                    await ask(self.svc, pairing, "h")

    async def match_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Lapse old unanswered suggestions, then suggest (one building, or all daily)."""
        store = self.svc.stores.pairing
        lapsed = await store.lapse(now - SUGGESTION_TTL, now)
        buildings = ({item.building_id} if item.building_id is not None
                     else set(await store.buildings_with_open_wishes()))
        buildings |= {pairing.building_id for pairing in lapsed}
        zone = self.svc.settings.zone
        for building_id in sorted(buildings):
            if item.building_id is None \
                    and (await quiet_hours(self.svc, building_id)).contains(now, zone):
                await schedule_matching(self.svc, building_id)  # it waits for that morning
                continue
            await self.match(building_id, now)
        return None

    async def ask_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        pairing = await self.svc.stores.pairing.get(int(item.payload.get("pairing_id", 0)))
        side = str(item.payload.get("side", ""))
        if pairing is None or side not in ANSWERS or pairing.status is not ANSWERS[side]:
            return ItemState.SKIPPED
        await ask(self.svc, pairing, side)
        return None

    async def tell_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """The pair is made (to the side that did not just press), or the other ended it."""
        pairing = await self.svc.stores.pairing.get(int(item.payload.get("pairing_id", 0)))
        user_id = int(item.payload.get("user_id", 0))
        what = item.payload.get("what")
        if pairing is None or not user_id or what not in ("made", "ended"):
            return ItemState.SKIPPED
        key = f"pairing:{what}:{pairing.id}:{user_id}"
        if what == "ended":
            lang = await user_language(self.svc, user_id)
            await self.svc.out.private(user_id, t(lang, "pairing.ended.partner",
                                                  want=want_text(lang, pairing.kind)), key=key)
            return None
        if pairing.status is not PairStatus.ACTIVE or not pairing.involves(user_id):
            return ItemState.SKIPPED
        text, buttons = await made_text(self.svc, pairing, user_id)
        await self.svc.out.private(user_id, text, keyboard=buttons, key=key)
        return None

    async def checkin_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        return await ask_both(self.svc, item, now)

    async def plan_daily(self, now: datetime) -> None:
        """One matching round a day (it also lets unanswered suggestions lapse)."""
        zone = self.svc.settings.zone
        day = now.astimezone(zone).date()
        due = datetime.combine(day, DAILY_MATCH_TIME, tzinfo=zone)
        await self.svc.scheduler.add(MATCH_KIND, f"daily:{day.isoformat()}", due)
