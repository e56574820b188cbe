"""Rules of activities and ideas without Telegram: reading days and times, checking input, one
answer per resident with a fair waiting list, the reminder plan, series, the calendar file, and
the storage that keeps it (answers, leaving, forgetting, expiring)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from bot.dates_text import when_text
from bot.domain.activities import (
    STILL_INTERESTED,
    Activity,
    ActivityStatus,
    Draft,
    DraftStep,
    InvalidInput,
    Problem,
    Repeat,
    Rsvp,
    RsvpChoice,
    RsvpOutcome,
    RsvpStatus,
    answers,
    check_capacity,
    choose_repeat,
    clean_description,
    clean_title,
    count,
    decide_rsvp,
    fill,
    is_full,
    next_start,
    parse_capacity,
    parse_end,
    parse_when,
    places_left,
    plan_reminders,
    should_suggest_pause,
    skip,
    waiting_list,
    waiting_position,
)
from bot.domain.calendar import activity_ics
from bot.domain.ideas import IDEA_MAX, Idea, IdeaStatus, JoinOutcome, clean_idea, decide_join, draft_title
from bot.domain.quiet_hours import QuietHours
from bot.i18n import catalogs, t
from locales import SUPPORTED_LANGUAGES
from storage.activities import ActivityStore, HostScope
from storage.activity_rsvps import RsvpStore
from storage.community import BuildingStore
from storage.db import Database
from storage.ideas import IdeaStore
from tests.harness import AMS, local

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Amsterdam
GROUP = -4001


# --- reading days and times ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("do 19:00", local(2026, 11, 26, 19, 0), None),
        ("Donderdag 19.00", local(2026, 11, 26, 19, 0), None),
        ("Thursday 7pm", local(2026, 11, 26, 19, 0), None),
        ("thu 7:30 pm", local(2026, 11, 26, 19, 30), None),
        ("12-12 19:00", local(2026, 12, 12, 19, 0), None),
        ("12/12/2026 19:00", local(2026, 12, 12, 19, 0), None),
        ("2026-12-12 19:00", local(2026, 12, 12, 19, 0), None),
        ("12 december om 19 uur", local(2026, 12, 12, 19, 0), None),
        ("morgen 14.30", local(2026, 11, 24, 14, 30), None),
        ("tomorrow at 10:00", local(2026, 11, 24, 10, 0), None),
        ("vandaag 19:00", local(2026, 11, 23, 19, 0), None),
        ("maandag 10:00", local(2026, 11, 30, 10, 0), None),
        ("01-01 10:00", local(2027, 1, 1, 10, 0), None),
        ("do 19:00-21:00", local(2026, 11, 26, 19, 0), local(2026, 11, 26, 21, 0)),
        ("za 10:00 tot 12:00", local(2026, 11, 28, 10, 0), local(2026, 11, 28, 12, 0)),
        ("vr 26-11 19u", local(2026, 11, 26, 19, 0), None),
    ],
)
def test_days_and_times_as_residents_type_them(typed: str, start: datetime, end: datetime | None) -> None:
    when = parse_when(typed, NOW, AMS)
    assert when.start == start and when.end == end


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", Problem.EMPTY),
        ("koffie", Problem.UNREADABLE),
        ("zaterdag", Problem.NO_TIME),
        ("31-02 19:00", Problem.IMPOSSIBLE),
        ("do 25:00", Problem.IMPOSSIBLE),
        ("do 13pm", Problem.IMPOSSIBLE),
        ("vandaag 09:00", Problem.PAST),
        ("12-12-2025 19:00", Problem.PAST),
        ("05-10 10:00", Problem.PAST),
        ("12-12-2028 19:00", Problem.TOO_FAR),
        ("do 21:00-19:00", Problem.END_BEFORE_START),
        ("do 19:00 20:00 21:00", Problem.UNREADABLE),
    ],
)
def test_impossible_or_past_moments_are_refused(typed: str, problem: Problem) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_when(typed, NOW, AMS)
    assert raised.value.problem is problem


def test_end_time_on_the_day_or_with_its_own_day() -> None:
    start = local(2026, 11, 26, 19, 0)
    assert parse_end("21:00", start, AMS) == local(2026, 11, 26, 21, 0)
    assert parse_end("vr 01:00", start, AMS) == local(2026, 11, 27, 1, 0)
    for typed, problem in (("18:00", Problem.END_BEFORE_START), ("19:00", Problem.END_BEFORE_START),
                           ("21-12 10:00", Problem.TOO_LONG_EVENT), ("laat", Problem.UNREADABLE)):
        with pytest.raises(InvalidInput) as raised:
            parse_end(typed, start, AMS)
        assert raised.value.problem is problem


def test_lengths_and_numbers_have_clear_limits() -> None:
    assert clean_title("  Samen   soep  ") == "Samen soep"
    assert clean_title("x" * 80) == "x" * 80
    assert clean_description("y" * 500) == "y" * 500
    for check, text, problem in (
        (clean_title, "x" * 81, Problem.TITLE_TOO_LONG),
        (clean_title, "   ", Problem.EMPTY),
        (clean_description, "y" * 501, Problem.DESCRIPTION_TOO_LONG),
    ):
        with pytest.raises(InvalidInput) as raised:
            check(text)
        assert raised.value.problem is problem
    assert parse_capacity(" 1 ") == 1 and parse_capacity("500") == 500
    for typed, problem in (("0", Problem.CAPACITY_RANGE), ("501", Problem.CAPACITY_RANGE),
                           ("10000", Problem.CAPACITY_RANGE), ("tien", Problem.NOT_A_NUMBER),
                           ("-3", Problem.NOT_A_NUMBER)):
        with pytest.raises(InvalidInput) as raised:
            parse_capacity(typed)
        assert raised.value.problem is problem


def test_the_flow_moves_one_question_at_a_time() -> None:
    draft = Draft(user_id=1, building_id=GROUP, step=DraftStep.TITLE, updated_at=NOW)
    draft = fill(draft, "Soep", NOW, AMS)
    assert draft.step is DraftStep.DESCRIPTION and draft.title == "Soep"
    draft = fill(draft, "Lekker samen", NOW, AMS)
    with pytest.raises(InvalidInput):
        fill(draft, "gisteren", NOW, AMS)
    draft = fill(draft, "do 19:00", NOW, AMS)
    assert draft.step is DraftStep.END
    draft = skip(draft, NOW)
    assert draft.step is DraftStep.PLACE and draft.ends_at is None
    draft = fill(draft, "Hal", NOW, AMS)
    draft = fill(draft, "8", NOW, AMS)
    assert draft.step is DraftStep.REPEAT and draft.capacity == 8
    with pytest.raises(InvalidInput) as raised:
        fill(draft, "elke week", NOW, AMS)
    assert raised.value.problem is Problem.USE_BUTTONS
    draft = choose_repeat(draft, Repeat.WEEKLY, NOW)
    assert draft.step is DraftStep.PREVIEW and draft.repeat is Repeat.WEEKLY
    ranged = fill(Draft(user_id=1, building_id=GROUP, step=DraftStep.WHEN, updated_at=NOW),
                  "do 19:00-21:00", NOW, AMS)
    assert ranged.step is DraftStep.PLACE and ranged.ends_at == local(2026, 11, 26, 21, 0)
    edit = Draft(user_id=1, building_id=GROUP, step=DraftStep.EDIT_PLACE, activity_id=3, updated_at=NOW)
    assert fill(edit, "Tuin", NOW, AMS).step is DraftStep.EDIT_PLACE


def test_days_are_shown_in_the_readers_language() -> None:
    start, end = local(2026, 11, 26, 19, 0), local(2026, 11, 26, 21, 0)
    assert when_text("nl", start, end, AMS) == "donderdag 26 november, 19:00–21:00"
    assert when_text("en", start, None, AMS) == "Thursday 26 November, 19:00"
    assert when_text("nl", start, local(2026, 11, 27, 1, 0), AMS) == \
        "donderdag 26 november, 19:00 – vrijdag 27 november, 01:00"


# --- answers and the waiting list ---------------------------------------------------------------

def apply(rsvps: list[Rsvp], user: int, choice: RsvpChoice, capacity: int | None,
          now: datetime = NOW) -> tuple[list[Rsvp], RsvpOutcome, list[int]]:
    decision = decide_rsvp(rsvps, user, choice, capacity, now)
    changed = {r.user_id: r for r in rsvps}
    for rsvp in [*([decision.mine] if decision.mine else []), *decision.promoted]:
        changed[rsvp.user_id] = rsvp
    return list(changed.values()), decision.outcome, [r.user_id for r in decision.promoted]


def test_full_activity_queues_and_a_freed_place_goes_to_the_first() -> None:
    rsvps: list[Rsvp] = []
    rsvps, outcome, _ = apply(rsvps, 1, RsvpChoice.GOING, 3)
    assert outcome is RsvpOutcome.GOING
    rsvps, outcome, _ = apply(rsvps, 2, RsvpChoice.PLUS_ONE, 3)
    assert outcome is RsvpOutcome.PLUS_ONE and count(rsvps).seats == 3
    rsvps, outcome, _ = apply(rsvps, 3, RsvpChoice.GOING, 3, NOW + timedelta(seconds=1))
    rsvps, outcome, _ = apply(rsvps, 4, RsvpChoice.GOING, 3, NOW + timedelta(seconds=2))
    assert outcome is RsvpOutcome.WAITING
    assert [r.user_id for r in waiting_list(rsvps)] == [3, 4]
    rsvps, outcome, promoted = apply(rsvps, 1, RsvpChoice.NOT_GOING, 3)
    assert outcome is RsvpOutcome.NOT_GOING and promoted == [3]
    rsvps, outcome, promoted = apply(rsvps, 2, RsvpChoice.MAYBE, 3)
    assert promoted == [4] and count(rsvps).seats == 2 and places_left(3, count(rsvps)) == 1


def test_presses_in_the_same_second_queue_in_the_order_they_came() -> None:
    """Kept to the second, twenty presses within one second tie; the later ones (whatever their
    Telegram id) still line up behind, so a place told is a place kept."""
    rsvps: list[Rsvp] = []
    rsvps, _, _ = apply(rsvps, 50, RsvpChoice.GOING, 1)
    for user in (40, 30, 20, 10):
        rsvps, outcome, _ = apply(rsvps, user, RsvpChoice.GOING, 1)
        assert outcome is RsvpOutcome.WAITING
    assert [r.user_id for r in waiting_list(rsvps)] == [40, 30, 20, 10]
    rsvps, _, promoted = apply(rsvps, 50, RsvpChoice.NOT_GOING, 1)
    assert promoted == [40], "the first in line, not the lowest id"


def test_a_party_of_two_does_not_let_others_jump_the_queue() -> None:
    rsvps: list[Rsvp] = []
    for user in (1, 2):
        rsvps, _, _ = apply(rsvps, user, RsvpChoice.GOING, 2)
    rsvps, outcome, _ = apply(rsvps, 3, RsvpChoice.PLUS_ONE, 2, NOW + timedelta(seconds=1))
    rsvps, _, _ = apply(rsvps, 4, RsvpChoice.GOING, 2, NOW + timedelta(seconds=2))
    assert outcome is RsvpOutcome.WAITING
    rsvps, _, promoted = apply(rsvps, 1, RsvpChoice.NOT_GOING, 2)
    assert promoted == [], "one free place is not enough for the first party of two"
    rsvps, _, promoted = apply(rsvps, 2, RsvpChoice.NOT_GOING, 2)
    assert promoted == [3]
    _, outcome, _ = apply(rsvps, 3, RsvpChoice.PLUS_ONE, 2)
    assert outcome is RsvpOutcome.UNCHANGED


def test_bringing_someone_when_there_is_no_room_keeps_your_own_place() -> None:
    rsvps: list[Rsvp] = []
    rsvps, _, _ = apply(rsvps, 1, RsvpChoice.GOING, 2)
    rsvps, _, _ = apply(rsvps, 2, RsvpChoice.GOING, 2)
    rsvps, outcome, _ = apply(rsvps, 1, RsvpChoice.PLUS_ONE, 2)
    assert outcome is RsvpOutcome.NO_ROOM_FOR_GUEST
    assert count(rsvps).seats == 2


choices = st.sampled_from(list(RsvpChoice))


@settings(max_examples=150, deadline=None)
@given(presses=st.lists(st.tuples(st.integers(1, 8), choices), max_size=60),
       capacity=st.one_of(st.none(), st.integers(1, 6)))
def test_any_sequence_of_presses_leaves_one_consistent_answer(
    presses: list[tuple[int, RsvpChoice]], capacity: int | None
) -> None:
    rsvps: list[Rsvp] = []
    last: dict[int, RsvpChoice] = {}
    for step, (user, choice) in enumerate(presses):
        rsvps, _, _ = apply(rsvps, user, choice, capacity, NOW + timedelta(seconds=step))
        last[user] = choice
        assert len({r.user_id for r in rsvps}) == len(rsvps)
        counts = count(rsvps)
        if capacity is not None:
            assert counts.seats <= capacity
        queue = waiting_list(rsvps)
        if queue:
            free = places_left(capacity, counts)
            assert free is not None and free < queue[0].seats, "a place is free but nobody moved up"
    for user, choice in last.items():
        mine = next(r for r in rsvps if r.user_id == user)
        if choice is RsvpChoice.MAYBE:
            assert mine.status is RsvpStatus.MAYBE
        elif choice is RsvpChoice.NOT_GOING:
            assert mine.status is RsvpStatus.NOT_GOING
        else:
            assert mine.status in (RsvpStatus.GOING, RsvpStatus.WAITING)


# --- reminders and series -----------------------------------------------------------------------

def test_reminders_a_day_and_three_hours_before() -> None:
    plan = plan_reminders(local(2026, 11, 26, 19, 0), local(2026, 11, 26, 21, 0), NOW, QuietHours(), AMS)
    assert plan.day_before == local(2026, 11, 25, 19, 0)
    assert plan.soon == local(2026, 11, 26, 16, 0)
    assert plan.group_invite == local(2026, 11, 24, 19, 0)
    assert plan.look_back == local(2026, 11, 26, 21, 0)


def test_reminders_move_out_of_the_night_and_do_not_pile_up() -> None:
    quiet = QuietHours()
    plan = plan_reminders(local(2026, 11, 27, 8, 0), local(2026, 11, 27, 10, 0), NOW, quiet, AMS)
    assert plan.day_before == local(2026, 11, 25, 21, 0)
    assert plan.soon == local(2026, 11, 26, 21, 0)
    assert plan.group_invite == local(2026, 11, 25, 8, 30)
    late = plan_reminders(local(2026, 11, 26, 22, 0), local(2026, 11, 26, 23, 30), NOW, quiet, AMS)
    assert late.look_back == local(2026, 11, 27, 8, 30)
    early = plan_reminders(local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0), NOW, quiet, AMS)
    for plan in (late, early):
        for moment in (plan.day_before, plan.soon, plan.group_invite, plan.look_back):
            assert moment is None or not quiet.contains(moment, AMS)
    soon_after = plan_reminders(local(2026, 11, 23, 13, 0), local(2026, 11, 23, 14, 0), NOW, quiet, AMS)
    assert soon_after.day_before is None and soon_after.soon is None and soon_after.group_invite is None
    long_nights = QuietHours(start=time(16, 0), end=time(10, 0))
    close = plan_reminders(local(2026, 11, 25, 12, 0), local(2026, 11, 25, 13, 0), NOW, long_nights, AMS)
    assert close.soon == local(2026, 11, 24, 15, 30) and close.day_before is None


def test_next_date_keeps_the_local_clock_time() -> None:
    before_winter_time = local(2026, 10, 22, 19, 0)
    assert next_start(before_winter_time, Repeat.WEEKLY, AMS) == local(2026, 10, 29, 19, 0)
    assert next_start(before_winter_time, Repeat.BIWEEKLY, AMS) == local(2026, 11, 5, 19, 0)
    assert next_start(local(2027, 1, 31, 10, 0), Repeat.MONTHLY, AMS) == local(2027, 2, 28, 10, 0)
    assert next_start(local(2026, 12, 15, 10, 0), Repeat.MONTHLY, AMS) == local(2027, 1, 15, 10, 0)
    with pytest.raises(ValueError):
        next_start(before_winter_time, Repeat.NONE, AMS)


def test_a_fading_series_is_noticed_once_per_run() -> None:
    assert not should_suggest_pause([(1, 2), (2, 1)], 0)
    assert should_suggest_pause([(1, 2), (2, 1), (3, 0)], 0)
    assert not should_suggest_pause([(1, 2), (2, 3), (3, 0)], 0)
    assert not should_suggest_pause([(1, 2), (2, 1), (3, 0), (4, 1)], 3)
    assert should_suggest_pause([(1, 2), (2, 1), (3, 0), (4, 1), (5, 1), (6, 2)], 3)
    assert not should_suggest_pause([(1, 9), (2, 1), (3, 0), (4, 5)], 0)


# --- the calendar file --------------------------------------------------------------------------

def an_activity(**changes: object) -> Activity:
    values: dict[str, object] = dict(
        id=7, building_id=GROUP, series_id=None, occurrence=1, organiser_id=1, organiser_name="Fatma",
        title="Soep, samen; eten", description="Lekker\nsamen", place="Hal, beneden",
        starts_at=local(2027, 3, 25, 19, 0), ends_at=None, capacity=None, repeat=Repeat.NONE,
        status=ActivityStatus.OPEN, message_id=5, card_version=1, card_shown=1, came_count=None,
        last_change="", idea_id=None, created_at=NOW,
    )
    values.update(changes)
    return Activity.model_validate(values)


def test_calendar_file_parses_back_with_amsterdam_times() -> None:
    calendar = Calendar.from_ical(activity_ics(an_activity(), AMS, NOW))
    event = calendar.events[0]
    assert event.start == local(2027, 3, 25, 19, 0) and event.start.utcoffset() == timedelta(hours=1)
    assert event.end == local(2027, 3, 25, 21, 0)
    assert str(event["SUMMARY"]) == "Soep, samen; eten"
    assert str(event["LOCATION"]) == "Hal, beneden"
    assert str(event["DESCRIPTION"]) == "Lekker\nsamen"
    assert str(event["UID"]) == "activity-7-g4001@omzien"
    assert "RRULE" not in event
    series = Calendar.from_ical(activity_ics(
        an_activity(series_id=3, repeat=Repeat.MONTHLY, ends_at=local(2027, 3, 25, 20, 0)), AMS, NOW))
    event = series.events[0]
    assert event["RRULE"]["FREQ"] == ["MONTHLY"] and str(event["UID"]) == "series-3-g4001@omzien"
    timezone = series.timezones[0]
    assert timezone.tz_name == "Europe/Amsterdam"
    assert timezone.to_tz().utcoffset(datetime(2027, 7, 1, 12)) == timedelta(hours=2)


# --- ideas --------------------------------------------------------------------------------------

def an_idea(**changes: object) -> Idea:
    values: dict[str, object] = dict(
        id=1, building_id=GROUP, proposer_id=1, proposer_name="Fatma", text="Moestuin", message_id=3,
        status=IdeaStatus.OPEN, joined=0, activity_id=None, card_version=1, card_shown=1,
        created_at=NOW, ready_at=None, converted_at=None,
    )
    values.update(changes)
    return Idea.model_validate(values)


def test_joining_an_idea_is_absolute_and_not_for_the_proposer() -> None:
    idea = an_idea()
    assert decide_join(idea, 2, already=False, joining=True) is JoinOutcome.JOINED
    assert decide_join(idea, 2, already=True, joining=True) is JoinOutcome.ALREADY
    assert decide_join(idea, 2, already=True, joining=False) is JoinOutcome.LEFT
    assert decide_join(idea, 2, already=False, joining=False) is JoinOutcome.NOT_JOINED
    assert decide_join(idea, 1, already=False, joining=True) is JoinOutcome.OWN_IDEA
    closed = an_idea(status=IdeaStatus.CONVERTED)
    assert decide_join(closed, 2, already=False, joining=True) is JoinOutcome.CLOSED


def test_idea_text_and_its_first_title() -> None:
    assert clean_idea("  samen   koken ") == "samen koken"
    with pytest.raises(InvalidInput):
        clean_idea("x" * (IDEA_MAX + 1))
    long = "Samen een grote moestuin aanleggen op het dak van de flat met bakken, zaden en een regenton"
    title = draft_title(long)
    assert len(title) <= 80 and title.endswith("…") and long.startswith(title[:-1])
    assert draft_title("Koffie") == "Koffie"


# --- every text exists in every language --------------------------------------------------------

def test_every_text_chosen_at_run_time_exists_in_every_language() -> None:
    keys = [f"activity.problem.{p.value}" for p in Problem]
    keys += [f"activity.answer.{o.value}" for o in RsvpOutcome if o is not RsvpOutcome.WAITING]
    keys += [f"activity.repeat.{r.value}" for r in Repeat]
    keys += [f"activity.ask.{s.value}" for s in DraftStep if s is not DraftStep.PREVIEW]
    keys += [f"activity.card.changed.{c}" for c in ("time", "place", "text")]
    keys += [f"activity.changed.{c}" for c in ("time", "place", "text", "cancel")]
    keys += [f"activity.flow.repeat.{c}" for c in ("none", "week", "2week", "month")]
    keys += [f"activity.lookback.{r}" for r in ("good", "okay", "bad")]
    keys += [f"idea.answer.{o.value}" for o in JoinOutcome]
    keys += ["idea.problem.empty", "idea.problem.description_too_long"]
    for lang in SUPPORTED_LANGUAGES:
        missing = [key for key in keys if key not in catalogs()[lang]]
        assert not missing, f"{lang}: {missing}"
    assert len(t("en", "activity.answer.waiting", position=12)) <= 200
    for outcome in RsvpOutcome:
        if outcome is not RsvpOutcome.WAITING:
            for lang in SUPPORTED_LANGUAGES:
                text = t(lang, f"activity.answer.{outcome.value}") + " " + \
                    t(lang, "activity.answer.start_for_reminder")
                assert len(text) <= 200


# --- storage ------------------------------------------------------------------------------------

@pytest.fixture
async def db(database_location: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(database_location)
    await BuildingStore(database).activate(GROUP, "Flat De Linde", "nl", NOW)
    yield database
    await database.close()


async def published(db: Database, *, capacity: int | None = None, starts_at: datetime | None = None,
                    repeat: Repeat = Repeat.NONE) -> Activity:
    draft = Draft(user_id=1, building_id=GROUP, step=DraftStep.PREVIEW, title="Soep",
                  description="Samen", starts_at=starts_at or local(2026, 11, 26, 19, 0),
                  ends_at=None, place="Hal", capacity=capacity, repeat=repeat, updated_at=NOW)
    store = ActivityStore(db)
    await store.save_draft(draft)
    activity = await store.publish(draft, "Fatma", NOW)
    assert await store.draft(1) is None
    return activity


async def test_fifty_quick_answers_are_counted_exactly(db: Database) -> None:
    store = ActivityStore(db)
    activity = await published(db, capacity=20)
    await asyncio.gather(*(store.respond(activity.id, 100 + i, RsvpChoice.GOING, NOW) for i in range(50)))
    await asyncio.gather(*(store.respond(activity.id, 100 + i, RsvpChoice.GOING, NOW) for i in range(50)))
    counts = await store.counts(activity.id)
    assert counts.going == 20 and counts.waiting == 30
    after = await store.get(activity.id)
    assert after is not None and after.card_version == activity.card_version + 50


async def test_the_answer_store_keeps_answers_on_its_own(db: Database) -> None:
    activity = await published(db, capacity=1)
    answers = RsvpStore(db)
    first = await answers.respond(activity.id, 2, RsvpChoice.GOING, NOW)
    second = await answers.respond(activity.id, 3, RsvpChoice.GOING, NOW + timedelta(seconds=1))
    assert first is not None and first.counts.going == 1 and first.waiting_position is None
    assert second is not None and second.counts.waiting == 1 and second.waiting_position == 1
    assert [r.user_id for r in await answers.rsvps(activity.id)] == [2, 3]
    assert await answers.respond(activity.id + 100, 2, RsvpChoice.GOING, NOW) is None


async def test_answers_close_when_it_begins_and_who_came_is_kept(db: Database) -> None:
    store = ActivityStore(db)
    activity = await published(db)
    await store.respond(activity.id, 2, RsvpChoice.PLUS_ONE, NOW)
    await store.respond(activity.id, 3, RsvpChoice.MAYBE, NOW)
    late = await store.respond(activity.id, 4, RsvpChoice.GOING, local(2026, 11, 26, 19, 1))
    assert late is not None and late.decision is None
    assert await store.begin(activity.id) == 2
    assert await store.begin(activity.id) is None
    ended = await store.finish(activity.id, local(2026, 11, 26, 21, 0))
    assert ended is not None and ended.status is ActivityStatus.ENDED and ended.came_count == 2
    assert await store.finish(activity.id, local(2026, 11, 26, 21, 0)) is None
    assert await store.came(activity.id) == [2]


async def test_leaving_and_forgetting_free_places_and_keep_counts(db: Database) -> None:
    store = ActivityStore(db)
    activity = await published(db, capacity=1)
    await store.respond(activity.id, 2, RsvpChoice.GOING, NOW)
    await store.respond(activity.id, 3, RsvpChoice.GOING, NOW + timedelta(seconds=1))
    await store.respond(activity.id, 4, RsvpChoice.GOING, NOW + timedelta(seconds=2))
    before = await store.get(activity.id)
    withdrawals = await store.withdraw(2, NOW, GROUP)
    assert [(w.activity_id, w.promoted) for w in withdrawals] == [(activity.id, [3])]
    after = await store.get(activity.id)
    assert before is not None and after is not None
    assert after.card_version == before.card_version + 1, "the card shows the freed place"

    past = await published(db, starts_at=local(2026, 11, 24, 19, 0))
    await store.respond(past.id, 3, RsvpChoice.GOING, NOW)
    await store.finish(past.id, local(2026, 11, 24, 21, 0))
    exported = await store.export(3)
    assert [r["title"] for r in exported["rsvps"]] == ["Soep", "Soep"]
    withdrawals, renamed = await store.forget(3, local(2026, 11, 25, 9, 0))
    assert [w.promoted for w in withdrawals] == [[4]]
    assert await store.export(3) == {"activities_organised": [], "rsvps": [], "feedback": [],
                                     "offers_to_host": [], "draft": None}
    kept = await store.get(past.id)
    assert kept is not None and kept.came_count == 1

    assert await store.expire(local(2026, 11, 25, 0, 0)) == 1
    erased = await store.get(past.id)
    assert erased is not None and erased.description == "" and erased.place == ""
    assert erased.came_count == 1
    untouched = await store.get(activity.id)
    assert untouched is not None and untouched.place == "Hal"

    _, renamed = await store.forget(1, NOW)
    assert set(renamed) == {activity.id, past.id}
    renamed_activity = await store.get(activity.id)
    assert renamed_activity is not None and renamed_activity.organiser_name == "" \
        and renamed_activity.organiser_id is None
    assert (renamed_activity.title, renamed_activity.description, renamed_activity.place) \
        == ("", "", ""), "what the organiser wrote goes with them"

    figures = await store.figures(GROUP, NOW - timedelta(days=1), NOW + timedelta(days=7))
    assert figures == {"posted": 2, "held": 1, "came": 1, "rsvps": 2, "ideas": 0,
                       "ideas_became_activities": 0}


async def test_ideas_keep_their_counts_when_texts_and_names_go(db: Database) -> None:
    ideas = IdeaStore(db)
    idea = await ideas.create(GROUP, 1, "Fatma", "Moestuin", NOW)
    results = [await ideas.join(idea.id, user, True, NOW) for user in range(2, 8)]
    assert [r.became_ready for r in results if r] == [False, False, False, False, True, False]
    assert await ideas.export(2) == {"ideas_proposed": [], "ideas_joined": [
        {"text": "Moestuin", "joined_at": NOW.isoformat(timespec="seconds")}]}
    assert await ideas.forget(2, NOW) == [idea.id]
    assert await ideas.joiners(idea.id) == [3, 4, 5, 6, 7]
    assert await ideas.forget(1, NOW) == [idea.id]
    erased = await ideas.get(idea.id)
    assert erased is not None and erased.text == "" and erased.proposer_id is None
    assert erased.joined == 5


# --- organiser tools, private answers, the look-back ------------------------------------------

def test_places_are_never_fewer_than_taken_and_a_number_is_no_place() -> None:
    draft = Draft(user_id=1, building_id=GROUP, step=DraftStep.EDIT_CAPACITY, activity_id=7,
                  updated_at=NOW)
    assert fill(draft, " 12 ", NOW, AMS).capacity == 12
    assert fill(draft, "12", NOW, AMS).step is DraftStep.EDIT_CAPACITY
    assert skip(draft.model_copy(update={"capacity": 5}), NOW).capacity is None
    assert check_capacity(3, 3) == 3 and check_capacity(None, 40) is None
    with pytest.raises(InvalidInput) as below:
        check_capacity(2, 3)
    assert below.value.problem is Problem.CAPACITY_BELOW_GOING
    where = draft.model_copy(update={"step": DraftStep.EDIT_PLACE})
    with pytest.raises(InvalidInput) as number:
        fill(where, "5", NOW, AMS)
    assert number.value.problem is Problem.PLACE_IS_A_NUMBER
    assert fill(where, "Flat 5, de hal", NOW, AMS).place == "Flat 5, de hal"


def test_who_answered_is_listed_for_the_organiser_and_who_hears_of_changes() -> None:
    def rsvp(user: int, status: RsvpStatus, seconds: int, guests: int = 0) -> Rsvp:
        at = NOW + timedelta(seconds=seconds)
        return Rsvp(user_id=user, status=status, guests=guests, responded_at=at,
                    queued_at=at if status is RsvpStatus.WAITING else None)

    rsvps = [rsvp(5, RsvpStatus.WAITING, 9), rsvp(2, RsvpStatus.GOING, 1, guests=1),
             rsvp(3, RsvpStatus.MAYBE, 2), rsvp(4, RsvpStatus.WAITING, 3),
             rsvp(6, RsvpStatus.NOT_GOING, 4)]
    found = answers(rsvps)
    assert [r.user_id for r in found.going] == [2]
    assert [r.user_id for r in found.maybe] == [3]
    assert [r.user_id for r in found.waiting] == [4, 5]
    assert waiting_position(rsvps, 5) == 2 and waiting_position(rsvps, 2) is None
    assert is_full(2, count(rsvps)) and not is_full(3, count(rsvps)) and not is_full(None, count(rsvps))
    assert [r.user_id for r in rsvps if r.status in STILL_INTERESTED] == [5, 2, 3, 4]


def test_every_text_of_the_organiser_tools_exists_in_every_language() -> None:
    keys = [f"activity.lookback.thanks_{k}" for k in ("okay", "bad", "organiser", "away")]
    keys += [f"activity.mine.{s}" for s in ("going", "maybe", "waiting", "no")]
    keys += [f"activity.who.{k}" for k in ("going", "maybe", "waiting")]
    keys += [f"activity.handover.{scope}.{what}" for scope in ("activity", "series")
             for what in ("question", "button", "waiting", "ask_organiser", "confirmed",
                          "ask_again", "done_confirmed", "you_host")]
    keys += [f"activity.host.{what}" for what in ("question", "button", "waiting",
                                                  "ask_organiser", "confirmed", "ask_again",
                                                  "done_confirmed", "you_host")]
    for lang in SUPPORTED_LANGUAGES:
        missing = [key for key in keys if key not in catalogs()[lang]]
        assert not missing, f"{lang}: {missing}"
    for lang in SUPPORTED_LANGUAGES:
        assert "volgende keer" not in t(lang, "activity.handover.series.confirmed", name="Kees",
                                        title="Wandelen", repeat="elke week")


async def test_a_new_number_of_places_moves_the_waiting_list_up(db: Database) -> None:
    store = ActivityStore(db)
    activity = await published(db, capacity=1)
    for user in (2, 3, 4):
        await store.respond(activity.id, user, RsvpChoice.GOING, NOW + timedelta(seconds=user))
    result = await store.set_capacity(activity.id, 2, NOW)
    assert result is not None
    changed, promoted = result
    assert changed.capacity == 2 and promoted == [3]
    assert changed.card_version > activity.card_version + 3, "the card shows the new number"
    assert await store.set_capacity(activity.id, None, NOW) == (
        (await store.get(activity.id)), [4])
    await store.cancel(activity.id, NOW)
    assert await store.set_capacity(activity.id, 5, NOW) is None


async def test_who_came_is_what_they_say(db: Database) -> None:
    store = ActivityStore(db)
    activity = await published(db)
    await store.respond(activity.id, 2, RsvpChoice.PLUS_ONE, NOW)
    await store.respond(activity.id, 3, RsvpChoice.GOING, NOW)
    ended = await store.finish(activity.id, local(2026, 11, 26, 21, 0))
    assert ended is not None and ended.came_count == 3 and ended.came_confirmed is None
    for user in (1, 2, 3):
        assert await store.ask_feedback(ended, user, NOW)
    assert not await store.say_came(activity.id, 9, 1, NOW), "only those asked answer"
    assert await store.say_came(activity.id, 3, 0, NOW)
    assert (await store.get(activity.id)).came_confirmed is None  # type: ignore[union-attr]
    assert await store.say_came(activity.id, 2, 2, NOW)
    assert await store.say_came(activity.id, 1, 1, NOW)
    after = await store.get(activity.id)
    assert after is not None and after.came_confirmed == 3 and after.came_count == 3
    assert after.card_version > ended.card_version


async def test_hand_over_one_date_one_activity_or_a_whole_series(db: Database) -> None:
    store = ActivityStore(db)
    one_off = await published(db)
    offer = await store.ask_hand_over(one_off, HostScope.ACTIVITY, NOW)
    assert offer is not None and offer.scope is HostScope.ACTIVITY and offer.series_id is None
    assert await store.ask_hand_over(one_off, HostScope.ACTIVITY, NOW) is None, "asked once"
    assert await store.hand_over_activity(one_off.id, 5, "Kees", NOW) == [one_off.id]
    moved = await store.get(one_off.id)
    assert moved is not None and moved.organiser_id == 5 and moved.organiser_name == "Kees"

    weekly = await published(db, repeat=Repeat.WEEKLY, starts_at=local(2026, 11, 24, 19, 0))
    assert weekly.series_id is not None
    series = await store.series(weekly.series_id)
    assert series is not None
    await store.finish(weekly.id, local(2026, 11, 24, 21, 0))
    ended = await store.get(weekly.id)
    assert ended is not None
    second = await store.add_occurrence(ended, series, local(2026, 12, 1, 19, 0), None, NOW)
    look_back = await store.open_host_offer(ended, NOW)
    assert look_back is not None and look_back.scope is HostScope.NEXT
    assert (await store.open_host_offer(ended, NOW)) == look_back
    assert await store.hand_over_next(series.id, 6, "Anouk", NOW) == [second.id]
    assert (await store.series(series.id)).organiser_id == 1  # type: ignore[union-attr]
    assert await store.hand_over(series.id, 7, "Oksana", NOW) == [second.id]
    assert (await store.series(series.id)).organiser_id == 7  # type: ignore[union-attr]


async def test_a_residents_answers_to_what_is_still_to_come_in_date_order(db: Database) -> None:
    answers = RsvpStore(db)
    later = await published(db, starts_at=local(2026, 12, 3, 19, 0))
    sooner = await published(db, starts_at=local(2026, 11, 26, 19, 0), capacity=1)
    declined = await published(db, starts_at=local(2026, 11, 27, 19, 0))
    called_off = await published(db, starts_at=local(2026, 11, 28, 19, 0))
    begun = await published(db, starts_at=local(2026, 11, 24, 19, 0))
    await answers.respond(later.id, 2, RsvpChoice.PLUS_ONE, NOW)
    await answers.respond(sooner.id, 3, RsvpChoice.GOING, NOW)
    await answers.respond(sooner.id, 2, RsvpChoice.GOING, NOW + timedelta(seconds=1))
    await answers.respond(declined.id, 2, RsvpChoice.NOT_GOING, NOW)
    await answers.respond(called_off.id, 2, RsvpChoice.MAYBE, NOW)
    await ActivityStore(db).cancel(called_off.id, NOW)
    await answers.respond(begun.id, 2, RsvpChoice.GOING, NOW)
    found = await answers.answered_by(2, local(2026, 11, 24, 19, 0))
    assert [(activity.id, rsvp.status, rsvp.guests) for activity, rsvp in found] == [
        (sooner.id, RsvpStatus.WAITING, 0), (later.id, RsvpStatus.GOING, 1)]
    waiting = found[0][1]
    assert waiting.user_id == 2 and waiting.queued_at == NOW + timedelta(seconds=1)
    assert waiting.responded_at == NOW + timedelta(seconds=1)
    assert await answers.waiting_position(sooner.id, 2) == 1
    assert await answers.waiting_position(sooner.id, 3) is None
    assert await answers.answered_by(3, local(2026, 11, 26, 19, 0)) == []
