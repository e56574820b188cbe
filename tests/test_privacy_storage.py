"""The privacy SQL against a real database: export, forget, expiry, reports, group erasure, and
a database file that only its owner can read."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.community import MemberStatus
from bot.domain.privacy import ReportState
from storage.community import BuildingStore, MembershipStore, ResidentStore
from storage.db import Database
from storage.deep_links import DeepLinkStore
from storage.inbox import UpdateInbox
from storage.privacy import FoundationData, GroupErasureStore, ReportStore, RetentionStore
from storage.schedule import ScheduleStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GROUP, OTHER_GROUP = -100, -200
FATMA, KEES = 11, 22


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "omzien.sqlite3")
    yield database
    await database.close()


async def _building_with(db: Database, chat_id: int, title: str, *people: tuple[int, str]) -> None:
    await BuildingStore(db).activate(chat_id, title, "nl", NOW)
    for user_id, name in people:
        await ResidentStore(db).seen(user_id, name, "nl", NOW)
        await MembershipStore(db).set_status(chat_id, user_id, MemberStatus.MEMBER, NOW)


async def test_export_lists_profile_memberships_and_links_of_one_resident(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"), (KEES, "Kees"))
    await _building_with(db, OTHER_GROUP, "Flat Het Anker", (FATMA, "Fatma"))
    await DeepLinkStore(db).create("invite", NOW, building_id=GROUP, created_by=FATMA)
    await DeepLinkStore(db).create("invite", NOW, building_id=GROUP, created_by=KEES)
    exported = await FoundationData(db).export(FATMA)
    assert exported["profile"]["first_name"] == "Fatma"
    assert exported["profile"]["user_id"] == FATMA
    assert {m["building"] for m in exported["memberships"]} == {"Flat De Linde", "Flat Het Anker"}
    assert len(exported["links_created"]) == 1
    assert "Kees" not in json.dumps(exported)


async def test_forget_erases_the_resident_and_keeps_others(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"), (KEES, "Kees"))
    await DeepLinkStore(db).create("invite", NOW, building_id=GROUP, created_by=FATMA)
    inbox = UpdateInbox(db)
    await inbox.store([(1, {"message": {"from": {"id": FATMA, "first_name": "Fatma"}}})], NOW)
    await inbox.mark_handled(1, NOW)
    foundation = FoundationData(db)
    await foundation.forget(FATMA, NOW)
    await foundation.forget(FATMA, NOW)  # twice is harmless
    assert await foundation.export(FATMA) == {"profile": None, "memberships": [], "links_created": [],
                                              "stored_updates": []}
    assert (await foundation.export(KEES))["profile"]["first_name"] == "Kees"
    assert await MembershipStore(db).count_current(GROUP) == 1
    assert await db.fetch_value("SELECT payload FROM inbox WHERE update_id = 1") == "{}"
    assert await inbox.is_handled(1), "redelivery is still recognised"


async def test_expire_removes_old_departures_and_keeps_current_members(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"), (KEES, "Kees"))
    await MembershipStore(db).set_status(GROUP, KEES, MemberStatus.LEFT, NOW)
    inbox = UpdateInbox(db)
    await inbox.store([(1, {"message": {"text": "geheim"}}), (2, {"message": {"text": "nieuw"}})], NOW)
    await inbox.mark_handled(1, NOW)
    foundation = FoundationData(db)
    assert await foundation.expire(NOW - timedelta(days=90)) >= 1, "handled text scrubbed"
    assert await ResidentStore(db).get(KEES) is not None, "too recent to expire"
    assert await db.fetch_value("SELECT payload FROM inbox WHERE update_id = 2") != "{}", \
        "an update not yet handled keeps its content"
    await foundation.expire(NOW + timedelta(days=1))
    assert await ResidentStore(db).get(KEES) is None
    assert await MembershipStore(db).get(GROUP, KEES) is None
    assert await ResidentStore(db).get(FATMA) is not None, "a current member stays"


async def test_one_open_report_per_card(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde")
    store = ReportStore(db)
    report, new = await store.open(GROUP, "request", 7, NOW)
    assert new and report.state is ReportState.OPEN
    again, new_again = await store.open(GROUP, "request", 7, NOW)
    assert again.id == report.id and not new_again
    assert await store.close(report.id, ReportState.HIDDEN, NOW)
    assert not await store.close(report.id, ReportState.KEPT, NOW), "first decision counts"
    _, reopened = await store.open(GROUP, "request", 7, NOW)
    assert reopened, "after a decision, a new report is a new one"
    columns = {row[1] for row in await db.fetch_all("PRAGMA table_info(reports)")}
    assert not any("user" in column or "reporter" in column for column in columns)


async def test_group_erasure_needs_both_steps_and_takes_every_row(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"))
    await _building_with(db, OTHER_GROUP, "Flat Het Anker", (FATMA, "Fatma"))
    await DeepLinkStore(db).reusable("building", GROUP, "", NOW)
    await ScheduleStore(db).add("x", "1", NOW, NOW, building_id=GROUP)
    await ReportStore(db).open(GROUP, "request", 1, NOW)
    erasures = GroupErasureStore(db)
    await erasures.begin(GROUP, 50, NOW)
    assert not await erasures.erase_building(GROUP, 50), "second step not reached yet"
    assert not await erasures.advance(GROUP, 51)
    assert await erasures.advance(GROUP, 50)
    assert not await erasures.advance(GROUP, 50)
    assert await erasures.erase_building(GROUP, 50)
    for table in ("buildings", "memberships", "deep_links", "schedule", "reports", "group_erasures"):
        column = "chat_id" if table == "buildings" else "building_id"
        count = await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (GROUP,))
        assert count == 0, table
    assert await BuildingStore(db).get(OTHER_GROUP) is not None
    assert await MembershipStore(db).get(OTHER_GROUP, FATMA) is not None


async def test_removed_groups_are_erased_after_the_grace_period_only(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"))
    await _building_with(db, OTHER_GROUP, "Flat Het Anker", (KEES, "Kees"))
    buildings = BuildingStore(db)
    await buildings.deactivate(GROUP, NOW)
    retention = RetentionStore(db)
    assert await retention.erase_removed_groups(NOW - timedelta(days=1)) == []
    assert await retention.erase_removed_groups(NOW + timedelta(seconds=1)) == [GROUP]
    assert await buildings.get(GROUP) is None
    assert await MembershipStore(db).get(GROUP, FATMA) is None
    assert await buildings.get(OTHER_GROUP) is not None, "an active group is never erased"


async def test_secret_is_made_once(db: Database) -> None:
    retention = RetentionStore(db)
    first = await retention.secret("log", NOW)
    assert len(first) == 64 and await retention.secret("log", NOW) == first
    assert await retention.secret("other", NOW) != first


async def test_database_files_are_private_to_their_owner(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = tmp_path / "private.sqlite3"
        db = await Database.open(path)
        await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(file.exists() for file in files), "WAL mode keeps -wal and -shm beside the file"
        for file in files:
            mode = stat.S_IMODE(file.stat().st_mode)
            assert mode & 0o077 == 0, f"{file.name} is readable by others: {oct(mode)}"
        await db.close()
    finally:
        os.umask(previous)
