"""The figures' data: a building's report read from storage, and a worker's own details.

`building_report` is the one place a building's figures are put together, so its group and its
workers always get the same. `WorkerData` is the worker's name and organisation, as they typed
them: exported, forgotten and expired with everyone else's data.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.domain.community import Building
from bot.domain.insights import MIN_RESIDENTS, BuildingInsights, building_insights
from bot.domain.periods import last_full_month, last_full_week, recent_weeks, weeks_of
from bot.domain.raw_figures import RawFigures
from bot.domain.requests import RequestKind
from bot.i18n import t
from bot.services import Services
from handlers.common import group_language
from storage.insights import InsightStore, WorkerStore

log = logging.getLogger(__name__)

KINDS = [kind.value for kind in RequestKind]


async def building_report(svc: Services, building: Building, now: datetime) -> BuildingInsights:
    """The figures of one building; everything shown about it comes from here."""
    store = InsightStore(svc.db)
    ever = await store.residents_ever(building.chat_id)
    zone = svc.settings.zone
    week, month = last_full_week(now, zone), last_full_month(now, zone)
    if ever < MIN_RESIDENTS:
        return building_insights(building.chat_id, building.title, ever, (week, RawFigures()),
                                 (month, RawFigures()), [], [], KINDS)
    trend = [(period, await store.figures(building.chat_id, period, now))
             for period in recent_weeks(now, zone)]
    month_weeks = [(period, await store.figures(building.chat_id, period, now))
                   for period in weeks_of(month)]
    # Checking what a month beside its weeks gives away is a search: off the event loop.
    return await asyncio.to_thread(
        building_insights, building.chat_id, building.title, ever,
        (week, await store.figures(building.chat_id, week, now)),
        (month, await store.figures(building.chat_id, month, now)),
        month_weeks, trend, KINDS,
    )


class WorkerData:
    """A worker's name and organisation, as they typed them: exported, forgotten, expired."""

    name = "insights_workers"

    def __init__(self, app: Application, svc: Services) -> None:  # type: ignore[type-arg]
        self._app = app
        self._svc = svc
        self._store = WorkerStore(svc.db)

    async def export(self, user_id: int) -> dict[str, Any]:
        return await self._store.export(user_id)

    async def forget(self, user_id: int, now: datetime) -> None:
        """Stop everything; each group that still shared its figures is told who stopped."""
        for consent in await self._store.forget(user_id, now):
            lang = await group_language(self._svc, consent.building_id)
            try:
                await self._app.bot.send_message(
                    consent.building_id,
                    t(lang, "workers.stop.done", name=consent.name, organisation=consent.organisation),
                )
            except TelegramError:
                log.info("a group could not be told that a community worker stopped")

    async def expire(self, before: datetime) -> int:
        return await self._store.expire(before)
