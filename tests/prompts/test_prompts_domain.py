"""Rules of the digest, nudges, quiet hours and settings, without Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.dates_text import weekday_name
from bot.domain import digest, nudges
from bot.domain import settings as rules
from bot.domain.community import BuildingSettings
from bot.domain.quiet_hours import QuietHours
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import catalogs, t
from bot.scheduler import Scheduler
from handlers.prompts.nudges import prompt_text
from locales import SUPPORTED_LANGUAGES
from storage.community import BuildingStore
from storage.db import Database
from storage.prompts import PromptStore
from storage.schedule import ScheduleStore
from tests.harness import AMS, local


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- when the digest is due ----------------------------------------------------------------------


def test_default_digest_is_sunday_at_seven_local() -> None:
    after = local(2026, 11, 23, 11, 0)  # a Monday
    assert digest.next_digest(BuildingSettings(), after, AMS) == local(2026, 11, 29, 19, 0)


def test_digest_is_strictly_after_and_weekly() -> None:
    sunday = local(2026, 11, 29, 19, 0)
    assert digest.next_digest(BuildingSettings(), sunday, AMS) == local(2026, 12, 6, 19, 0)
    assert digest.next_digest(BuildingSettings(), sunday - timedelta(seconds=1), AMS) == sunday
    moments = digest.upcoming_digests(BuildingSettings(), sunday, AMS, count=3)
    assert moments == [local(2026, 12, 6, 19), local(2026, 12, 13, 19), local(2026, 12, 20, 19)]


def test_digest_stays_at_seven_across_the_change_to_summer_time() -> None:
    after = local(2026, 3, 22, 20, 0)  # the Sunday before; clocks go forward on 29 March
    moment = digest.next_digest(BuildingSettings(), after, AMS)
    assert moment == utc(2026, 3, 29, 17, 0)  # 19:00 CEST
    assert moment is not None and moment.astimezone(AMS).hour == 19
    assert digest.next_digest(BuildingSettings(), local(2026, 3, 15, 20, 0), AMS) == utc(
        2026, 3, 22, 18, 0
    )  # 19:00 CET the week before


def test_digest_stays_at_seven_across_the_change_from_summer_time() -> None:
    after = local(2026, 10, 18, 20, 0)  # clocks go back on 25 October
    moment = digest.next_digest(BuildingSettings(), after, AMS)
    assert moment == utc(2026, 10, 25, 18, 0)  # 19:00 CET
    assert digest.next_digest(BuildingSettings(), local(2026, 10, 11, 20), AMS) == utc(
        2026, 10, 18, 17, 0
    )  # 19:00 CEST the week before


def test_digest_in_the_skipped_and_the_doubled_hour() -> None:
    early = BuildingSettings(digest_hour=2)
    spring = digest.next_digest(early, local(2026, 3, 28, 12, 0), AMS)
    assert spring == utc(2026, 3, 29, 1, 0)  # 02:00 does not exist; it is 03:00 CEST then
    autumn = digest.next_digest(early, local(2026, 10, 24, 12, 0), AMS)
    assert autumn == utc(2026, 10, 25, 0, 0)  # the first of the two 02:00s, once


def test_digest_off_has_no_moment() -> None:
    off = BuildingSettings(digest_enabled=False)
    assert digest.next_digest(off, local(2026, 11, 23, 11), AMS) is None
    assert digest.upcoming_digests(off, local(2026, 11, 23, 11), AMS) == []


def test_digest_other_day_and_hour() -> None:
    wednesday_ten = BuildingSettings(digest_weekday=2, digest_hour=10)
    assert digest.next_digest(wednesday_ten, local(2026, 11, 23, 11), AMS) == local(
        2026, 11, 25, 10, 0
    )


def test_fanout_offset_is_fixed_and_within_ten_minutes() -> None:
    offsets = [digest.fanout_offset(-1_002_000_000_001 - i) for i in range(500)]
    assert all(timedelta(0) <= o < timedelta(minutes=10) for o in offsets)
    assert offsets == [digest.fanout_offset(-1_002_000_000_001 - i) for i in range(500)]
    assert len(set(offsets)) > 250  # spread, not bunched


def test_digest_ref_is_the_local_date() -> None:
    late = utc(2026, 11, 29, 23, 30)  # already Monday in Amsterdam
    assert digest.digest_ref(-5, late, AMS) == "-5:2026-11-30"


def test_fit_lines_cuts_whole_lines() -> None:
    lines = ["a" * 100] * 50
    kept, cut = digest.fit_lines(lines, reserved=100, limit=1000)
    assert cut and len(kept) == 8
    kept, cut = digest.fit_lines(["x", "y"], reserved=10)
    assert kept == ["x", "y"] and not cut


# -- nudges --------------------------------------------------------------------------------------


def test_nudge_needs_the_quiet_days() -> None:
    s = BuildingSettings()  # 10 quiet days
    last = local(2026, 11, 23, 11)
    assert not nudges.is_due(s, last + timedelta(days=9, hours=23), last, None)
    assert nudges.is_due(s, last + timedelta(days=10), last, None)
    assert not nudges.is_due(s.model_copy(update={"nudges_enabled": False}),
                             last + timedelta(days=30), last, None)


def test_at_most_one_nudge_a_week() -> None:
    s = BuildingSettings(nudge_after_days=7)
    last_activity = local(2026, 10, 1, 12)
    nudged = local(2026, 11, 20, 10)
    assert not nudges.is_due(s, nudged + timedelta(days=6, hours=23), last_activity, nudged)
    assert nudges.is_due(s, nudged + timedelta(days=7), last_activity, nudged)
    assert nudges.earliest_nudge(s, last_activity, nudged) == nudged + timedelta(days=7)


def test_quiet_since_falls_back_to_when_the_bot_came() -> None:
    added = local(2026, 11, 1, 9)
    assert nudges.quiet_since(None, added) == added
    assert nudges.quiet_since(local(2026, 11, 5), added) == local(2026, 11, 5)
    assert nudges.quiet_since(local(2026, 10, 5), added) == added


def test_nudge_slots_are_mornings_at_or_after_earliest() -> None:
    offset = timedelta(minutes=4)
    slots = nudges.nudge_slots(local(2026, 12, 3, 11, 0), offset, AMS, count=2)
    assert slots == [local(2026, 12, 4, 10, 4), local(2026, 12, 5, 10, 4)]
    assert nudges.nudge_slots(local(2026, 12, 3, 9, 0), offset, AMS, count=1) == [
        local(2026, 12, 3, 10, 4)
    ]


def test_never_the_same_nudge_twice_in_a_row() -> None:
    last: str | None = None
    seen: list[str] = []
    for day in range(60):
        chosen = nudges.pick_prompt(last, seed=f"-42:{day}")
        assert chosen != last
        seen.append(chosen)
        last = chosen
    assert len(set(seen)) >= 5  # varied
    assert nudges.pick_prompt("coffee", "x") == nudges.pick_prompt("coffee", "x")


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_nudge_has_a_text_in_every_language(lang: str) -> None:
    texts = {prompt_text(lang, prompt) for prompt in nudges.PROMPTS}
    assert len(texts) == len(nudges.PROMPTS) >= 5
    assert all(0 < len(text) < 600 for text in texts)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_weekday_names_exist(lang: str) -> None:
    names = [weekday_name(lang, day) for day in range(7)]
    assert len(set(names)) == 7


def test_dutch_nudges_say_je_and_stay_short() -> None:
    for key, text in catalogs()["nl"].items():
        if key.startswith("nudge.") and key != "nudge.button.activity":
            sentences = [s for s in text.replace("?", ".").split(".") if s.strip()]
            assert all(len(s.split()) <= 16 for s in sentences), key


# -- settings an admin chooses -------------------------------------------------------------------


def test_menu_choices_change_one_setting() -> None:
    s = BuildingSettings()
    assert rules.apply_choice(s, "dday", "2").digest_weekday == 2
    assert rules.apply_choice(s, "dhour", "10").digest_hour == 10
    off = rules.apply_choice(s, "doff", "0")
    assert not off.digest_enabled
    assert rules.apply_choice(off, "dday", "6").digest_enabled
    assert not rules.apply_choice(s, "nudge", "0").nudges_enabled
    assert rules.apply_choice(s, "nudge", "14").nudge_after_days == 14
    assert rules.apply_choice(s, "quiet", "1").quiet_hours == QuietHours(
        start=time(22, 0), end=time(8, 0)
    )
    assert rules.apply_choice(s, "bump", "6").bump_hours_before == 6
    assert rules.apply_choice(s, "max", "5").max_open_requests == 5
    with_contact = s.model_copy(update={"care_contact": "Wijkteam"})
    assert rules.apply_choice(with_contact, "cclear", "0").care_contact == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [("dday", "7"), ("dhour", "3"), ("dhour", "-1"), ("nudge", "99"), ("quiet", "9"),
     ("bump", "abc"), ("max", "50"), ("nope", "1"), ("max", "")],
)
def test_forged_choices_are_refused(field: str, value: str) -> None:
    with pytest.raises(rules.InvalidChoice):
        rules.apply_choice(BuildingSettings(), field, value)


def test_contact_text_is_checked() -> None:
    assert rules.clean_contact("  Wijkteam Noord\n020 123\x07 4567  ") == "Wijkteam Noord\n020 123  4567"
    with pytest.raises(rules.InvalidContact) as empty:
        rules.clean_contact(" \n ")
    assert empty.value.problem is rules.ContactProblem.EMPTY
    with pytest.raises(rules.InvalidContact) as long:
        rules.clean_contact("x" * 501)
    assert long.value.problem is rules.ContactProblem.TOO_LONG
    assert len(rules.clean_contact("x" * 500)) == 500


def test_what_needs_planning_again() -> None:
    s = BuildingSettings()
    assert rules.digest_changed(s, rules.apply_choice(s, "dhour", "10"))
    assert rules.digest_changed(s, rules.apply_choice(s, "quiet", "2"))
    assert not rules.digest_changed(s, rules.apply_choice(s, "max", "5"))
    assert rules.nudges_changed(s, rules.apply_choice(s, "nudge", "7"))
    assert not rules.nudges_changed(s, rules.apply_choice(s, "dhour", "10"))


def test_quiet_presets_are_valid_nights() -> None:
    for preset in rules.QUIET_PRESETS:
        assert preset.contains(local(2026, 11, 23, 23, 30), AMS)
        assert not preset.contains(local(2026, 11, 23, 12, 0), AMS)
    assert rules.quiet_preset_index(QuietHours()) == 0


def test_residents_who_stay_away_get_no_prompts() -> None:
    now = local(2026, 11, 23, 12)
    assert rules.still_around(now - timedelta(days=59), now)
    assert not rules.still_around(now - timedelta(days=60), now)
    assert rules.is_mutable("request") and not rules.is_mutable("digest")


def test_texts_in_both_languages_render() -> None:
    for lang in SUPPORTED_LANGUAGES:
        assert "Flat &amp; Co" in t(lang, "digest.title", building="Flat & Co")


# -- the schedule keeps quiet hours and can be planned again -------------------------------------


@pytest.fixture
async def db(database_location: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(database_location)
    yield database
    await database.close()


async def test_calm_rows_wait_for_the_morning(db: Database) -> None:
    clock = FakeClock(local(2026, 11, 23, 21, 0))
    buildings = BuildingStore(db)
    await buildings.activate(-10, "Flat", "nl", clock.now())
    scheduler = Scheduler(ScheduleStore(db), clock, zone=AMS)
    ran: list[tuple[str, datetime]] = []

    async def remind(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append((item.ref, now))
        return None

    async def housekeeping(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append((item.ref, now))
        return None

    scheduler.register("remind", remind)
    scheduler.register("housekeeping", housekeeping, calm=False)
    await scheduler.add("remind", "night", local(2026, 11, 23, 22, 0), building_id=-10)
    await scheduler.add("remind", "stale", local(2026, 11, 23, 22, 0), building_id=-10,
                        stale_after=local(2026, 11, 24, 7, 0))
    await scheduler.add("remind", "private", local(2026, 11, 23, 23, 0))
    await scheduler.add("housekeeping", "h", local(2026, 11, 23, 23, 0))
    clock.set(local(2026, 11, 24, 0, 30))
    assert await scheduler.run_due() == 2  # the stale one is skipped, housekeeping runs
    assert [ref for ref, _ in ran] == ["h"]
    moved = await scheduler.store.get("remind", "night")
    assert moved is not None and moved.state is ItemState.PENDING
    assert moved.due_at == local(2026, 11, 24, 8, 30)
    stale = await scheduler.store.get("remind", "stale")
    assert stale is not None and stale.state is ItemState.SKIPPED
    clock.set(local(2026, 11, 24, 8, 30))
    assert await scheduler.run_due() == 2
    assert sorted(ref for ref, _ in ran) == ["h", "night", "private"]


async def test_a_groups_own_quiet_hours_count(db: Database) -> None:
    clock = FakeClock(local(2026, 11, 23, 20, 15))
    buildings = BuildingStore(db)
    await buildings.activate(-11, "Vroeg", "nl", clock.now())
    await buildings.save_settings(-11, BuildingSettings(quiet_hours=rules.QUIET_PRESETS[3]))
    await buildings.activate(-12, "Laat", "nl", clock.now())
    scheduler = Scheduler(ScheduleStore(db), clock, zone=AMS)
    ran: list[int | None] = []

    async def post(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.building_id)
        return None

    scheduler.register("post", post)
    await scheduler.add("post", "a", clock.now(), building_id=-11)
    await scheduler.add("post", "b", clock.now(), building_id=-12)
    await scheduler.run_due()
    assert ran == [-12]  # 20:00-09:00 in the first group, 21:30-08:30 in the second
    later = await scheduler.store.get("post", "a")
    assert later is not None and later.due_at == local(2026, 11, 24, 9, 0)


async def test_reschedule_replaces_and_revives(db: Database) -> None:
    clock = FakeClock(local(2026, 11, 23, 11, 0))
    await BuildingStore(db).activate(-20, "Flat", "nl", clock.now())
    scheduler = Scheduler(ScheduleStore(db), clock, zone=AMS)
    sunday, monday = local(2026, 11, 29, 19), local(2026, 11, 30, 19)
    assert await scheduler.add("digest", "-20:2026-11-29", sunday, building_id=-20)
    assert await scheduler.reschedule("digest", "-20:2026-11-30", monday, cancel_prefix="-20:",
                                      building_id=-20)
    pending = await scheduler.store.pending("digest")
    assert [item.ref for item in pending] == ["-20:2026-11-30"]
    # back to Sunday: the cancelled row (which never ran) is scheduled again
    assert await scheduler.reschedule("digest", "-20:2026-11-29", sunday, cancel_prefix="-20:",
                                      building_id=-20)
    pending = await scheduler.store.pending("digest")
    assert [item.ref for item in pending] == ["-20:2026-11-29"]
    assert not await scheduler.add("digest", "-20:2026-11-30", monday, building_id=-20)
    assert await scheduler.add("digest", "-20:2026-11-30", monday, building_id=-20, revive=True)


async def test_reschedule_follows_a_group_that_became_a_supergroup(db: Database) -> None:
    clock = FakeClock(local(2026, 11, 23, 11, 0))
    buildings = BuildingStore(db)
    await buildings.activate(-20, "Flat", "nl", clock.now())
    scheduler = Scheduler(ScheduleStore(db), clock, zone=AMS)
    await scheduler.add("digest", "-20:2026-11-29", local(2026, 11, 29, 19), building_id=-20)
    await buildings.move(-20, -1_002_000_000_020)  # the row follows; its ref keeps the old id
    assert await scheduler.reschedule("digest", "-1002000000020:2026-11-30", local(2026, 11, 30, 19),
                                      building_id=-1_002_000_000_020)
    pending = await scheduler.store.pending("digest")
    assert [item.ref for item in pending] == ["-1002000000020:2026-11-30"]
    assert await scheduler.cancel_for_building("digest", -1_002_000_000_020) == 1
    assert await scheduler.store.pending("digest") == []


async def test_a_row_that_ran_is_never_planned_again(db: Database) -> None:
    clock = FakeClock(local(2026, 11, 29, 19, 0))
    await BuildingStore(db).activate(-21, "Flat", "nl", clock.now())
    scheduler = Scheduler(ScheduleStore(db), clock, zone=AMS)
    sent: list[str] = []

    async def post(item: ScheduledItem, now: datetime) -> ItemState | None:
        sent.append(item.ref)
        return None

    scheduler.register("digest", post)
    await scheduler.add("digest", "-21:2026-11-29", clock.now(), building_id=-21)
    await scheduler.run_due()
    assert not await scheduler.reschedule("digest", "-21:2026-11-29", clock.now(),
                                          cancel_prefix="-21:", building_id=-21)
    assert not await scheduler.add("digest", "-21:2026-11-29", clock.now(), revive=True)
    await scheduler.run_due()
    assert sent == ["-21:2026-11-29"]


async def test_planners_run_before_each_poll(db: Database) -> None:
    clock = FakeClock(local(2026, 11, 23, 11, 0))
    scheduler = Scheduler(ScheduleStore(db), clock, zone=AMS)
    ran: list[str] = []

    async def post(item: ScheduledItem, now: datetime) -> ItemState | None:
        ran.append(item.ref)
        return None

    async def planner(now: datetime) -> None:
        await scheduler.add("post", f"at:{now.isoformat()}", now)

    async def broken(now: datetime) -> None:
        raise RuntimeError("a planner that fails does not stop the others")

    scheduler.register("post", post)
    scheduler.add_planner(broken)
    scheduler.add_planner(planner)
    assert await scheduler.run_due() == 1
    assert ran == [f"at:{clock.now().isoformat()}"]


# -- what a resident muted ----------------------------------------------------------------------


async def test_mutes_and_drafts_are_stored(db: Database) -> None:
    store = PromptStore(db)
    now = local(2026, 11, 23, 11)
    await store.set_muted(7, "activity", True, now)
    await store.set_muted(7, "activity", True, now)
    assert await store.muted(7) == {"activity"}
    assert await store.is_muted(7, "activity") and not await store.is_muted(7, "request")
    assert (await store.mutes_export(7))[0]["kind"] == "activity"
    await store.set_muted(7, "activity", False, now)
    assert await store.muted(7) == set()
    await BuildingStore(db).activate(-30, "Flat", "nl", now)
    await store.start_draft(7, -30, "contact", now, now + timedelta(hours=1))
    assert (await store.draft(7, now)) is not None
    assert (await store.draft(7, now + timedelta(hours=2))) is None
    await store.set_muted(7, "pairing", True, now)
    await store.forget_resident(7)
    assert await store.muted(7) == set() and await store.draft(7, now) is None


async def test_last_nudge_is_remembered_per_group(db: Database) -> None:
    store = PromptStore(db)
    now = local(2026, 11, 23, 11)
    await BuildingStore(db).activate(-31, "Flat", "nl", now)
    assert (await store.last_nudge(-31)).prompt is None
    await store.record_nudge(-31, "coffee", now)
    await store.record_nudge(-31, "walk", now + timedelta(days=7))
    last = await store.last_nudge(-31)
    assert last.prompt == "walk" and last.sent_at == now + timedelta(days=7)
    assert await store.unplanned("nudge", "nudges_enabled") == [-31]


def test_a_quiet_resident_is_asked_once_then_held_until_they_come_back() -> None:
    seen = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    later = seen + rules.ABSENCE + timedelta(days=1)
    assert rules.quiet_answer(seen, None, False, seen + timedelta(days=59)) is rules.QuietAnswer.SEND
    assert rules.quiet_answer(seen, None, False, later) is rules.QuietAnswer.ASK_AND_SEND
    assert rules.quiet_answer(seen, later, False, later) is rules.QuietAnswer.HOLD
    assert rules.quiet_answer(seen, later, True, later) is rules.QuietAnswer.SEND
    back = later + timedelta(days=1)  # came back, then went quiet again: asked again
    again = back + rules.ABSENCE + timedelta(days=1)
    assert rules.quiet_answer(back, later, False, again) is rules.QuietAnswer.ASK_AND_SEND
    assert rules.quiet_answer(None, None, False, later) is rules.QuietAnswer.SEND
