"""Gentle nudges: after a quiet spell, one friendly idea in the group to do something together.

A planner keeps one pending nudge check per group, in the morning after the quiet days run out.
When it runs, the features' activity probes are asked again: if residents did something in the
meantime, the check is skipped and the next one planned from the new quiet spell.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot.domain import nudges as rules
from bot.domain.community import Building
from bot.domain.deeplinks import link_url
from bot.domain.digest import fanout_offset
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import t
from bot.services import Services
from storage.prompts import PromptStore

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


async def plan_nudge(svc: Services, store: PromptStore, building: Building, now: datetime) -> None:
    """Keep one pending nudge check for the group, at the first morning one may be due."""
    settings = building.settings
    if not settings.nudges_enabled:
        return
    zone = svc.settings.zone
    last = await store.last_nudge(building.chat_id)
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


async def replan_nudge(svc: Services, store: PromptStore, building: Building) -> None:
    """Settings changed: drop the pending check and plan from the new settings."""
    await svc.scheduler.cancel_for_building(rules.KIND, building.chat_id)
    await plan_nudge(svc, store, building, svc.clock.now())


async def send_nudge(
    bot: Bot, svc: Services, store: PromptStore, building: Building, now: datetime,
    *, slot: datetime | None = None,
) -> bool:
    """Post one nudge if the group is still quiet; False when it is not due (any more).

    The nudge counts as sent at its planned slot, so next week's slot (same time of day) is
    exactly a week later and not pushed a day by a few seconds of polling delay."""
    last = await store.last_nudge(building.chat_id)
    quiet_since = await last_activity(svc, building)
    if not rules.is_due(building.settings, now, quiet_since, last.sent_at):
        return False
    local_day = now.astimezone(svc.settings.zone).date().isoformat()
    prompt = rules.pick_prompt(last.prompt, seed=f"{building.chat_id}:{local_day}")
    lang = building.language
    link = await svc.deep_links.reusable(ACTIVITY_LINK, building.chat_id, "", now)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "nudge.button.activity"), url=link_url(svc.bot_username, link.token))]])
    await bot.send_message(building.chat_id, prompt_text(lang, prompt), reply_markup=keyboard)
    await store.record_nudge(building.chat_id, prompt, min(slot or now, now))
    return True


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    store = PromptStore(svc.db)

    async def run_nudge(item: ScheduledItem, now: datetime) -> ItemState:
        if item.building_id is None:
            return ItemState.SKIPPED
        building = await svc.buildings.get(item.building_id)
        if building is None or not building.active or not building.settings.nudges_enabled:
            return ItemState.SKIPPED
        try:
            sent = await send_nudge(app.bot, svc, store, building, now, slot=item.due_at)
        except (Forbidden, BadRequest) as exc:
            log.warning("nudge for group %s not delivered: %s", building.chat_id, exc.message)
            sent = False
        await plan_nudge(svc, store, building, now)
        return ItemState.DONE if sent else ItemState.SKIPPED

    async def planner(now: datetime) -> None:
        for building_id in await store.unplanned(rules.KIND, "nudges_enabled"):
            building = await svc.buildings.get(building_id)
            if building is not None:
                await plan_nudge(svc, store, building, now)

    svc.scheduler.register(rules.KIND, run_nudge)
    svc.scheduler.add_planner(planner)
