"""The weekly digest in each group: what is open, what is coming, how often neighbours helped.

Each digest is a schedule row (one per group per local date), planned from the group's settings;
a planner makes sure every active group with the digest on has its next one, so a restart, a
skipped week or a change of settings never leaves a group without one. Nothing is posted when
no feature has anything to say.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot.domain import digest as rules
from bot.domain.community import Building
from bot.domain.deeplinks import link_url
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import Safe, t
from bot.services import Services
from storage.prompts import PromptStore

log = logging.getLogger(__name__)

ASK_LINK = "ask"
ACTIVITY_LINK = "activity"


async def plan_digest(
    svc: Services, building: Building, since: datetime, *, replace: bool = False
) -> datetime | None:
    """Make sure the group's next digest after `since` is pending; returns when it is due.

    With `replace` (settings changed) any other pending digest of the group is dropped first.
    A local date whose digest already went out is passed over, so a day never gets two.
    """
    zone = svc.settings.zone
    settings = building.settings
    if not settings.digest_enabled:
        await svc.scheduler.cancel_for_building(rules.KIND, building.chat_id)
        return None
    offset = rules.fanout_offset(building.chat_id)
    for occurrence in rules.upcoming_digests(settings, since, zone):
        due = settings.quiet_hours.next_allowed(occurrence + offset, zone)
        ref = rules.digest_ref(building.chat_id, occurrence, zone)
        stale_after = due + rules.GRACE
        payload = {"occurrence": occurrence.isoformat()}
        if replace:
            placed = await svc.scheduler.reschedule(
                rules.KIND, ref, due, building_id=building.chat_id, stale_after=stale_after,
                payload=payload,
            )
        else:
            placed = await svc.scheduler.add(
                rules.KIND, ref, due, building_id=building.chat_id, stale_after=stale_after,
                payload=payload, revive=True,
            )
        if placed:
            return due
        existing = await svc.scheduler.store.get(rules.KIND, ref)
        if existing is not None and existing.state is ItemState.PENDING:
            return existing.due_at
    return None


async def plan_missing_digests(svc: Services, store: PromptStore, now: datetime) -> None:
    """Every active group with the digest on gets its next digest, if it has none pending."""
    for building_id in await store.unplanned(rules.KIND, "digest_enabled"):
        building = await svc.buildings.get(building_id)
        if building is not None:
            await plan_digest(svc, building, max(building.added_at, now - rules.GRACE))


async def digest_lines(svc: Services, building: Building, now: datetime) -> list[str]:
    """The lines every feature contributes, a blank line between features; a feature that
    fails costs only its own lines."""
    lines: list[str] = []
    for source in svc.digest_sources:
        try:
            part = await source(building.chat_id, building.language, now)
        except Exception:
            log.exception("a digest source failed for group %s", building.chat_id)
            continue
        section = [line for line in part if line.strip()]
        if section and lines:
            lines.append("")
        lines.extend(section)
    return lines


async def digest_keyboard(svc: Services, building: Building, now: datetime) -> InlineKeyboardMarkup:
    lang = building.language
    ask = await svc.deep_links.reusable(ASK_LINK, building.chat_id, "", now)
    activity = await svc.deep_links.reusable(ACTIVITY_LINK, building.chat_id, "", now)
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "digest.button.ask"), url=link_url(svc.bot_username, ask.token)),
        InlineKeyboardButton(t(lang, "digest.button.activity"),
                             url=link_url(svc.bot_username, activity.token)),
    ]])


def render_digest(lang: str, title: str, lines: list[str]) -> str:
    header = t(lang, "digest.title", building=title)
    footer = t(lang, "digest.footer")
    more = t(lang, "digest.more")
    kept, cut = rules.fit_lines(lines, reserved=len(header) + len(footer) + len(more) + 8)
    body = "\n".join([*kept, more] if cut else kept)
    return t(lang, "digest.message", header=Safe(header), lines=Safe(body), footer=Safe(footer))


async def send_digest(bot: Bot, svc: Services, building: Building, now: datetime) -> bool:
    """Post the digest; False when there was nothing to say."""
    lines = await digest_lines(svc, building, now)
    if not lines:
        return False
    text = render_digest(building.language, building.title, lines)
    keyboard = await digest_keyboard(svc, building, now)
    await bot.send_message(building.chat_id, text, reply_markup=keyboard)
    return True


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    store = PromptStore(svc.db)

    async def run_digest(item: ScheduledItem, now: datetime) -> ItemState:
        if item.building_id is None:
            return ItemState.SKIPPED
        building = await svc.buildings.get(item.building_id)
        if building is None or not building.active or not building.settings.digest_enabled:
            return ItemState.SKIPPED
        try:
            sent = await send_digest(app.bot, svc, building, now)
        except (Forbidden, BadRequest) as exc:
            log.warning("digest for group %s not delivered: %s", building.chat_id, exc.message)
            sent = False
        occurrence = datetime.fromisoformat(item.payload.get("occurrence", item.due_at.isoformat()))
        await plan_digest(svc, building, max(now, occurrence))
        return ItemState.DONE if sent else ItemState.SKIPPED

    async def planner(now: datetime) -> None:
        await plan_missing_digests(svc, store, now)

    svc.scheduler.register(rules.KIND, run_digest)
    svc.scheduler.add_planner(planner)
