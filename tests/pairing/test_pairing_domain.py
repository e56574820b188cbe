"""The rules of regular neighbours as plain functions: who may be suggested to whom, in which
order, and when the three cups of tea are asked about."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dates_text import weekday_name
from bot.domain.pairing import (
    LASTING,
    MAX_ACTIVE_PAIRS,
    SUGGESTION_TTL,
    Availability,
    CheckIn,
    DayPart,
    Frequency,
    Offer,
    Pairing,
    PairKind,
    PairStatus,
    Wish,
    WishStatus,
    asks_about_regular,
    candidates,
    figures,
    first_checkin,
    is_lapsed,
    may_pair,
    next_checkin,
    pair_key,
    plan_suggestions,
    prompt_moment,
    reminder,
    toggle,
)
from bot.domain.quiet_hours import QuietHours
from bot.i18n import catalogs

ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Amsterdam
BUILDING = -100
THURSDAY_AFTERNOON = Availability(days=frozenset({3}), parts=frozenset({DayPart.AFTERNOON}))


def wish(user_id: int = 1, *, kind: PairKind = PairKind.COMPANY, when: Availability = THURSDAY_AFTERNOON,
         building_id: int = BUILDING, wish_id: int = 1, age: int = 0,
         status: WishStatus = WishStatus.OPEN) -> Wish:
    created = NOW - timedelta(days=age)
    return Wish(id=wish_id, building_id=building_id, user_id=user_id, kind=kind, when=when,
                status=status, created_at=created, updated_at=created)


def offer(user_id: int, *, kinds: set[PairKind] | None = None,
          when: Availability | None = None, building_id: int = BUILDING,
          frequency: Frequency = Frequency.WEEKLY, paused: bool = False, age: int = 0) -> Offer:
    created = NOW - timedelta(days=age)
    return Offer(
        id=user_id, building_id=building_id, user_id=user_id,
        kinds=frozenset(kinds or {PairKind.COMPANY}),
        when=when or Availability(days=frozenset({1, 3}),
                                  parts=frozenset({DayPart.AFTERNOON, DayPart.EVENING})),
        frequency=frequency, paused=paused, created_at=created, updated_at=created,
    )


def pick(found: list[Offer]) -> list[int]:
    return [o.user_id for o in found]


# --- hard rules -----------------------------------------------------------------------------------

def test_same_kind_and_overlapping_day_and_part_match() -> None:
    assert may_pair(wish(), offer(2))


def test_never_oneself() -> None:
    assert not may_pair(wish(user_id=2), offer(2))


def test_never_across_buildings() -> None:
    assert not may_pair(wish(), offer(2, building_id=-200))


def test_other_kind_does_not_match() -> None:
    assert not may_pair(wish(), offer(2, kinds={PairKind.GROCERIES, PairKind.CHORE}))
    assert may_pair(wish(), offer(2, kinds={PairKind.GROCERIES, PairKind.COMPANY}))


def test_days_must_overlap() -> None:
    monday = Availability(days=frozenset({0}), parts=frozenset({DayPart.AFTERNOON}))
    assert not may_pair(wish(), offer(2, when=monday))


def test_parts_of_the_day_must_overlap() -> None:
    thursday_morning = Availability(days=frozenset({3}), parts=frozenset({DayPart.MORNING}))
    assert not may_pair(wish(), offer(2, when=thursday_morning))


def test_paused_offer_and_closed_wish_do_not_match() -> None:
    assert not may_pair(wish(), offer(2, paused=True))
    assert not may_pair(wish(status=WishStatus.PAIRED), offer(2))


def test_overlap_and_completeness() -> None:
    a = Availability(days=frozenset({0, 1, 2}), parts=frozenset({DayPart.MORNING, DayPart.EVENING}))
    b = Availability(days=frozenset({2, 3}), parts=frozenset({DayPart.EVENING}))
    shared = a.overlap(b)
    assert shared.days == {2} and shared.parts == {DayPart.EVENING} and shared.complete
    assert shared.size == 1 and a.size == 6
    assert not Availability(days=frozenset({1})).complete


# --- order and load spreading -----------------------------------------------------------------------

def test_someone_not_yet_paired_comes_before_someone_in_two_pairs() -> None:
    busy_one, free_one = offer(2, age=30), offer(3, age=1)
    found = candidates(wish(), [busy_one, free_one], active_pairs={2: 2}, excluded=set(), busy=set())
    assert pick(found) == [3, 2]


def test_someone_at_the_limit_is_not_suggested() -> None:
    found = candidates(wish(), [offer(2)], active_pairs={2: MAX_ACTIVE_PAIRS}, excluded=set(),
                       busy=set())
    assert found == []


def test_weekly_before_now_and_then_then_widest_overlap_then_oldest() -> None:
    narrow = Availability(days=frozenset({3}), parts=frozenset({DayPart.AFTERNOON}))
    wide_wish = wish(when=Availability(days=frozenset({1, 3}),
                                       parts=frozenset({DayPart.AFTERNOON, DayPart.EVENING})))
    offers = [
        offer(2, frequency=Frequency.OCCASIONAL, age=50),
        offer(3, when=narrow, age=40),
        offer(4, age=10),
        offer(5, age=20),
    ]
    found = candidates(wide_wish, offers, active_pairs={}, excluded=set(), busy=set())
    assert pick(found) == [5, 4, 3, 2]


def test_declined_pair_is_never_suggested_again_either_way_round() -> None:
    excluded = {pair_key(2, 1)}
    assert pair_key(1, 2) == pair_key(2, 1) == (1, 2)
    found = candidates(wish(user_id=1), [offer(2), offer(3)], active_pairs={}, excluded=excluded,
                       busy=set())
    assert pick(found) == [3]


def test_helper_already_considering_a_suggestion_waits() -> None:
    found = candidates(wish(), [offer(2), offer(3)], active_pairs={}, excluded=set(), busy={2})
    assert pick(found) == [3]


def test_plan_gives_each_helper_one_new_suggestion_and_skips_waiting_wishes() -> None:
    first = wish(user_id=1, wish_id=11, age=3)
    second = wish(user_id=4, wish_id=12, age=2)
    third = wish(user_id=5, wish_id=13, age=1)
    waiting = wish(user_id=6, wish_id=14, age=9)
    planned = plan_suggestions([third, second, first, waiting], [offer(2), offer(3)],
                               active_pairs={}, excluded=set(), busy=set(), waiting={14})
    assert [(w.id, o.user_id) for w, o in planned] == [(11, 2), (12, 3)]


def test_plan_never_pairs_someone_with_themselves_when_they_both_offer_and_wish() -> None:
    planned = plan_suggestions([wish(user_id=2)], [offer(2)], active_pairs={}, excluded=set(),
                               busy=set(), waiting=set())
    assert planned == []


# --- lapsing, the three cups ------------------------------------------------------------------------

def pairing(status: PairStatus = PairStatus.ACTIVE, *, paired_days_ago: int | None = 0,
            ended_days_ago: int | None = None, stage: int = 0) -> Pairing:
    return Pairing(
        id=1, building_id=BUILDING, wish_id=1, resident_id=1, helper_id=2, kind=PairKind.COMPANY,
        status=status, stage=stage, suggested_at=NOW - timedelta(days=(paired_days_ago or 0) + 1),
        paired_at=None if paired_days_ago is None else NOW - timedelta(days=paired_days_ago),
        ended_at=None if ended_days_ago is None else NOW - timedelta(days=ended_days_ago),
    )


def test_unanswered_suggestion_lapses_after_the_time() -> None:
    asked = pairing(PairStatus.ASKED_HELPER, paired_days_ago=None)
    assert not is_lapsed(asked, asked.suggested_at + SUGGESTION_TTL - timedelta(minutes=1))
    assert is_lapsed(asked, asked.suggested_at + SUGGESTION_TTL)
    assert not is_lapsed(pairing(), NOW + timedelta(days=60))


def test_partner_of() -> None:
    made = pairing()
    assert made.partner_of(1) == 2 and made.partner_of(2) == 1 and made.partner_of(3) is None


def test_first_checkin_about_a_week_later_mid_morning() -> None:
    check, due = first_checkin(NOW, QuietHours(), ZONE)
    assert check == CheckIn(round=1, attempt=0)
    local = due.astimezone(ZONE)
    assert local.date() == (NOW + timedelta(days=7)).astimezone(ZONE).date()
    assert local.time() == time(10, 30)


def test_prompt_moment_respects_custom_quiet_hours() -> None:
    late_mornings = QuietHours(start=time(20, 0), end=time(11, 0))
    due = prompt_moment(NOW, timedelta(days=7), late_mornings, ZONE)
    assert due.astimezone(ZONE).time() == time(11, 0)
    assert not late_mornings.contains(due, ZONE)


def test_rounds_stop_after_the_third_cup() -> None:
    quiet = QuietHours()
    second = next_checkin(1, NOW, quiet, ZONE)
    assert second is not None and second[0] == CheckIn(round=2, attempt=0)
    assert second[1] - NOW > timedelta(days=13)
    third = next_checkin(2, NOW, quiet, ZONE)
    assert third is not None and third[0].round == 3
    assert next_checkin(3, NOW, quiet, ZONE) is None


def test_one_gentle_reminder_at_most() -> None:
    later = reminder(CheckIn(round=1, attempt=0), NOW, QuietHours(), ZONE)
    assert later is not None and later[0] == CheckIn(round=1, attempt=1)
    assert reminder(CheckIn(round=1, attempt=1), NOW, QuietHours(), ZONE) is None


def test_regular_question_after_second_and_third_meeting_until_agreed() -> None:
    assert not asks_about_regular(1, False)
    assert asks_about_regular(2, False) and asks_about_regular(3, False)
    assert not asks_about_regular(3, True)


def test_figures_count_made_lasting_and_third_cup() -> None:
    rows = [
        pairing(paired_days_ago=100, stage=3),
        pairing(PairStatus.ENDED, paired_days_ago=100, ended_days_ago=50, stage=1),
        pairing(PairStatus.ENDED, paired_days_ago=200, ended_days_ago=5, stage=2),
        pairing(paired_days_ago=10),
        pairing(PairStatus.DECLINED, paired_days_ago=None),
    ]
    shown = figures(rows, NOW)
    assert (shown.made, shown.active, shown.lasting, shown.third_cup) == (4, 2, 2, 1)
    assert timedelta(days=90) <= LASTING


def test_toggle() -> None:
    assert toggle(frozenset({1}), 2) == {1, 2}
    assert toggle(frozenset({1, 2}), 2) == {1}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_kind_day_and_part_has_words(lang: str) -> None:
    texts = catalogs()[lang]
    for kind in PairKind:
        assert f"pairing.kind.{kind.value}" in texts and f"pairing.want.{kind.value}" in texts
    for day in range(7):
        assert weekday_name(lang, day) and weekday_name(lang, day, width="abbreviated", alone=True)
    for part in DayPart:
        assert f"pairing.part.{part.value}" in texts and f"pairing.part_label.{part.value}" in texts
    for often in Frequency:
        assert f"offer.often.{often.value}" in texts
    for n in (1, 2, 3):
        assert f"pairing.checkin.{n}" in texts and f"pairing.met.{n}" in texts
