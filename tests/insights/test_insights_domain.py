"""The rules of the anonymous figures: fixed calendar periods, suppression, complementary
suppression, the small-group rule, and how figures read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from bot.domain.disclosure import JointDisclosureCheck
from bot.domain.insights import (
    BuildingInsights,
    LabelProblem,
    building_insights,
    clean_label,
    combined_insights,
)
from bot.domain.intervals import is_single
from bot.domain.month_protection import protect_month
from bot.domain.period_figures import protect
from bot.domain.periods import (
    PeriodKind,
    add_months,
    last_full_month,
    last_full_week,
    month_of,
    recent_weeks,
    weeks_of,
)
from bot.domain.raw_figures import RawFigures, lasting_helpers, month_figures
from bot.domain.shown_figures import (
    HIDDEN,
    SMALL,
    WITHHELD,
    Show,
    Shown,
    combine,
    exact,
    median_wait,
    share,
    suppress,
)
from bot.domain.suppression import feasible_values, protect_sums
from handlers.insights.labels import figure, period_label
from handlers.insights.render import render_building
from handlers.insights.table import render_csv
from tests.harness import AMS, local

KINDS = ["groceries", "transport", "chore"]


# -- periods ------------------------------------------------------------------------------------


def test_last_full_week_is_the_monday_to_sunday_before_this_one() -> None:
    week = last_full_week(local(2026, 11, 23, 11, 0), AMS)
    assert (week.first_day, week.last_day) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week.start == local(2026, 11, 16, 0, 0) and week.end == local(2026, 11, 23, 0, 0)
    assert week.key == "2026-W47" and week.kind is PeriodKind.WEEK


def test_week_boundaries_are_amsterdam_midnight_not_utc() -> None:
    # Sunday 23:30 in Amsterdam is still the current week (22:30 UTC)...
    sunday_night = local(2026, 11, 29, 23, 30).astimezone(UTC)
    assert last_full_week(sunday_night, AMS).first_day == date(2026, 11, 16)
    # ...and 00:30 on Monday (23:30 UTC on Sunday) starts a new one.
    monday_early = local(2026, 11, 30, 0, 30).astimezone(UTC)
    assert monday_early.day == 29
    assert last_full_week(monday_early, AMS).first_day == date(2026, 11, 23)


def test_a_week_across_the_autumn_clock_change_has_169_hours() -> None:
    week = last_full_week(local(2026, 10, 28, 12, 0), AMS)
    assert (week.first_day, week.last_day) == (date(2026, 10, 19), date(2026, 10, 25))
    assert week.start.astimezone(UTC) == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert week.end.astimezone(UTC) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == timedelta(hours=169)


def test_a_week_across_the_spring_clock_change_has_167_hours() -> None:
    week = last_full_week(local(2027, 3, 31, 12, 0), AMS)
    assert (week.first_day, week.last_day) == (date(2027, 3, 22), date(2027, 3, 28))
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == timedelta(hours=167)


def test_a_month_is_the_whole_weeks_whose_monday_falls_in_it() -> None:
    # November 2026 starts on a Sunday: that Sunday belongs, with its week, to October.
    october, november = month_of(date(2026, 10, 15), AMS), month_of(date(2026, 11, 1), AMS)
    assert (october.first_day, october.last_day) == (date(2026, 10, 5), date(2026, 11, 1))
    assert (november.first_day, november.last_day) == (date(2026, 11, 2), date(2026, 12, 6))
    assert october.end == november.start == local(2026, 11, 2, 0, 0)
    assert october.key == "2026-10" and november.key == "2026-11"
    assert november.kind is PeriodKind.MONTH
    # 4 and 5 whole weeks; no day of a month is left over beside its weeks.
    for month, count in ((october, 4), (november, 5)):
        weeks = weeks_of(month)
        assert len(weeks) == count
        assert weeks[0].start == month.start and weeks[-1].end == month.end
        assert all(b.start == a.end for a, b in pairwise(weeks))
        assert all(w.first_day.month == month.first_day.month for w in weeks)
    assert [w.key for w in weeks_of(november)] == [f"2026-W{n}" for n in range(45, 50)]
    # February 2027 starts on a Monday and is exactly four weeks.
    february = month_of(date(2027, 2, 14), AMS)
    assert (february.first_day, february.last_day) == (date(2027, 2, 1), date(2027, 2, 28))
    assert len(weeks_of(february)) == 4


def test_months_meet_at_amsterdam_midnight_across_both_clock_changes() -> None:
    # October 2026 holds week 43, in which the clocks go back: 4 weeks and 1 hour.
    october = month_of(date(2026, 10, 1), AMS)
    assert october.start.astimezone(UTC) == datetime(2026, 10, 4, 22, 0, tzinfo=UTC)
    assert october.end.astimezone(UTC) == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    autumn = weeks_of(october)[2]
    assert autumn.key == "2026-W43"
    assert autumn.end.astimezone(UTC) - autumn.start.astimezone(UTC) == timedelta(hours=169)
    # March 2027: five weeks, and the week of 22 March has only 167 hours.
    march = month_of(date(2027, 3, 1), AMS)
    assert (march.first_day, march.last_day) == (date(2027, 3, 1), date(2027, 4, 4))
    spring = weeks_of(march)[3]
    assert spring.first_day == date(2027, 3, 22)
    assert spring.end.astimezone(UTC) - spring.start.astimezone(UTC) == timedelta(hours=167)
    assert march.end.astimezone(UTC) - march.start.astimezone(UTC) == timedelta(weeks=5, hours=-1)


def test_last_full_month_is_over_only_when_its_last_week_is() -> None:
    # November's last week runs to Sunday 6 December: at 23:30 that night it is not over...
    assert last_full_month(local(2026, 12, 6, 23, 30).astimezone(UTC), AMS).key == "2026-10"
    # ...and at 00:30 on Monday in Amsterdam (still Sunday in UTC) it is.
    monday_early = local(2026, 12, 7, 0, 30).astimezone(UTC)
    assert monday_early.day == 6
    month = last_full_month(monday_early, AMS)
    assert month.key == "2026-11" and month.last_day == last_full_week(monday_early, AMS).last_day
    assert last_full_month(local(2026, 11, 23, 11, 0), AMS).key == "2026-10"
    # Across the new year: December 2024 ends with ISO week 1 of 2025.
    december = last_full_month(local(2025, 1, 6, 9, 0), AMS)
    assert (december.first_day, december.last_day) == (date(2024, 12, 2), date(2025, 1, 5))
    assert weeks_of(december)[-1].key == "2025-W01"
    assert period_label("nl", december) == "Maand: december 2024 (weken 49–1: 2 dec – 5 jan 2025)"
    assert period_label("en", month) == "Month: November 2026 (weeks 45–49: 2 Nov – 6 Dec 2026)"


def test_recent_weeks_are_twelve_consecutive_full_weeks() -> None:
    weeks = recent_weeks(local(2026, 11, 25, 9, 0), AMS)
    assert len(weeks) == 12
    assert weeks[-1].first_day == date(2026, 11, 16)
    assert all(b.start == a.end for a, b in pairwise(weeks))


def test_add_months_keeps_the_day_or_takes_the_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 5), 1) == date(2027, 1, 5)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


# -- suppression --------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "reads"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (37, "37")])
def test_counts_from_1_to_4_read_as_less_than_5(count: int, reads: str) -> None:
    assert figure(suppress(count)) == reads


def test_one_small_outcome_gets_a_second_cell_hidden() -> None:
    total, (outcome,) = protect_sums(20, [{"helped": 12, "expired": 2, "other": 6}])
    assert total == exact(20)
    assert outcome["expired"] == SMALL
    assert outcome["other"] == HIDDEN  # the smallest other cell that protects it
    assert outcome["helped"] == exact(12)


def test_hiding_the_smallest_is_not_enough_when_it_would_pin_the_small_one() -> None:
    # 16 = 10 + 1 + 5: hiding the 5 would leave "expired + other = 6" with other >= 5 or 0,
    # so expired must be 1. Hiding the 10 instead leaves 11 = expired + helped: safe.
    _, (outcome,) = protect_sums(16, [{"helped": 10, "expired": 1, "other": 5}])
    assert outcome["expired"] == SMALL
    assert outcome["helped"] == HIDDEN
    assert outcome["other"] == exact(5)


def test_two_small_cells_at_their_limit_are_protected() -> None:
    # 8 = 4 + 4 + 0: two "<5" adding up to 8 would both be 4.
    total, (outcome,) = protect_sums(8, [{"helped": 4, "expired": 4, "other": 0}])
    assert outcome["helped"] == SMALL and outcome["expired"] == SMALL
    assert outcome["other"] == HIDDEN or total == HIDDEN


def test_many_ones_hide_the_total() -> None:
    total, (kinds,) = protect_sums(5, [dict.fromkeys("abcde", 1)])
    assert all(cell == SMALL for cell in kinds.values())
    assert total == HIDDEN


def test_the_shared_total_links_outcome_and_kind() -> None:
    total, groups = protect_sums(12, [{"helped": 12, "expired": 0, "other": 0},
                                      {"groceries": 9, "transport": 3}])
    assert groups[1]["transport"] == SMALL and groups[1]["groceries"] == HIDDEN
    _, cells = feasible_values(total, groups)
    assert not is_single(cells[1]["transport"])


def test_nothing_is_hidden_when_no_total_is_shown() -> None:
    total, (cells,) = protect_sums(14, [{"a": 10, "b": 3, "c": 1}], total_shown=False)
    assert total is None
    assert cells == {"a": exact(10), "b": SMALL, "c": SMALL}


def test_share_needs_a_whole_of_at_least_5_and_a_shown_part() -> None:
    assert share(exact(3), exact(5)) == 60
    assert share(exact(0), SMALL) is None
    assert share(HIDDEN, exact(20)) is None
    assert share(exact(5), exact(5)) == 100


def test_median_only_over_at_least_5_shown_helped_requests() -> None:
    assert median_wait([10, 20, 30, 40, 52], exact(5)) == 30
    assert median_wait([10, 20, 30, 40], SMALL) is None
    assert median_wait([10, 20, 30, 40, 50, 60], HIDDEN) is None


def test_protect_never_shows_a_small_count_or_a_share_of_a_small_whole() -> None:
    raw = RawFigures(asked=4, helped=3, expired=1, by_kind={"groceries": 4},
                     wait_minutes=[5, 6, 7], askers=3, helpers=2)
    week = last_full_week(local(2026, 11, 23, 11, 0), AMS)
    shown = protect(week, raw, KINDS)
    assert shown.asked == SMALL and shown.helped == SMALL
    assert shown.share_helped is None and shown.median_wait_minutes is None
    assert shown.by_kind == {"groceries": SMALL}


# -- a month beside its weeks ----------------------------------------------------------------


OCTOBER = month_of(date(2026, 10, 1), AMS)  # four whole weeks


def _month(*weeks: tuple[int, int, int], ideas: tuple[int, ...] = ()) -> tuple[list[Shown], Shown, Shown]:
    """October with these (helped, expired, other) per week, all groceries: the weeks' asked,
    and the month's asked and ideas as shown."""
    raws = [RawFigures(asked=sum(w), helped=w[0], expired=w[1], by_kind={"groceries": sum(w)},
                       ideas=ideas[n] if ideas else 0) for n, w in enumerate(weeks)]
    month = month_figures(RawFigures(), raws)
    shown = [(protect(period, raw, KINDS), raw) for period, raw in zip(weeks_of(OCTOBER), raws, strict=True)]
    figures = protect_month(protect(OCTOBER, month, KINDS), month, shown)
    return [f.asked for f, _ in shown], figures.asked, figures.ideas


def test_a_month_minus_its_other_weeks_never_gives_a_small_week_away() -> None:
    # 6 + <5 + 7 + 5: the month's 21 would tell the <5 was 3.
    weeks, month, ideas = _month((6, 0, 0), (3, 0, 0), (7, 0, 0), (5, 0, 0), ideas=(6, 2, 0, 5))
    assert weeks == [exact(6), SMALL, exact(7), exact(5)]  # each week reads as on its own
    # Only what the weeks already tell: at least 6 + 1 + 7 + 5.
    assert month == Shown(show=Show.AT_LEAST, value=19) and figure(month) == "≥19"
    assert ideas == Shown(show=Show.AT_LEAST, value=12)  # 13 would give the 2 away too


def test_a_month_is_shown_when_its_small_weeks_stay_unknown() -> None:
    # <5 + 0 + 6 + <5 = 9: the two small weeks are 1+2, 2+1 or ... nothing can be pinned.
    weeks, month, ideas = _month((2, 0, 0), (0, 0, 0), (6, 0, 0), (1, 0, 0), ideas=(0, 3, 0, 0))
    assert weeks == [SMALL, exact(0), exact(6), SMALL]
    assert month == exact(9)
    assert ideas == SMALL  # one small week, and the month is that same "<5"


def test_a_small_month_that_would_pin_its_weeks_is_left_out() -> None:
    # Weeks of 3 (one helped, one expired, one open: each "<5") and 1. A month of "<5" would say
    # the two add up to at most 4, so the first is 3 and the second 1: the month says nothing.
    weeks, month, _ = _month((0, 0, 0), (0, 0, 0), (1, 1, 1), (0, 0, 1))
    assert weeks == [exact(0), exact(0), SMALL, SMALL]
    assert month == WITHHELD and figure(month) == "–"


def test_a_month_with_all_weeks_shown_hides_nothing() -> None:
    _, month, _ = _month((12, 0, 0), (0, 0, 0), (6, 0, 0), (9, 0, 0))
    assert month == exact(27)


def test_a_month_must_be_the_sum_of_its_weeks() -> None:
    raw = RawFigures(asked=5, helped=5, by_kind={"groceries": 5})
    weeks = [(protect(period, raw, KINDS), raw) for period in weeks_of(OCTOBER)]
    with pytest.raises(ValueError, match="sum of its weeks"):
        protect_month(protect(OCTOBER, raw, KINDS), raw, weeks)


def test_rows_and_columns_together_can_pin_what_neither_pins_alone() -> None:
    # Two weeks (rows) by two outcomes (columns), with every row and column total shown.
    # Alone, each row and each column leaves "a" anywhere in 1-3; together a = 1 + d - 4 <= 1.
    cells = {"a": SMALL, "b": HIDDEN, "c": HIDDEN, "d": SMALL, "row1": exact(9), "row2": exact(11),
             "col1": exact(8), "col2": exact(12)}
    truth = {"a": 1, "b": 8, "c": 7, "d": 4, "row1": 9, "row2": 11, "col1": 8, "col2": 12}
    sums = [("row1", ["a", "b"]), ("row2", ["c", "d"]), ("col1", ["a", "c"]), ("col2", ["b", "d"])]
    for total, parts in sums:
        _, (cells_alone,) = feasible_values(cells[total], [{p: cells[p] for p in parts}])
        assert not any(is_single(values) for values in cells_alone.values())
    check = JointDisclosureCheck(cells, truth, sums)
    assert check.first_worked_out() == "a" and check.is_worked_out("d")
    # With d = 3 there is room: a 1 or 2, d 3 or 4.
    moved = {**truth, "d": 3, "c": 8, "row2": 11, "col1": 9, "col2": 11}
    safe = JointDisclosureCheck({**cells, "col1": exact(9), "col2": exact(11)}, moved, sums)
    assert safe.first_worked_out() is None
    with pytest.raises(ValueError, match="shown as something"):
        JointDisclosureCheck({**cells, "a": exact(5)}, truth, sums)


def test_a_search_that_runs_too_long_counts_as_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.domain.disclosure as disclosure

    cells = {"a": SMALL, "b": SMALL, "total": exact(5)}
    truth = {"a": 2, "b": 3, "total": 5}
    assert JointDisclosureCheck(cells, truth, [("total", ["a", "b"])]).first_worked_out() is None
    monkeypatch.setattr(disclosure, "SEARCH_STEPS", 0)
    assert JointDisclosureCheck(cells, truth, [("total", ["a", "b"])]).first_worked_out() == "a"


# -- the small-group rule, combining ----------------------------------------------------------


def _report(building_id: int, residents: int, raw: RawFigures) -> BuildingInsights:
    """A building with the same figures every week (and a month that is their sum)."""
    now = local(2026, 11, 23, 11, 0)
    week, month = last_full_week(now, AMS), last_full_month(now, AMS)
    weeks = [(period, raw) for period in weeks_of(month)]
    return building_insights(building_id, f"Flat {building_id}", residents, (week, raw),
                             (month, month_figures(raw, [raw] * len(weeks))), weeks,
                             [(week, raw)], KINDS)


def test_fewer_than_5_residents_show_no_figures() -> None:
    raw = RawFigures(asked=40, helped=30, expired=10, by_kind={"groceries": 40}, askers=4)
    small = _report(1, 4, raw)
    assert small.too_small and small.week is None
    text = render_building("nl", small)
    assert "Nog geen cijfers" in text and "40" not in text
    assert "nog geen cijfers" in render_csv("nl", [small]).decode("utf-8-sig")
    assert "40" not in render_csv("nl", [small]).decode("utf-8-sig")
    assert not _report(1, 5, raw).too_small


def test_combine_uses_only_what_each_building_shows() -> None:
    assert combine([exact(5), exact(7)]) == exact(12)
    assert combine([exact(20), SMALL]) == Shown(show=Show.AT_LEAST, value=21)
    assert combine([SMALL, exact(0)]) == SMALL
    assert combine([SMALL, SMALL]) == WITHHELD  # 2..8: neither <5 nor at least 5
    assert combine([exact(3 + 2), HIDDEN]) == Shown(show=Show.AT_LEAST, value=5)


def test_combined_view_needs_two_shown_buildings() -> None:
    raw = RawFigures(asked=10, helped=8, expired=2, by_kind={"groceries": 10},
                     wait_minutes=[30] * 8, askers=6, helpers=5)
    one, two, tiny = _report(1, 12, raw), _report(2, 15, raw), _report(3, 4, raw)
    assert combined_insights([one, tiny]) is None
    both = combined_insights([one, two, tiny])
    assert both is not None and both.buildings == 2
    assert both.week.asked == exact(20)
    assert both.week.expired == WITHHELD  # <5 in each building: not worked out from the sum
    assert both.month.asked == exact(80)  # October 2026: four whole weeks of 10


# -- small rules --------------------------------------------------------------------------------


def test_helpers_count_as_lasting_six_months_after_their_first_help() -> None:
    first = datetime(2026, 5, 10, 12, tzinfo=UTC)
    firsts = {1: first, 2: datetime(2026, 6, 1, tzinfo=UTC)}
    helps = [(1, datetime(2026, 11, 10, 12, tzinfo=UTC)), (1, datetime(2026, 11, 11, tzinfo=UTC)),
             (2, datetime(2026, 11, 12, tzinfo=UTC))]
    assert lasting_helpers(firsts, helps) == 1
    assert lasting_helpers(firsts, [(1, datetime(2026, 11, 10, 11, tzinfo=UTC))]) == 0


def test_no_trait_of_a_resident_is_counted() -> None:
    """Language (or origin) would single out the one household that has it: not a field at
    all, neither counted nor shown."""
    counted = set(RawFigures.model_fields)
    assert not {"languages", "language", "origin"} & counted
    week = last_full_week(local(2026, 11, 23, 11, 0), AMS)
    shown = protect(week, RawFigures(asked=7, by_kind={"chore": 7}), KINDS)
    assert not any("lang" in name for name in type(shown).model_fields)


def test_worker_labels_are_one_line_of_1_to_80_characters() -> None:
    assert clean_label("  Sanne \n Visser ") == "Sanne Visser"
    assert clean_label("   ") is LabelProblem.EMPTY
    assert clean_label("x" * 81) is LabelProblem.TOO_LONG
    assert clean_label("x" * 80) == "x" * 80


# -- counting (storage) ---------------------------------------------------------------------------


async def test_counts_of_a_week_and_figures_that_never_change_afterwards() -> None:
    from storage.db import Database, to_db
    from storage.insights import InsightStore
    from tests.insights.insights_seed import (
        Activity,
        Idea,
        Life,
        Pair,
        Request,
        Resident,
        ensure_building,
        seed,
    )

    now = local(2026, 11, 25, 9, 0)
    week = last_full_week(now, AMS)  # 16-22 November
    monday = week.start
    db = await Database.open(":memory:")
    try:
        await ensure_building(db, -1, "Flat", monday - timedelta(days=400))
        people = [Resident(100 + n, f"R{n}", "tr" if n < 2 else "nl") for n in range(6)]
        life = Life(
            residents=people,
            requests=[
                Request(100, monday + timedelta(hours=9), "groceries", helper=101, status="done",
                        claimed_after=timedelta(minutes=40)),
                Request(100, monday + timedelta(days=1), "groceries", helper=102, status="claimed",
                        claimed_after=timedelta(minutes=20)),
                Request(103, monday + timedelta(days=2), "transport", status="expired"),
                # claimed only after the week ended: open at its end
                Request(103, week.end - timedelta(hours=1), "chore", helper=101, status="claimed",
                        claimed_after=timedelta(hours=3)),
                Request(104, monday - timedelta(hours=1), "chore", status="open"),  # week before
                # helper 101's very first help, seven months earlier: 101 is still helping
                Request(105, monday - timedelta(days=210), "other", helper=101, status="done"),
            ],
            activities=[Activity(100, "R0", "Soep", monday + timedelta(days=3, hours=18),
                                 going=[101, 102, 103])],
            ideas=[Idea(104, "R4", "Tuin", monday + timedelta(days=4), joiners=[105])],
            pairs=[Pair(100, 101, monday + timedelta(days=1)),
                   Pair(102, 103, monday - timedelta(days=91) + timedelta(days=2), stage=3),
                   Pair(104, 105, monday - timedelta(days=91) + timedelta(days=3),
                        ended_at=monday - timedelta(days=10))],
        )
        await seed(db, -1, life, monday - timedelta(days=400))
        store = InsightStore(db)
        assert await store.residents_ever(-1) == 6
        raw = await store.figures(-1, week, now)
        assert (raw.asked, raw.helped, raw.expired, raw.other) == (4, 2, 1, 1)
        assert raw.by_kind == {"groceries": 2, "transport": 1, "chore": 1}
        assert raw.wait_minutes == [20, 40]
        assert (raw.askers, raw.helpers, raw.lasting_helpers) == (2, 2, 1)
        assert (raw.pairs_new, raw.pairs_lasting, raw.pairs_third_cup) == (1, 1, 1)
        assert (raw.activities_held, raw.rsvps, raw.came) == (1, 3, 3)
        assert (raw.ideas, raw.ideas_converted) == (1, 0)
        # All six members did something this week; nothing is counted by language.
        assert (raw.participants, raw.members) == (6, 6)
        assert '"tr"' not in raw.model_dump_json()

        # A helper withdrawing later, or a forgotten neighbour, does not change a closed week.
        await db.execute("UPDATE requests SET status = 'open', helper_id = NULL, claimed_at = NULL")
        await db.execute("UPDATE activity_rsvps SET user_id = NULL")
        assert await store.figures(-1, week, now) == raw
        assert (await store.count(-1, week.start, week.end)).helped == 0
        with pytest.raises(ValueError, match="closed"):
            await store.figures(-1, last_full_week(now + timedelta(days=7), AMS), now)
        assert to_db(week.start) == "2026-11-15T23:00:00+00:00"
    finally:
        await db.close()


async def test_a_month_counts_its_whole_weeks_and_adds_up_to_their_stored_figures() -> None:
    from storage.db import Database
    from storage.insights import InsightStore
    from tests.insights.insights_seed import Life, Request, Resident, ensure_building, seed

    now = local(2026, 12, 7, 9, 0)  # November (2 Nov - 6 Dec) has just ended
    october, november = month_of(date(2026, 10, 1), AMS), last_full_month(now, AMS)
    assert november.key == "2026-11"
    db = await Database.open(":memory:")
    try:
        await ensure_building(db, -1, "Flat", now - timedelta(days=400))
        people = [Resident(100 + n, f"R{n}") for n in range(4)]
        life = Life(residents=people, requests=[
            # Sunday 1 November, late: October's last week.
            Request(100, local(2026, 11, 1, 23, 30), helper=101, status="done",
                    claimed_after=timedelta(minutes=20)),
            # Monday 2 November, just after midnight: November's first week.
            Request(102, local(2026, 11, 2, 0, 15), helper=101, status="claimed"),
            # Asked on Sunday 8 November, helped on Monday: open at the end of its week, and so
            # in the month too.
            Request(103, local(2026, 11, 8, 22, 0), helper=100, status="done",
                    claimed_after=timedelta(hours=3)),
            # Saturday 5 December: still November.
            Request(100, local(2026, 12, 5, 12, 0), kind="transport", status="expired"),
        ])
        await seed(db, -1, life, now - timedelta(days=400))
        store = InsightStore(db)
        weeks = [await store.figures(-1, week, now) for week in weeks_of(november)]
        month = await store.figures(-1, november, now)
        assert [w.asked for w in weeks] == [2, 0, 0, 0, 1]
        assert (month.asked, month.helped, month.expired, month.other) == (3, 1, 1, 1)
        assert month.by_kind == {"groceries": 2, "transport": 1}
        # Different people are counted over the whole month: 101 and 100 both helped in it.
        assert month.askers == 3 and month.helpers == 2
        assert month == month_figures(month, weeks)
        assert (await store.figures(-1, october, now)).asked == 1

        # A week stored once stays as it was, and the month keeps adding up to it.
        await db.execute("UPDATE requests SET status = 'open', helper_id = NULL, claimed_at = NULL")
        assert await store.figures(-1, november, now) == month
    finally:
        await db.close()
