"""What lets several workers share one PostgreSQL, piece by piece: chat turns that a worker's
death frees, schedule rows claimed once (and given back only when their worker died), and an
update's handled mark set only once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Update

from bot.clock import FakeClock
from bot.domain.schedule import ItemState, ScheduledItem
from bot.scheduler import Scheduler
from bot.shared_inbox import SharedInbox
from storage.chat_turns import ChatTurns, Kind
from storage.db import Database
from storage.inbox import UpdateInbox
from storage.schedule import ScheduleStore
from tests import postgres_server

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
GROUP = -1001234567890
only_postgresql = pytest.mark.skipif(
    not postgres_server.on_postgresql(),
    reason="turns and row locks between workers: runs in the PostgreSQL pass")


@pytest.fixture
async def db(database_location: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(database_location)
    yield database
    await database.close()


async def test_an_update_is_marked_handled_once(db: Database) -> None:
    inbox = UpdateInbox(db)
    assert await inbox.store_new(7, {"update_id": 7}, NOW, GROUP)
    assert not await inbox.store_new(7, {"update_id": 7}, NOW, GROUP)
    assert await inbox.waiting_in(GROUP, 0, 10) == [(7, {"update_id": 7})]
    assert await inbox.chats_waiting() == [GROUP]
    assert await inbox.mark_handled(7, NOW)
    assert not await inbox.mark_handled(7, NOW), "the second mark changes nothing"
    assert await inbox.waiting_in(GROUP, 0, 10) == []
    assert await inbox.mark_handled(8, NOW), "an update never stored is marked too"


@only_postgresql
async def test_a_turn_is_one_workers_until_given_back_or_its_worker_dies(db: Database) -> None:
    url = str(db.location)
    first, second = await ChatTurns.open(url), await ChatTurns.open(url)
    try:
        assert await first.take(Kind.INBOX, GROUP)
        assert not await second.take(Kind.INBOX, GROUP)
        assert await second.take(Kind.OUTBOX, GROUP), "the outbox's turn is another"
        assert await second.free(Kind.INBOX, [GROUP, 42]) == [42]
        await first.give_back(Kind.INBOX, GROUP)
        assert await second.take(Kind.INBOX, GROUP)
        assert await first.gone([first.worker_id, second.worker_id, 99]) == [99]
        await second.close()
        assert await first.gone([second.worker_id]) == [second.worker_id]
        assert await first.take(Kind.INBOX, GROUP), "a closed session holds nothing"
        assert await first.take(Kind.OUTBOX, GROUP)
    finally:
        await first.close()
        await second.close()


@only_postgresql
async def test_a_row_being_claimed_elsewhere_is_passed_over_at_once(db: Database) -> None:
    store = ScheduleStore(db)
    assert await store.add("remind", "a", NOW, NOW)
    item = await store.get("remind", "a")
    assert item is not None
    other = await Database.open(db.location, migrate=False)
    try:
        async with other.unit_of_work():
            await other.execute("UPDATE schedule SET payload = payload WHERE id = ?", (item.id,))
            assert not await asyncio.wait_for(store.claim(item.id, 1), timeout=5)
        assert await store.claim(item.id, 1)
        assert not await store.claim(item.id, 2)
    finally:
        await other.close()


@only_postgresql
async def test_only_the_rows_of_a_worker_that_died_run_again(db: Database) -> None:
    url = str(db.location)
    alive, dying = await ChatTurns.open(url), await ChatTurns.open(url)
    store = ScheduleStore(db)
    for ref in ("a", "b"):
        await store.add("remind", ref, NOW, NOW)
    for ref, worker in (("a", alive), ("b", dying)):
        row = await store.get("remind", ref)
        assert row is not None and await store.claim(row.id, worker.worker_id)
    await dying.close()
    ran: list[str] = []

    async def remind(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        return None

    scheduler = Scheduler(store, FakeClock(NOW))
    scheduler.register("remind", remind)
    scheduler.share(alive)
    try:
        assert await scheduler.run_due() == 1
        assert ran == ["b"], "the living worker's row is left to it"
        still = await store.get("remind", "a")
        assert still is not None and still.state is ItemState.RUNNING
        done = await store.get("remind", "b")
        assert done is not None and done.state is ItemState.DONE and done.attempts == 2
    finally:
        await alive.close()


@only_postgresql
async def test_two_workers_handle_each_chats_updates_once_and_in_order(db: Database) -> None:
    """Updates of three chats reach two workers in turn, as from a load balancer; handling one
    takes a moment. Each is handled once, and each chat's in update-id order."""
    inbox = UpdateInbox(db)
    clock = FakeClock(NOW)
    handled: list[tuple[int, int]] = []
    chats = (GROUP, -2002, 3003)
    all_handled = asyncio.Event()

    def handler(worker: int) -> Callable[[Update], Awaitable[None]]:
        async def handle(update: Update) -> None:
            handled.append((worker, update.update_id))
            await asyncio.sleep(0.002 * (update.update_id % 3))
            assert await inbox.mark_handled(update.update_id, NOW)
            if not await inbox.chats_waiting():
                all_handled.set()
        return handle

    turns = [await ChatTurns.open(str(db.location)) for _ in range(2)]
    workers = [SharedInbox(inbox, own, clock, lambda item: Update(item["update_id"]),
                           handler(number)) for number, own in enumerate(turns)]
    try:
        for update_id in range(1, 61):
            chat = chats[update_id % len(chats)]
            assert await inbox.store_new(update_id, {"update_id": update_id}, NOW, chat)
            workers[update_id % 2].arrived(chat)
            await asyncio.sleep(0)
        await asyncio.wait_for(all_handled.wait(), timeout=30)
    finally:
        for worker, own in zip(workers, turns, strict=True):
            await worker.stop()
            await own.close()
    ids = [update_id for _, update_id in handled]
    assert sorted(ids) == list(range(1, 61)), "each update handled once"
    for chat in chats:
        mine = [update_id for update_id in ids if chats[update_id % len(chats)] == chat]
        assert mine == sorted(mine), "a chat's updates in update-id order"
    assert {worker for worker, _ in handled} == {0, 1}, "both workers took turns"
