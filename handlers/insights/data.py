"""The figures' data: a building's report read from storage, and a worker's own details.

`building_report` is the one place a building's figures are put together, so its group and its
workers always get the same. `WorkerData` is what the bot keeps of a worker (name and
organisation, as they typed them) and of a resident's objections: exported, forgotten and expired
with everyone else's data.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from bot.domain.community import Building
from bot.domain.insights import MIN_RESIDENTS, BuildingInsights, PeriodData, building_insights
from bot.domain.periods import (
    Period,
    last_full_month,
    last_full_quarter,
    last_full_week,
    months_of,
    recent_weeks,
    weeks_of,
)
from bot.domain.raw_figures import RawFigures
from bot.domain.requests import RequestKind
from bot.services import Services
from handlers.insights.consent import after_forget

KINDS = [kind.value for kind in RequestKind]


async def _period(svc: Services, building_id: int, period: Period, now: datetime,
                  parts: list[PeriodData] | None = None) -> PeriodData:
    raw = await svc.stores.insights.figures(building_id, period, now)
    return PeriodData(period=period, raw=raw, parts=parts or [])


async def _month(svc: Services, building_id: int, month: Period, now: datetime) -> PeriodData:
    weeks = [await _period(svc, building_id, week, now) for week in weeks_of(month)]
    return await _period(svc, building_id, month, now, weeks)


async def building_report(svc: Services, building: Building, now: datetime) -> BuildingInsights:
    """The figures of one building; everything shown about it comes from here."""
    store = svc.stores.insights
    ever = await store.residents_ever(building.chat_id)
    zone = svc.settings.zone
    week, month = last_full_week(now, zone), last_full_month(now, zone)
    if ever < MIN_RESIDENTS:
        return building_insights(building.chat_id, building.title, ever, (week, RawFigures()),
                                 (month, RawFigures()), [], [], KINDS)
    trend = [(period, await store.figures(building.chat_id, period, now))
             for period in recent_weeks(now, zone)]
    month_data = await _month(svc, building.chat_id, month, now)
    quarter = last_full_quarter(now, zone)
    months = [await _month(svc, building.chat_id, part, now) for part in months_of(quarter)]
    quarter_data = await _period(svc, building.chat_id, quarter, now, months)
    # Checking what a month or quarter beside its weeks gives away is a search: off the loop.
    return await asyncio.to_thread(
        building_insights, building.chat_id, building.title, ever,
        (week, await store.figures(building.chat_id, week, now)),
        (month, month_data.raw), [(part.period, part.raw) for part in month_data.parts],
        trend, KINDS, quarter_data,
    )


class WorkerData:
    """A worker's name and organisation, and a resident's objections: exported, forgotten,
    expired."""

    name = "insights_workers"

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._store = svc.stores.workers

    async def export(self, user_id: int) -> dict[str, Any]:
        return await self._store.export(user_id)

    async def forget(self, user_id: int, now: datetime) -> None:
        """Stop everything; each group that still had this worker is told who stopped."""
        for consent in await self._store.forget(user_id, now):
            await after_forget(self._svc, consent)

    async def expire(self, before: datetime) -> int:
        return await self._store.expire(before)
