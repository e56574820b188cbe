"""One transaction per update or job: the unit of work, the outbox table and who waits for whom."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Chat, Message, Update

from bot.clock import FakeClock
from bot.domain.schedule import ItemState, ScheduledItem
from bot.durable import PerChatUpdateProcessor
from bot.press_answers import HeldAnswers, hold
from bot.scheduler import Scheduler
from handlers.kit.delivery import OutboxDelivery
from handlers.kit.send import CardRef, Messenger, Method, Outgoing
from storage.db import Database
from storage.outbox import OutboxStore
from storage.schedule import ScheduleStore
from tests import postgres_server

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_location: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(database_location)
    await database.execute(
        database.sql.schema("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"))
    yield database
    await database.close()


async def notes(db: Database) -> list[str]:
    return [row[0] for row in await db.fetch_all("SELECT text FROM notes ORDER BY id")]


async def test_a_unit_commits_everything_together_and_then_runs_its_callbacks(db: Database) -> None:
    woken: list[str] = []
    async with db.unit_of_work():
        await db.execute("INSERT INTO notes (text) VALUES ('a')")
        db.after_commit(lambda: woken.append("after"))
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (text) VALUES ('b')")
        assert woken == []
        assert db.in_unit_of_work
    assert woken == ["after"]
    assert await notes(db) == ["a", "b"]
    assert not db.in_unit_of_work


async def test_an_escaping_error_rolls_back_the_whole_unit_and_drops_its_callbacks(
    db: Database,
) -> None:
    woken: list[str] = []
    with pytest.raises(RuntimeError):
        async with db.unit_of_work():
            await db.execute("INSERT INTO notes (text) VALUES ('a')")
            db.after_commit(lambda: woken.append("after"))
            raise RuntimeError("handler failed")
    assert woken == []
    assert await notes(db) == []


async def test_a_nested_transaction_that_fails_undoes_only_itself(db: Database) -> None:
    async with db.unit_of_work():
        await db.execute("INSERT INTO notes (text) VALUES ('kept')")
        with pytest.raises(ValueError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO notes (text) VALUES ('undone')")
                raise ValueError("bad input")
    assert await notes(db) == ["kept"]


@pytest.mark.sqlite_only(reason="SQLite's one lock; PostgreSQL lets readers go on (next test)")
async def test_other_tasks_wait_for_the_unit_and_see_only_its_commit(db: Database) -> None:
    seen: list[list[str]] = []
    inside = asyncio.Event()
    release = asyncio.Event()

    async def unit() -> None:
        async with db.unit_of_work():
            await db.execute("INSERT INTO notes (text) VALUES ('a')")
            inside.set()
            await release.wait()
            await db.execute("INSERT INTO notes (text) VALUES ('b')")

    async def reader() -> None:
        await inside.wait()
        seen.append(await notes(db))

    running = asyncio.gather(unit(), reader())
    await inside.wait()
    await asyncio.sleep(0.05)
    assert seen == []  # the reader waits for the unit
    release.set()
    await running
    assert seen == [["a", "b"]]


@pytest.mark.skipif(not postgres_server.on_postgresql(), reason="PostgreSQL's row locks")
async def test_on_postgresql_other_tasks_go_on_and_see_only_a_units_commit(db: Database) -> None:
    """Each unit is its own transaction on its own connection: a reader neither waits for an
    open unit nor sees what it did before its commit."""
    inside = asyncio.Event()
    release = asyncio.Event()

    async def unit() -> None:
        async with db.unit_of_work():
            await db.execute("INSERT INTO notes (text) VALUES ('a')")
            inside.set()
            await release.wait()
            await db.execute("INSERT INTO notes (text) VALUES ('b')")

    running = asyncio.create_task(unit())
    await inside.wait()
    assert await asyncio.wait_for(notes(db), 5.0) == []
    async with db.unit_of_work():
        await db.execute("INSERT INTO notes (text) VALUES ('c')")
    release.set()
    await running
    assert sorted(await notes(db)) == ["a", "b", "c"]


async def test_a_unit_takes_the_lock_only_from_its_first_statement(db: Database) -> None:
    """Waiting for Telegram before touching the database holds nobody up."""
    waiting = asyncio.Event()
    release = asyncio.Event()

    async def unit() -> None:
        async with db.unit_of_work():
            waiting.set()
            await release.wait()
            await db.execute("INSERT INTO notes (text) VALUES ('late')")

    task = asyncio.create_task(unit())
    await waiting.wait()
    await asyncio.wait_for(db.execute("INSERT INTO notes (text) VALUES ('other')"), 1.0)
    release.set()
    await task
    assert await notes(db) == ["other", "late"]


@pytest.mark.sqlite_only(reason="the child waits for SQLite's one lock")
async def test_a_task_started_inside_a_unit_is_not_part_of_it(db: Database) -> None:
    async with db.unit_of_work():
        await db.execute("INSERT INTO notes (text) VALUES ('unit')")
        child = asyncio.create_task(db.execute("INSERT INTO notes (text) VALUES ('child')"))
        await asyncio.sleep(0.05)
        assert not child.done()  # it waits for the unit like any other task
    await child
    assert await notes(db) == ["unit", "child"]


async def test_messages_are_stored_only_with_the_change_that_caused_them(db: Database) -> None:
    woken: list[int] = []
    store = OutboxStore(db)
    out = Messenger(lambda user_id, kind: _yes())
    out.attach(OutboxDelivery(db, store, FakeClock(NOW), woken.append, lambda: False))
    with pytest.raises(RuntimeError):
        async with db.unit_of_work():
            await out.message(-5, "never")
            raise RuntimeError("handler failed")
    assert await store.pending_count() == 0 and woken == []
    async with db.unit_of_work():
        await out.message(-5, "hello")
        await out.message(-5, "hello", key="once")
        await out.message(-5, "hello again", key="once")
        assert woken == []
    assert set(woken) == {-5}
    assert await store.pending_count(-5) == 2


async def _yes() -> bool:
    return True


async def test_a_newer_card_edit_replaces_the_waiting_one_and_keeps_its_time(db: Database) -> None:
    store = OutboxStore(db)
    card = CardRef(kind="request", item_id=7)

    async def edit(text: str, not_before: float) -> int | None:
        item = Outgoing(chat_id=-5, method=Method.EDIT, card=card, text=text)
        return await store.add(chat_id=-5, method=item.method.value, payload=item.model_dump_json(),
                               not_before=not_before, now=NOW, card_key=card.key)

    post = await store.add(chat_id=-5, method="sendMessage", payload="{}", not_before=0.0,
                           now=NOW, card_key=card.key)
    await edit("first", 100.0)
    latest = await edit("second", 101.0)
    assert await store.pending_count(-5) == 2  # the post and one edit
    row, _ = await store.next_for(-5, now=50.0)
    assert row is not None and row.id == post
    assert await store.mark_sent(post, NOW)
    row, later = await store.next_for(-5, now=50.0)
    assert row is None and later == 100.0  # the edit settles, at the first edit's time
    row, _ = await store.next_for(-5, now=100.0)
    assert row is not None and row.id == latest and '"second"' in row.payload


async def test_a_row_that_failed_holds_the_rows_behind_it_a_settling_one_does_not(
    db: Database,
) -> None:
    store = OutboxStore(db)
    settling = await store.add(chat_id=-5, method="editMessageText", payload="{}",
                               not_before=200.0, now=NOW, card_key="idea:1")
    plain = await store.add(chat_id=-5, method="sendMessage", payload="{}", not_before=0.0,
                            now=NOW)
    row, _ = await store.next_for(-5, now=100.0)
    assert row is not None and row.id == plain
    assert plain is not None and settling is not None
    await store.retry_later(plain, 150.0, "NetworkError")
    await store.retry_later(settling, 160.0, "NetworkError")
    row, _ = await store.next_for(-5, now=100.0)
    assert row is not None and row.id == settling and row.not_before == 160.0


async def test_a_job_and_its_done_mark_commit_together(db: Database) -> None:
    clock = FakeClock(NOW)
    schedule = ScheduleStore(db)
    scheduler = Scheduler(schedule, clock)
    store = OutboxStore(db)
    out = Messenger(lambda user_id, kind: _yes())
    out.attach(OutboxDelivery(db, store, clock, lambda chat_id: None, lambda: False))
    fail = True

    async def remind(item: ScheduledItem, now: datetime) -> ItemState | None:
        await out.message(-5, f"reminder {item.ref}")
        if fail:
            raise RuntimeError("went wrong after sending")
        return None

    scheduler.register("remind", remind)
    await scheduler.add("remind", "a", NOW)
    assert await scheduler.run_due() == 1
    assert await store.pending_count() == 0  # rolled back with the failed job
    fail = False
    clock.advance(timedelta(minutes=6))
    assert await scheduler.run_due() == 1
    item = await schedule.get("remind", "a")
    assert item is not None and item.state is ItemState.DONE
    keys = [row[0] for row in await db.fetch_all("SELECT key FROM outbox")]
    assert keys == [f"s{item.id}:0"]


async def test_a_job_interrupted_by_a_crash_runs_again_at_start(db: Database) -> None:
    clock = FakeClock(NOW)
    schedule = ScheduleStore(db)
    ran: list[str] = []

    async def remind(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        return None

    await schedule.add("remind", "a", NOW, NOW)
    [item] = await schedule.due(NOW)
    assert await schedule.claim(item.id)  # and then the process died
    scheduler = Scheduler(schedule, clock)
    scheduler.register("remind", remind)
    await scheduler.recover()
    assert await scheduler.run_due() == 1
    assert ran == ["a"]


async def test_updates_waiting_for_their_chat_hold_no_place_other_chats_need() -> None:
    processor = PerChatUpdateProcessor(max_running=2)
    busy = asyncio.Event()
    done: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    def update(chat_id: int) -> Update:
        chat = Chat(chat_id, "group")
        return Update(1, message=Message(1, NOW, chat))

    busy_group = [
        asyncio.create_task(processor.process_update(update(-1), handle(f"group {n}", busy)))
        for n in range(5)
    ]
    await asyncio.sleep(0.05)
    await asyncio.wait_for(processor.process_update(update(42), handle("private")), 1.0)
    assert done == ["private"]
    busy.set()
    await asyncio.gather(*busy_group)
    assert done[1:] == [f"group {n}" for n in range(5)]


async def test_a_press_answered_inside_a_unit_is_answered_once_it_ended(db: Database) -> None:
    """The answer does not hold the database for a round trip to Telegram: it leaves once the
    update's unit of work has committed, in its own task; outside an update it leaves at once."""
    answers = HeldAnswers()
    seen: list[list[str]] = []

    async def answer() -> None:
        seen.append(await notes(db))

    async with answers.around_update(), db.unit_of_work():
        await db.execute("INSERT INTO notes (text) VALUES ('claimed')")
        assert hold(answer)
        await asyncio.sleep(0.01)
        assert seen == [] and answers.waiting == 1  # held while the unit holds the database
    await answers.finish(timeout=5)
    assert seen == [["claimed"]]
    assert answers.waiting == 0
    assert not hold(answer)


@pytest.mark.sqlite_only(reason="group commit syncs SQLite's write-ahead log")
async def test_every_unit_is_on_disk_before_it_returns(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit through units of work: no unit returns before an fsync of the log that
    began after its commit. (How many syncs the ten share depends on how fast the disk is;
    that commits ending together share one is shown in test_group_commit.py.)"""
    synced: list[int] = []
    fsync = os.fsync

    def counting(fd: int) -> None:
        synced.append(fd)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", counting)
    returned_after: list[int] = []

    async def unit(n: int) -> None:
        async with db.unit_of_work():
            await db.execute("INSERT INTO notes (text) VALUES (?)", (f"n{n}",))
        returned_after.append(len(synced))

    await asyncio.gather(*(unit(n) for n in range(10)))
    assert sorted(await notes(db)) == sorted(f"n{n}" for n in range(10))
    assert all(count >= 1 for count in returned_after)
    assert 1 <= len(synced) <= 10
    before = len(synced)
    async with db.unit_of_work():
        await db.fetch_all("SELECT * FROM notes")
    assert len(synced) == before  # a unit that changed nothing needs no sync


async def test_between_commit_and_its_callbacks_the_database_says_it_is_finishing(
        db: Database) -> None:
    """Its changes are visible before the worker is woken: whoever asks whether the bot is idle
    must see it busy until then; a task a callback starts runs outside the finished unit."""
    seen: list[tuple[bool, bool]] = []
    started: list[asyncio.Task[bool]] = []

    async def in_unit() -> bool:
        return db.in_unit_of_work

    def woken() -> None:
        seen.append((db.finishing, db.in_unit_of_work))
        started.append(asyncio.create_task(in_unit()))

    async with db.unit_of_work():
        await db.execute("CREATE TABLE t (x INTEGER)")
        db.after_commit(woken)
        assert not db.finishing
    assert seen == [(True, False)]
    assert not db.finishing
    assert await started[0] is False
