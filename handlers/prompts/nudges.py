"""Gentle nudges: after a quiet spell, one friendly idea in the group to do something together.

One nudge check is kept pending per group (see `jobs`), in the morning after the quiet days run
out. When it runs, the features' activity probes are asked again: if residents did something in
the meantime, the check is skipped and the next one planned from the new quiet spell.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.domain import nudges as rules
from bot.domain.community import Building
from bot.domain.digest import fanout_offset
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import keyboard
from handlers.prompts.jobs import post_key
from handlers.prompts.links import link_to

log = logging.getLogger(__name__)

ACTIVITY_LINK = "activity"


def prompt_text(lang: str, prompt: str) -> str:
    """The text of one nudge idea (the ids are listed here so the catalog check sees them)."""
    texts = {
        "coffee": t(lang, "nudge.coffee"),
        "idea": t(lang, "nudge.idea"),
        "bring": t(lang, "nudge.bring"),
        "walk": t(lang, "nudge.walk"),
        "soup": t(lang, "nudge.soup"),
        "skills": t(lang, "nudge.skills"),
        "welcome": t(lang, "nudge.welcome"),
    }
    return texts[prompt]


async def last_activity(svc: Services, building: Building) -> datetime:
    """When residents last asked, offered, organised or responded; else when the bot came."""
    latest: datetime | None = None
    for probe in svc.activity_probes:
        try:
            moment = await probe(building.chat_id)
        except Exception:
            log.exception("an activity probe failed for group %s", building.chat_id)
            continue
        if moment is not None and (latest is None or moment > latest):
            latest = moment
    return rules.quiet_since(latest, building.added_at)


async def plan_nudge(svc: Services, building: Building, now: datetime) -> None:
    """Keep one pending nudge check for the group, at the first morning one may be due."""
    settings = building.settings
    if not settings.nudges_enabled:
        return
    zone = svc.settings.zone
    last = await svc.stores.prompts.last_nudge(building.chat_id)
    earliest = rules.earliest_nudge(settings, await last_activity(svc, building), last.sent_at)
    for slot in rules.nudge_slots(max(earliest, now), fanout_offset(building.chat_id), zone):
        due = settings.quiet_hours.next_allowed(slot, zone)
        ref = rules.nudge_ref(building.chat_id, slot, zone)
        if await svc.scheduler.add(
            rules.KIND, ref, due, building_id=building.chat_id,
            stale_after=due + rules.STALE_AFTER, revive=True,
        ):
            return
        existing = await svc.scheduler.store.get(rules.KIND, ref)
        if existing is not None and existing.state is ItemState.PENDING:
            return


async def replan_nudge(svc: Services, building: Building) -> None:
    """Settings changed: drop the pending check and plan from the new settings."""
    await svc.scheduler.cancel_for_building(rules.KIND, building.chat_id)
    await plan_nudge(svc, building, svc.clock.now())


async def send_nudge(
    svc: Services, building: Building, now: datetime, *, slot: datetime | None = None,
    key: str | None = None,
) -> bool:
    """Post one nudge if the group is still quiet; False when it is not due (any more).

    The nudge counts as sent at its planned slot, so next week's slot (same time of day) is
    exactly a week later and not pushed a day by a few seconds of polling delay."""
    store = svc.stores.prompts
    last = await store.last_nudge(building.chat_id)
    quiet_since = await last_activity(svc, building)
    if not rules.is_due(building.settings, now, quiet_since, last.sent_at):
        return False
    local_day = now.astimezone(svc.settings.zone).date().isoformat()
    prompt = rules.pick_prompt(last.prompt, seed=f"{building.chat_id}:{local_day}")
    lang = building.language
    start = await link_to(svc, plain(lang, "nudge.button.activity"), ACTIVITY_LINK,
                          building.chat_id)
    await svc.out.message(building.chat_id, prompt_text(lang, prompt), keyboard=keyboard([start]),
                          key=key)
    await store.record_nudge(building.chat_id, prompt, min(slot or now, now))
    return True


class GentleNudge:
    """The nudge check as a scheduled group post."""

    kind = rules.KIND
    switch = "nudges_enabled"

    def __init__(self, svc: Services) -> None:
        self._svc = svc

    async def post(self, building: Building, item: ScheduledItem, now: datetime) -> bool:
        return await send_nudge(self._svc, building, now, slot=item.due_at, key=post_key(item))

    async def plan_next(self, building: Building, item: ScheduledItem | None,
                        now: datetime) -> None:
        await plan_nudge(self._svc, building, now)
