"""Runs stored schedule rows when they fall due.

The database is the only truth: a PTB JobQueue (APScheduler) job polls it, so a restart needs no
rebuilding beyond starting the poll. Each row is claimed with one conditional UPDATE just before
it runs, so overlapping polls never run it twice. Its job then runs in one unit of work with the
row's "done" mark: what the job changes, the messages it leaves in the outbox and the mark commit
together. A row left claimed by a crash committed none of that and runs again at the next start
(at least once; the job's messages are keyed by the row, so none is stored twice).

What fell due while the bot was down runs at the next poll, unless it went stale (then it is
skipped). Rows are calm by default: one that falls due in its building's quiet hours (the
default ones when it has no building) waits for the morning instead of sending at night.
What one resident's action causes for another is not left to the poll: `soon` runs its row at
at the end of the action's own unit of work, inside it, and only at night leaves it for the
morning.

Due rows of different buildings run concurrently (bounded), those of one building in due order,
so a Sunday evening with hundreds of digests takes as long as the rate limits need, not longer.
Planners run before each poll to create the recurring rows derived from stored state (e.g. each
group's next digest), so nothing recurring depends on a chain that a crash could break.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.quiet_hours import QuietHours
from bot.domain.schedule import MAX_ATTEMPTS, RETRY_DELAY, ItemState, ScheduledItem
from bot.origin import origin, schedule_origin
from storage.chat_turns import ChatTurns
from storage.schedule import ScheduleStore

log = logging.getLogger(__name__)

JobHandler = Callable[[ScheduledItem, datetime], Awaitable[ItemState | None]]
"""Does the work of one due row; returns SKIPPED when it no longer made sense, else DONE/None."""

Planner = Callable[[datetime], Awaitable[None]]
"""Creates the rows that should exist at `now` (idempotent: refs are unique)."""

DEFAULT_ZONE = ZoneInfo("Europe/Amsterdam")
MAX_CONCURRENT_BUILDINGS = 32
DUE_BATCH = 500
"""Due rows read at a time; a poll reads batches until none is due."""


class Scheduler:
    def __init__(
        self,
        store: ScheduleStore,
        clock: Clock,
        *,
        zone: ZoneInfo = DEFAULT_ZONE,
        concurrency: int = MAX_CONCURRENT_BUILDINGS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.zone = zone
        self.concurrency = concurrency
        self._handlers: dict[str, JobHandler] = {}
        self._calm: dict[str, bool] = {}
        self._planners: list[Planner] = []
        self._lock = asyncio.Lock()
        self._stopping = False
        self._turns: ChatTurns | None = None

    def share(self, turns: ChatTurns) -> None:
        """Other workers run this schedule too: rows are claimed in this worker's name, and
        each poll first gives the rows of a worker that died back to the schedule."""
        self._turns = turns

    @property
    def _worker(self) -> int | None:
        return None if self._turns is None else self._turns.worker_id

    def register(self, kind: str, handler: JobHandler, *, calm: bool = True) -> None:
        """`calm=False` only for rows that never message anyone (they may then run at night)."""
        if kind in self._handlers:
            raise ValueError(f"a handler for {kind!r} is already registered")
        self._handlers[kind] = handler
        self._calm[kind] = calm

    def add_planner(self, planner: Planner) -> None:
        self._planners.append(planner)

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
        revive: bool = False,
    ) -> bool:
        return await self.store.add(
            kind, ref, due_at, self.clock.now(), building_id=building_id,
            stale_after=stale_after, payload=payload, replace=replace, revive=revive,
        )

    async def soon(
        self,
        kind: str,
        ref: str,
        *,
        building_id: int | None = None,
        stale_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """Work that one resident's action causes for someone else ("you are regular neighbours
        now", the question to the other side): done at the end of the caller's unit of work,
        inside it (so it sees all the action did), and goes out the moment that commits. In
        the building's quiet hours it is a row that waits for the morning instead. A job that
        fails here is left pending for the next poll. False when (kind, ref) existed already."""
        now = self.clock.now()
        if not await self.add(kind, ref, now, building_id=building_id, stale_after=stale_after,
                              payload=payload):
            return False
        if self._calm[kind]:
            quiet = await self.store.quiet_hours_of({building_id} if building_id else set())
            if quiet.get(building_id or 0, QuietHours()).contains(now, self.zone):
                return True

        async def run() -> None:
            await self._run_now(kind, ref, now)

        if not self.store.before_commit(run):
            await run()
        return True

    async def _run_now(self, kind: str, ref: str, now: datetime) -> None:
        item = await self.store.get(kind, ref)
        if item is None:
            return
        try:
            async with self.store.savepoint():
                if not await self.store.claim(item.id, self._worker):
                    return
                with origin(schedule_origin(item.id)):
                    outcome = await self._handlers[kind](item, now)
                await self.store.finish(item.id, outcome or ItemState.DONE, self.clock.now())
        except Exception:
            log.exception("%s %s failed at once; the schedule tries it again", kind, item.id)

    async def reschedule(
        self,
        kind: str,
        ref: str,
        due_at: datetime,
        *,
        building_id: int | None = None,
        cancel_prefix: str | None = None,
        stale_after: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """Replace what is pending of `kind` for the building (or under `cancel_prefix`) by
        (kind, ref) at `due_at`; False when that occurrence already ran."""
        return await self.store.reschedule(
            kind, ref, due_at, self.clock.now(), building_id=building_id,
            cancel_prefix=cancel_prefix, stale_after=stale_after, payload=payload,
        )

    async def cancel(self, kind: str, ref_prefix: str) -> int:
        return await self.store.cancel(kind, ref_prefix, self.clock.now())

    async def cancel_for_building(self, kind: str, building_id: int) -> int:
        return await self.store.cancel_for_building(kind, building_id, self.clock.now())

    async def recover(self) -> None:
        """Rows left running by a stop run again (with other workers: only those of a worker
        that died)."""
        gone = None
        if self._turns is not None:
            gone = await self._turns.gone(await self.store.running_claimants())
        again, skipped = await self.store.requeue_interrupted(self.clock.now(), MAX_ATTEMPTS,
                                                              gone)
        if again:
            log.warning("%d scheduled item(s) were interrupted by a stop; run again", again)
        if skipped:
            log.error("%d scheduled item(s) were interrupted %d times; skipped", skipped,
                      MAX_ATTEMPTS)

    def stop(self) -> None:
        """Take no further rows (and plan no more): the bot is stopping. Rows under way finish;
        the rest stay pending for the next start."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def run_due(self) -> int:
        """Run every row that is due now; returns how many ran (done or skipped). Rows are
        taken a batch at a time, the next batch at once while the last one was full and moved
        on (a Sunday with thousands of digests does not wait a poll between batches)."""
        async with self._lock:
            if self._stopping:
                return 0
            if self._turns is not None:
                await self.recover()
            await self._plan(self.clock.now())
            total = 0
            while not self._stopping:
                now = self.clock.now()
                batch = await self.store.due(now, DUE_BATCH)
                ran = await self._run_batch(batch, now)
                total += ran
                if len(batch) < DUE_BATCH or ran == 0:
                    break
            if total:
                # A row skipped as too late planned nothing after it: plan now, not a poll later.
                await self._plan(self.clock.now())
            return total

    async def _run_batch(self, batch: list[ScheduledItem], now: datetime) -> int:
        items = [item for item in batch if item.kind in self._handlers]
        quiet = await self.store.quiet_hours_of(
            {i.building_id for i in items if i.building_id is not None and self._calm[i.kind]}
        )
        lanes: dict[int | None, list[ScheduledItem]] = {}
        for item in items:
            lanes.setdefault(item.building_id, []).append(item)
        gate = asyncio.Semaphore(max(1, self.concurrency))
        counts = await asyncio.gather(
            *(self._run_lane(lane, now, quiet, gate) for lane in lanes.values())
        )
        return sum(counts)

    async def _plan(self, now: datetime) -> None:
        for planner in self._planners:
            if self._stopping:
                return
            try:
                await planner(now)
            except Exception:
                log.exception("a schedule planner failed")

    async def _run_lane(
        self,
        lane: list[ScheduledItem],
        now: datetime,
        quiet: dict[int, QuietHours],
        gate: asyncio.Semaphore,
    ) -> int:
        ran = 0
        async with gate:
            for item in lane:
                if self._stopping:
                    break
                if self._calm[item.kind]:
                    hours = quiet.get(item.building_id or 0, QuietHours())
                    if hours.contains(now, self.zone):
                        ran += await self._wait_for_morning(item, hours, now)
                        continue
                ran += await self._run_one(item, now)
        return ran

    async def _wait_for_morning(self, item: ScheduledItem, hours: QuietHours, now: datetime) -> int:
        morning = hours.next_allowed(now, self.zone)
        if item.is_stale(morning):
            if await self.store.claim(item.id, self._worker):
                await self.store.finish(item.id, ItemState.SKIPPED, now)
                return 1
            return 0
        await self.store.postpone(item.id, morning)
        return 0

    async def _run_one(self, item: ScheduledItem, now: datetime) -> int:
        handler = self._handlers[item.kind]
        if not await self.store.claim(item.id, self._worker):
            return 0
        if item.is_stale(now):
            await self.store.finish(item.id, ItemState.SKIPPED, now)
            return 1
        try:
            async with self.store.unit_of_work():
                with origin(schedule_origin(item.id)):
                    outcome = await handler(item, now)
                await self.store.finish(item.id, outcome or ItemState.DONE, self.clock.now())
        except Exception:
            log.exception("scheduled %s %s failed", item.kind, item.id)
            if item.attempts + 1 < MAX_ATTEMPTS:
                await self.store.retry_later(item.id, now + RETRY_DELAY)
            else:
                await self.store.finish(item.id, ItemState.SKIPPED, now)
        return 1
