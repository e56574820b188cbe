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
from storage.outbox import OutboxStore
from storage.privacy import FoundationData, GroupErasureStore, ReportStore, RetentionStore
from storage.schedule import ScheduleStore
from tests.schema_info import column_names

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GROUP, OTHER_GROUP = -100, -200
FATMA, KEES = 11, 22


@pytest.fixture
async def db(database_location: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(database_location)
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
    columns = set(await column_names(db, "reports"))
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


# -- the whole export, exact counts, and every store's own rows ---------------------------------


async def test_the_export_is_complete_and_in_iso_time(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"))
    residents = ResidentStore(db)
    await residents.mark_started(FATMA, NOW + timedelta(minutes=5))
    await residents.seen(FATMA, "Fatma", "tr", NOW + timedelta(hours=1))
    await MembershipStore(db).set_status(GROUP, FATMA, MemberStatus.LEFT, NOW + timedelta(hours=2))
    links = DeepLinkStore(db)
    link = await links.create("invite", NOW, building_id=GROUP, created_by=FATMA,
                              expires_at=NOW + timedelta(days=7), single_use=True)
    assert await links.use(link.token, NOW + timedelta(hours=3))
    await UpdateInbox(db).store([(7, {"update_id": 7, "message": {
        "message_id": 3, "date": 1_790_000_000, "chat": {"id": FATMA, "type": "private"},
        "from": {"id": FATMA, "is_bot": False, "first_name": "Fatma"}, "text": "Hallo"}})], NOW)
    exported = await FoundationData(db).export(FATMA)
    assert exported == {
        "profile": {
            "user_id": FATMA, "first_name": "Fatma", "telegram_language": "tr",
            "chosen_language": None, "started_private_chat_at": "2026-11-23T10:05:00+00:00",
            "first_seen_at": "2026-11-23T10:00:00+00:00", "last_seen_at": "2026-11-23T11:00:00+00:00",
        },
        "memberships": [{
            "building": "Flat De Linde", "building_id": GROUP, "status": "left",
            "joined_at": "2026-11-23T10:00:00+00:00", "updated_at": "2026-11-23T12:00:00+00:00",
            "confirmed_at": "2026-11-23T12:00:00+00:00",
        }],
        "links_created": [{
            "kind": "invite", "created_at": "2026-11-23T10:00:00+00:00",
            "expires_at": "2026-11-30T10:00:00+00:00", "used_at": "2026-11-23T13:00:00+00:00",
        }],
        "stored_updates": [{
            "update_id": 7, "received_at": "2026-11-23T10:00:00+00:00", "handled_at": None,
            "kind": "message", "chat": {"id": FATMA, "type": "private"},
            "you": {"id": FATMA, "first_name": "Fatma"}, "date": 1_790_000_000, "text": "Hallo",
        }],
    }
    never = await FoundationData(db).export(KEES)
    assert never == {"profile": None, "memberships": [], "links_created": [], "stored_updates": []}


async def test_the_nightly_expiry_counts_every_row_it_erased(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"), (KEES, "Kees"))
    await MembershipStore(db).set_status(GROUP, KEES, MemberStatus.LEFT, NOW)
    links = DeepLinkStore(db)
    used = await links.create("invite", NOW, building_id=GROUP, created_by=FATMA, single_use=True)
    assert await links.use(used.token, NOW)
    await links.create("invite", NOW, building_id=GROUP, expires_at=NOW + timedelta(hours=1))
    await links.create("invite", NOW, building_id=GROUP, single_use=True)  # never used: stays
    await links.create("invite", NOW, building_id=GROUP)  # standing: stays
    inbox = UpdateInbox(db)
    await inbox.store([(1, {"message": {"text": "a"}}), (2, {"message": {"text": "b"}})], NOW)
    await inbox.mark_handled(1, NOW)
    await inbox.mark_handled(2, NOW)
    outbox = OutboxStore(db)
    went_out = await _sent(outbox, KEES, "Welkom")
    waiting = await _sent(outbox, FATMA, "Goedemorgen", settle=None)
    # Kees's membership, then Kees, then two links, two handled updates and one message sent.
    assert await FoundationData(db).expire(NOW + timedelta(days=1)) == 1 + 1 + 2 + 2 + 1
    assert (await outbox.get(went_out)).payload == "{}"  # type: ignore[union-attr]
    assert (await outbox.get(waiting)).payload != "{}"  # type: ignore[union-attr]
    assert await FoundationData(db).expire(NOW + timedelta(days=1)) == 0
    assert await db.fetch_value("SELECT COUNT(*) FROM deep_links") == 2
    assert await ResidentStore(db).get(FATMA) is not None


async def test_reports_read_back_and_go_after_retention(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde")
    store = ReportStore(db)
    report, _ = await store.open(GROUP, "idea", 3, NOW)
    assert await store.get(report.id) == report
    assert (report.building_id, report.kind, report.item_id, report.created_at) == (GROUP, "idea", 3, NOW)
    assert report.closed_at is None
    assert await store.close(report.id, ReportState.KEPT, NOW + timedelta(hours=1))
    closed = await store.get(report.id)
    assert closed is not None and closed.state is ReportState.KEPT
    assert closed.closed_at == NOW + timedelta(hours=1)
    still_open, _ = await store.open(GROUP, "idea", 4, NOW + timedelta(hours=2))
    assert await store.expire(NOW + timedelta(hours=1)) == 0
    assert await store.expire(NOW + timedelta(hours=1, seconds=1)) == 1
    assert await store.get(report.id) is None
    assert await store.get(still_open.id) == still_open
    assert await store.get(report.id + 100) is None


async def test_a_group_erasure_reads_back_restarts_and_can_be_called_off(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde")
    await _building_with(db, OTHER_GROUP, "Flat Het Anker")
    erasures = GroupErasureStore(db)
    assert await erasures.get(GROUP) is None
    await erasures.begin(GROUP, 50, NOW)
    pending = await erasures.get(GROUP)
    assert pending is not None
    assert (pending.building_id, pending.message_id, pending.step) == (GROUP, 50, 1)
    assert pending.requested_at == NOW
    assert await erasures.advance(GROUP, 50)
    await erasures.begin(GROUP, 60, NOW + timedelta(minutes=1))  # asked again: back to step 1
    again = await erasures.get(GROUP)
    assert again is not None and (again.message_id, again.step) == (60, 1)
    assert again.requested_at == NOW + timedelta(minutes=1)
    await erasures.begin(OTHER_GROUP, 70, NOW)
    assert await erasures.call_off(GROUP)
    assert not await erasures.call_off(GROUP)
    assert await erasures.get(GROUP) is None
    assert not await erasures.erase_building(GROUP, 60)
    assert await BuildingStore(db).get(GROUP) is not None
    assert await erasures.expire(NOW) == 0
    assert await erasures.expire(NOW + timedelta(seconds=1)) == 1
    assert await erasures.get(OTHER_GROUP) is None


# -- what the bot planned and said: the schedule and the outbox ---------------------------------


async def _sent(outbox: OutboxStore, chat_id: int, text: str, *, settle: str | None = "sent") -> int:
    row_id = await outbox.add(chat_id=chat_id, method="sendMessage", now=NOW, not_before=0.0,
                              payload=json.dumps({"chat_id": chat_id, "text": text}))
    assert row_id is not None
    if settle == "sent":
        assert await outbox.mark_sent(row_id, NOW)
    elif settle is not None:
        await outbox.settle(row_id, settle, "refused")
    return row_id


async def test_forgetting_her_takes_the_plans_about_her_and_what_was_said_to_her(db: Database) -> None:
    await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"), (KEES, "Kees"))
    schedule = ScheduleStore(db)
    for ref, user_id in (("pair:1:fatma", FATMA), ("pair:1:kees", KEES), ("pair:2:typed", str(FATMA))):
        await schedule.add("pairing.check", ref, NOW, NOW, building_id=GROUP,
                           payload={"pairing_id": 1, "user_id": user_id})
    await schedule.add("digest", "digest:week", NOW, NOW, building_id=GROUP,
                       payload={"occurrence": NOW.isoformat()})
    outbox = OutboxStore(db)
    to_her = await _sent(outbox, FATMA, "Kees helpt je")
    refused = await _sent(outbox, FATMA, "Dag Fatma", settle="refused")
    waiting = await _sent(outbox, FATMA, "Je vraag is verlopen", settle=None)
    to_group = await _sent(outbox, GROUP, "Fatma vraagt hulp")
    to_kees = await _sent(outbox, KEES, "Fatma zegt dank je", settle=None)
    inbox = UpdateInbox(db)
    await inbox.store([(8, {"update_id": 8, "message": {"from": {"id": FATMA}, "text": "/vergeetmij"}})],
                      NOW)
    await FoundationData(db).forget(FATMA, NOW)
    assert await inbox.unhandled() == [{"update_id": 8}], "the update being handled keeps its id only"
    assert sorted(item.ref for item in await schedule.pending()) == [
        "digest:week", "pair:1:kees", "pair:2:typed"], "only a number that is her id names her"
    kept = {row[0]: row[1] for row in await db.fetch_all("SELECT id, payload FROM outbox")}
    assert to_her not in kept and refused not in kept
    assert kept[to_group] == "{}", "a message that went out keeps only its key"
    assert json.loads(kept[waiting])["text"] == "Je vraag is verlopen", "it still has to go out"
    assert json.loads(kept[to_kees])["text"] == "Fatma zegt dank je"


async def test_the_outbox_tells_when_everything_said_up_to_a_moment_went_out(db: Database) -> None:
    foundation, outbox = FoundationData(db), OutboxStore(db)
    assert await foundation.last_send() == 0
    assert not await foundation.sending(0)
    first = await _sent(outbox, FATMA, "Een", settle=None)
    up_to = await foundation.last_send()
    assert up_to == first and await foundation.sending(up_to)
    later = await _sent(outbox, KEES, "Twee", settle=None)
    assert await foundation.last_send() == later
    assert await outbox.mark_sent(first, NOW)
    assert not await foundation.sending(up_to), "a later message is not waited for"
    assert await foundation.sending(later)
    await foundation.forget_sent(KEES)
    assert await outbox.get(later) is not None, "a message still to go out stays"


def _log_size(path: Path) -> int:
    return Path(f"{path}-wal").stat().st_size


async def test_a_checkpoint_empties_the_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "omzien.sqlite3"
    db = await Database.open(path)
    try:
        await _building_with(db, GROUP, "Flat De Linde", (FATMA, "Fatma"))
        assert _log_size(path) > 0
        await FoundationData(db).checkpoint()
        assert _log_size(path) == 0
    finally:
        await db.close()
