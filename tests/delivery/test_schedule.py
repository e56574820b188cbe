from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.domain.quiet_hours import QuietHours
from bot.domain.schedule import ItemState, ScheduledItem
from bot.scheduler import Scheduler
from storage.db import Database
from storage.schedule import ScheduleStore
from tests.harness import AMS, local


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 11, 22, 12, 0), local(2026, 11, 22, 12, 0)),
        (local(2026, 11, 22, 21, 30), local(2026, 11, 23, 8, 30)),
        (local(2026, 11, 22, 23, 59), local(2026, 11, 23, 8, 30)),
        (local(2026, 11, 23, 3, 0), local(2026, 11, 23, 8, 30)),
        (local(2026, 11, 23, 8, 30), local(2026, 11, 23, 8, 30)),
        (local(2026, 3, 29, 1, 0), local(2026, 3, 29, 8, 30)),
    ],
)
def test_quiet_hours_move_to_the_morning(moment: datetime, expected: datetime) -> None:
    assert QuietHours().next_allowed(moment, AMS) == expected


def test_latest_before_quiet_hours() -> None:
    quiet = QuietHours()
    assert quiet.latest_before(local(2026, 11, 22, 23, 0), AMS) == local(2026, 11, 22, 21, 29)
    assert quiet.latest_before(local(2026, 11, 23, 7, 0), AMS) == local(2026, 11, 22, 21, 29)
    assert quiet.latest_before(local(2026, 11, 23, 12, 0), AMS) == local(2026, 11, 23, 12, 0)


def test_daytime_quiet_window() -> None:
    quiet = QuietHours(start=time(13, 0), end=time(14, 0))
    assert quiet.contains(local(2026, 1, 1, 13, 30), AMS)
    assert not quiet.contains(local(2026, 1, 1, 14, 0), AMS)


@pytest.fixture
async def scheduler(database_location: Path | str) -> Scheduler:
    db = await Database.open(database_location)
    clock = FakeClock(datetime(2026, 11, 22, 10, 0, tzinfo=UTC))
    yield Scheduler(ScheduleStore(db), clock)
    await db.close()


async def test_runs_when_due_once_and_skips_stale(scheduler: Scheduler) -> None:
    ran: list[str] = []

    async def remind(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        return None

    scheduler.register("remind", remind)
    clock = scheduler.clock
    assert isinstance(clock, FakeClock)
    start = clock.now()
    await scheduler.add("remind", "a", start + timedelta(hours=1))
    await scheduler.add("remind", "b", start + timedelta(hours=1),
                        stale_after=start + timedelta(hours=2))
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(hours=3))
    assert await scheduler.run_due() == 2
    assert ran == ["a"]
    assert await scheduler.run_due() == 0
    stale = await scheduler.store.get("remind", "b")
    assert stale is not None and stale.state is ItemState.SKIPPED


async def test_failure_is_retried_then_given_up(scheduler: Scheduler) -> None:
    calls = 0

    async def flaky(item: ScheduledItem, now: datetime) -> ItemState | None:
        nonlocal calls
        calls += 1
        raise RuntimeError("network down")

    scheduler.register("flaky", flaky)
    clock = scheduler.clock
    assert isinstance(clock, FakeClock)
    await scheduler.add("flaky", "x", clock.now())
    for _ in range(5):
        await scheduler.run_due()
        clock.advance(timedelta(minutes=6))
    assert calls == 3
    item = await scheduler.store.get("flaky", "x")
    assert item is not None and item.state is ItemState.SKIPPED


async def test_one_run_takes_every_due_row_a_batch_at_a_time(
    scheduler: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.scheduler.DUE_BATCH", 3)
    ran: list[str] = []

    async def post(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        return None

    scheduler.register("post", post, calm=False)
    for n in range(7):
        await scheduler.add("post", f"g{n}", scheduler.clock.now())
    assert await scheduler.run_due() == 7
    assert sorted(ran) == [f"g{n}" for n in range(7)]


async def test_a_stop_takes_no_further_rows_and_leaves_them_pending(scheduler: Scheduler) -> None:
    ran: list[str] = []

    async def post(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        scheduler.stop()
        return None

    scheduler.register("post", post, calm=False)
    start = scheduler.clock.now()
    for n in range(3):
        await scheduler.add("post", f"p{n}", start - timedelta(seconds=3 - n))
    assert await scheduler.run_due() == 1
    assert ran == ["p0"]
    assert await scheduler.run_due() == 0
    left = [await scheduler.store.get("post", f"p{n}") for n in (1, 2)]
    assert all(item is not None and item.state is ItemState.PENDING for item in left)
async def test_soon_runs_at_once_in_the_callers_unit_of_work(scheduler: Scheduler) -> None:
    ran: list[str] = []

    async def tell(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        return None

    scheduler.register("tell", tell)
    async with scheduler.store.unit_of_work():
        assert await scheduler.soon("tell", "a")
        assert not await scheduler.soon("tell", "a")  # one row per (kind, ref): said once
    assert ran == ["a"]
    done = await scheduler.store.get("tell", "a")
    assert done is not None and done.state is ItemState.DONE
    with pytest.raises(RuntimeError):
        async with scheduler.store.unit_of_work():
            await scheduler.soon("tell", "b")
            raise RuntimeError("the action that caused it failed")
    assert await scheduler.store.get("tell", "b") is None  # rolled back with its cause


async def test_soon_waits_for_the_morning_at_night(scheduler: Scheduler) -> None:
    ran: list[str] = []

    async def tell(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        return None

    scheduler.register("tell", tell)
    clock = scheduler.clock
    assert isinstance(clock, FakeClock)
    clock.set(local(2026, 11, 22, 23, 0))
    assert await scheduler.soon("tell", "night")
    assert ran == []
    assert await scheduler.run_due() == 0  # postponed to 08:30, not run
    clock.set(local(2026, 11, 23, 8, 30))
    assert await scheduler.run_due() == 1
    assert ran == ["night"]


async def test_soon_leaves_a_failing_job_to_the_poll(scheduler: Scheduler) -> None:
    attempts: list[int] = []

    async def flaky(item: ScheduledItem, now: datetime) -> ItemState | None:
        attempts.append(item.attempts)
        if len(attempts) == 1:
            raise RuntimeError("the first try fails")
        return None

    scheduler.register("flaky", flaky)
    assert await scheduler.soon("flaky", "x")
    waiting = await scheduler.store.get("flaky", "x")
    assert waiting is not None and waiting.state is ItemState.PENDING
    assert await scheduler.run_due() == 1
    done = await scheduler.store.get("flaky", "x")
    assert done is not None and done.state is ItemState.DONE
    assert len(attempts) == 2
