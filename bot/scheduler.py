"""Runs stored schedule rows when they fall due.

The database is the only truth: a PTB JobQueue (APScheduler) job polls it, so a restart needs no
rebuilding beyond starting the poll. Each row is claimed with one conditional UPDATE before it
runs, so it runs at most once, even across restarts and overlapping polls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.domain.schedule import MAX_ATTEMPTS, RETRY_DELAY, ItemState, ScheduledItem
from storage.schedule import ScheduleStore

log = logging.getLogger(__name__)

JobHandler = Callable[[ScheduledItem, datetime], Awaitable[ItemState | None]]
"""Does the work of one due row; returns SKIPPED when it no longer made sense, else DONE/None."""


class Scheduler:
    def __init__(self, store: ScheduleStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._handlers: dict[str, JobHandler] = {}
        self._lock = asyncio.Lock()

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"a handler for {kind!r} is already registered")
        self._handlers[kind] = handler

    async def add(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        *,
        building_id: int | None = None,
        stale_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
        replace: bool = False,
    ) -> bool:
        return await self.store.add(
            kind, ref, due_at, self.clock.now(), building_id=building_id,
            stale_after=stale_after, payload=payload, replace=replace,
        )

    async def cancel(self, kind: str, ref_prefix: str) -> int:
        return await self.store.cancel(kind, ref_prefix, self.clock.now())

    async def recover(self) -> None:
        settled = await self.store.settle_interrupted(self.clock.now())
        if settled:
            log.warning("%d scheduled item(s) were interrupted by a stop; not sent again", settled)

    async def run_due(self) -> int:
        """Run every row that is due now; returns how many ran (done or skipped)."""
        async with self._lock:
            ran = 0
            now = self.clock.now()
            for item in await self.store.due(now):
                handler = self._handlers.get(item.kind)
                if handler is None:
                    continue
                if not await self.store.claim(item.id):
                    continue
                ran += 1
                if item.is_stale(now):
                    await self.store.finish(item.id, ItemState.SKIPPED, now)
                    continue
                try:
                    outcome = await handler(item, now)
                except Exception:
                    log.exception("scheduled %s %s failed", item.kind, item.id)
                    if item.attempts + 1 < MAX_ATTEMPTS:
                        await self.store.retry_later(item.id, now + RETRY_DELAY)
                    else:
                        await self.store.finish(item.id, ItemState.SKIPPED, now)
                    continue
                await self.store.finish(item.id, outcome or ItemState.DONE, self.clock.now())
            return ran
