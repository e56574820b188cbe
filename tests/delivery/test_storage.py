from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.community import MemberStatus
from bot.domain.schedule import ItemState
from storage.community import BuildingStore, MembershipStore, ResidentStore
from storage.db import Database, available_migrations
from storage.deep_links import DeepLinkStore
from storage.inbox import UpdateInbox
from storage.schedule import ScheduleStore
from tests import postgres_server

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_location: Path | str) -> Database:
    database = await Database.open(database_location)
    yield database
    await database.close()


async def test_migrations_are_recorded_and_forward_only(blank_database_location: Path | str) -> None:
    first = await Database.open(blank_database_location)
    latest = available_migrations()[-1][0]
    assert await first.schema_version() == latest
    assert await first.migrate() == []
    await first.close()
    again = await Database.open(blank_database_location)
    assert await again.schema_version() == latest
    await again.close()


@pytest.mark.sqlite_only(reason="SQLite's journal mode and foreign-key switch")
async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    again = await Database.open(tmp_path / "m.sqlite3")
    assert await again.fetch_value("PRAGMA journal_mode") == "wal"
    assert await again.fetch_value("PRAGMA foreign_keys") == 1
    await again.close()


@pytest.mark.sqlite_only(reason="the mode of SQLite's database file")
async def test_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "private.sqlite3"
    database = await Database.open(path)
    await database.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_supergroup_move_takes_every_row_along(db: Database) -> None:
    buildings, residents, members = BuildingStore(db), ResidentStore(db), MembershipStore(db)
    links, schedule = DeepLinkStore(db), ScheduleStore(db)
    await buildings.activate(-42, "Flat", "nl", NOW)
    await residents.seen(1, "Anna", "nl", NOW)
    await members.set_status(-42, 1, MemberStatus.MEMBER, NOW)
    link = await links.reusable("building", -42, "", NOW)
    await schedule.add("digest", "x", NOW, NOW, building_id=-42)
    assert await buildings.move(-42, -1000042)
    assert await buildings.move(-42, -1000042) is False
    assert await buildings.get(-42) is None
    assert (await buildings.get(-1000042)) is not None
    assert await members.get(-1000042, 1) is not None
    moved_link = await links.get(link.token)
    assert moved_link is not None and moved_link.building_id == -1000042
    item = await schedule.get("digest", "x")
    assert item is not None and item.building_id == -1000042
    for table in ("memberships", "deep_links", "schedule"):
        assert await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE building_id = -42") == 0


async def test_inbox_stores_then_marks_handled(db: Database) -> None:
    inbox = UpdateInbox(db)
    await inbox.store([(5, {"update_id": 5}), (6, {"update_id": 6})], NOW)
    await inbox.store([(5, {"update_id": 5})], NOW)
    assert [u["update_id"] for u in await inbox.unhandled()] == [5, 6]
    await inbox.mark_handled(5, NOW)
    assert await inbox.is_handled(5)
    assert not await inbox.is_handled(6)
    assert [u["update_id"] for u in await inbox.unhandled()] == [6]
    assert await inbox.prune(NOW + timedelta(days=8)) == 1


async def test_single_use_link_is_used_once_and_expires(db: Database) -> None:
    links = DeepLinkStore(db)
    link = await links.create("invite", NOW, single_use=True, expires_at=NOW + timedelta(days=7))
    assert link.usable_at(NOW)
    assert await links.use(link.token, NOW)
    assert not await links.use(link.token, NOW)
    used = await links.get(link.token)
    assert used is not None and not used.usable_at(NOW)
    late = await links.create("invite", NOW, single_use=True, expires_at=NOW + timedelta(days=7))
    assert not await links.use(late.token, NOW + timedelta(days=7))


async def test_schedule_claims_each_row_once(db: Database) -> None:
    schedule = ScheduleStore(db)
    assert await schedule.add("k", "r", NOW, NOW)
    assert not await schedule.add("k", "r", NOW + timedelta(hours=1), NOW)
    [item] = await schedule.due(NOW)
    assert await schedule.claim(item.id)
    assert not await schedule.claim(item.id)
    assert await schedule.requeue_interrupted(NOW, max_attempts=3) == (1, 0)
    stored = await schedule.get("k", "r")
    assert stored is not None and stored.state is ItemState.PENDING and stored.attempts == 1
    assert await schedule.claim(item.id)
    await schedule.finish(item.id, ItemState.DONE, NOW)
    assert not await schedule.claim(item.id)
    await schedule.add("k", "later", NOW + timedelta(days=1), NOW)
    assert await schedule.add("k", "later", NOW + timedelta(days=2), NOW, replace=True)
    moved = await schedule.get("k", "later")
    assert moved is not None and moved.due_at == NOW + timedelta(days=2)
    assert await schedule.cancel("k", "lat", NOW) == 1
    assert await schedule.due(NOW + timedelta(days=3)) == []


@pytest.mark.sqlite_only(reason="SQLite's online backup, opened again as SQLite")
async def test_online_backup_is_a_consistent_copy(db: Database, tmp_path: Path) -> None:
    await BuildingStore(db).activate(-7, "Backup flat", "nl", NOW)
    target = tmp_path / "copy" / "backup.sqlite3"
    await db.backup(target)
    copy = await Database.open(target, migrate=False)
    assert (await BuildingStore(copy).get(-7)) is not None
    await copy.close()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


async def test_a_lower_numbered_migration_added_later_is_applied(
    tmp_path: Path, blank_database_location: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "0003_third.sql").write_text("CREATE TABLE c (x INTEGER);")
    monkeypatch.setattr("storage.db.MIGRATIONS_DIR", migrations)
    db = await Database.open(blank_database_location)
    assert await db.applied_migrations() == {1, 3}
    (migrations / "0002_second.sql").write_text("CREATE TABLE b (x INTEGER);")
    assert await db.migrate() == [2]
    assert await db.fetch_value("SELECT COUNT(*) FROM b") == 0
    assert await db.migrate() == []
    await db.close()


@pytest.mark.skipif(not postgres_server.on_postgresql(), reason="pg_dump backs up PostgreSQL")
async def test_postgresql_is_backed_up_with_pg_dump(db: Database, tmp_path: Path) -> None:
    await BuildingStore(db).activate(-7, "Backup flat", "nl", NOW)
    target = tmp_path / "copy" / "backup.pgdump"
    await db.backup(target)
    assert target.read_bytes().startswith(b"PGDMP")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
