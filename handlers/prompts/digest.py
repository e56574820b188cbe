"""The weekly digest in each group: what is open, what is coming, how often neighbours helped.

Each digest is a schedule row (one per group per local date), planned from the group's settings
(see `jobs`). Nothing is posted when no feature has anything to say.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot.domain import digest as rules
from bot.domain.community import Building
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers.kit.buttons import keyboard
from handlers.prompts.jobs import post_key
from handlers.prompts.links import link_to

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


async def digest_keyboard(svc: Services, building: Building) -> InlineKeyboardMarkup:
    lang, chat_id = building.language, building.chat_id
    return keyboard([
        await link_to(svc, plain(lang, "digest.button.ask"), ASK_LINK, chat_id),
        await link_to(svc, plain(lang, "digest.button.activity"), ACTIVITY_LINK, chat_id),
    ])


def render_digest(lang: str, title: str, lines: list[str]) -> str:
    header = t(lang, "digest.title", building=title)
    footer = t(lang, "digest.footer")
    more = t(lang, "digest.more")
    kept, cut = rules.fit_lines(lines, reserved=len(header) + len(footer) + len(more) + 8)
    body = "\n".join([*kept, more] if cut else kept)
    return t(lang, "digest.message", header=Safe(header), lines=Safe(body), footer=Safe(footer))


async def send_digest(svc: Services, building: Building, now: datetime, *,
                      key: str | None = None) -> bool:
    """Post the digest; False when there was nothing to say."""
    lines = await digest_lines(svc, building, now)
    if not lines:
        return False
    text = render_digest(building.language, building.title, lines)
    await svc.out.message(building.chat_id, text, keyboard=await digest_keyboard(svc, building),
                          key=key)
    return True


class WeeklyDigest:
    """The digest as a scheduled group post."""

    kind = rules.KIND
    switch = "digest_enabled"

    def __init__(self, svc: Services) -> None:
        self._svc = svc

    async def post(self, building: Building, item: ScheduledItem, now: datetime) -> bool:
        return await send_digest(self._svc, building, now, key=post_key(item))

    async def plan_next(self, building: Building, item: ScheduledItem | None,
                        now: datetime) -> None:
        if item is None:
            since = max(building.added_at, now - rules.GRACE)
        else:
            occurrence = item.payload.get("occurrence", item.due_at.isoformat())
            since = max(now, datetime.fromisoformat(occurrence))
        await plan_digest(self._svc, building, since)
