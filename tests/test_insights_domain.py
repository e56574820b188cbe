"""The rules of the anonymous figures: fixed calendar periods, suppression, complementary
suppression, the small-group rule, and how figures read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.domain.insights import (
    HIDDEN,
    SMALL,
    LabelProblem,
    PeriodKind,
    RawFigures,
    Show,
    Shown,
    add_months,
    building_insights,
    clean_label,
    combine,
    combined_insights,
    exact,
    feasible_values,
    is_single,
    language_code,
    last_full_month,
    last_full_week,
    median_wait,
    protect,
    protect_sums,
    recent_weeks,
    returning_helpers,
    share,
    suppress,
)
from bot.domain.insights_render import figure, render_building, render_csv

AMS = ZoneInfo("Europe/Amsterdam")
KINDS = ["groceries", "transport", "chore"]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


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


def test_last_full_month_in_local_time() -> None:
    # 00:10 on 1 December in Amsterdam is still 30 November in UTC: November is over.
    now = local(2026, 12, 1, 0, 10).astimezone(UTC)
    month = last_full_month(now, AMS)
    assert (month.first_day, month.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert month.key == "2026-11" and month.kind is PeriodKind.MONTH
    october = last_full_month(local(2026, 11, 5, 9, 0), AMS)
    span = october.end.astimezone(UTC) - october.start.astimezone(UTC)
    assert span == timedelta(days=31, hours=1)  # the clocks went back
    january = last_full_month(local(2027, 2, 1, 9, 0), AMS)
    assert (january.first_day, january.last_day) == (date(2027, 1, 1), date(2027, 1, 31))
    december = last_full_month(local(2027, 1, 3, 9, 0), AMS)
    assert december.first_day == date(2026, 12, 1)


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
    total, (languages,) = protect_sums(14, [{"nl": 10, "tr": 3, "pl": 1}], total_shown=False)
    assert total is None
    assert languages == {"nl": exact(10), "tr": SMALL, "pl": SMALL}


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
                     wait_minutes=[5, 6, 7], askers=3, helpers=2, languages={"nl": 3, "tr": 1})
    week = last_full_week(local(2026, 11, 23, 11, 0), AMS)
    shown = protect(week, raw, KINDS)
    assert shown.asked == SMALL and shown.helped == SMALL
    assert shown.share_helped is None and shown.median_wait_minutes is None
    assert shown.by_kind == {"groceries": SMALL}
    assert shown.languages == {"nl": SMALL, "tr": SMALL}


# -- the small-group rule, combining ----------------------------------------------------------


def _report(building_id: int, residents: int, raw: RawFigures) -> object:
    now = local(2026, 11, 23, 11, 0)
    week, month = last_full_week(now, AMS), last_full_month(now, AMS)
    return building_insights(building_id, f"Flat {building_id}", residents, (week, raw), (month, raw),
                             [(week, raw)], KINDS)


def test_fewer_than_10_residents_show_only_too_small() -> None:
    raw = RawFigures(asked=40, helped=30, expired=10, by_kind={"groceries": 40}, askers=9)
    small = _report(1, 9, raw)
    assert small.too_small and small.week is None  # type: ignore[attr-defined]
    text = render_building("nl", small)  # type: ignore[arg-type]
    assert "Te klein voor cijfers" in text and "40" not in text
    assert "too_small" in render_csv("nl", [small]).decode()  # type: ignore[list-item]
    assert not _report(1, 10, raw).too_small  # type: ignore[attr-defined]


def test_combine_uses_only_what_each_building_shows() -> None:
    assert combine([exact(5), exact(7)]) == exact(12)
    assert combine([exact(20), SMALL]) == Shown(show=Show.AT_LEAST, value=21)
    assert combine([SMALL, exact(0)]) == SMALL
    assert combine([SMALL, SMALL]) == HIDDEN  # 2..8: neither <5 nor at least 5
    assert combine([exact(3 + 2), HIDDEN]) == Shown(show=Show.AT_LEAST, value=5)


def test_combined_view_needs_two_shown_buildings() -> None:
    raw = RawFigures(asked=10, helped=8, expired=2, by_kind={"groceries": 10},
                     wait_minutes=[30] * 8, askers=6, helpers=5)
    one, two, tiny = _report(1, 12, raw), _report(2, 15, raw), _report(3, 4, raw)
    assert combined_insights([one, tiny]) is None  # type: ignore[list-item]
    both = combined_insights([one, two, tiny])  # type: ignore[list-item]
    assert both is not None and both.buildings == 2
    assert both.week.asked == exact(20)
    assert both.week.expired == HIDDEN  # <5 in each building: not worked out from the sum


# -- small rules --------------------------------------------------------------------------------


def test_helpers_count_as_returning_three_months_after_their_first_help() -> None:
    first = datetime(2026, 8, 10, 12, tzinfo=UTC)
    firsts = {1: first, 2: datetime(2026, 9, 1, tzinfo=UTC)}
    helps = [(1, datetime(2026, 11, 10, 12, tzinfo=UTC)), (1, datetime(2026, 11, 11, tzinfo=UTC)),
             (2, datetime(2026, 11, 12, tzinfo=UTC))]
    assert returning_helpers(firsts, helps) == 1
    assert returning_helpers(firsts, [(1, datetime(2026, 11, 10, 11, tzinfo=UTC))]) == 0


def test_language_codes_are_bare_codes_only() -> None:
    assert language_code("tr", None) == "tr"
    assert language_code("en-GB", "nl") == "en"
    assert language_code(None, "nl") == "nl"
    assert language_code("Kees<script>", None) == "?"


def test_worker_labels_are_one_line_of_1_to_80_characters() -> None:
    assert clean_label("  Sanne \n Visser ") == "Sanne Visser"
    assert clean_label("   ") is LabelProblem.EMPTY
    assert clean_label("x" * 81) is LabelProblem.TOO_LONG
    assert clean_label("x" * 80) == "x" * 80


# -- counting (storage) ---------------------------------------------------------------------------


async def test_counts_of_a_week_and_figures_that_never_change_afterwards() -> None:
    from storage.db import Database, to_db
    from storage.insights import InsightStore
    from tests.insights_seed import Activity, Idea, Life, Pair, Request, Resident, ensure_building, seed

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
                # helper 101's very first help, four months earlier: 101 came back
                Request(105, monday - timedelta(days=120), "other", helper=101, status="done"),
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
        assert (raw.askers, raw.helpers, raw.returning_helpers) == (2, 2, 1)
        assert (raw.pairs_new, raw.pairs_lasting, raw.pairs_third_cup) == (1, 1, 1)
        assert (raw.activities_held, raw.rsvps, raw.came) == (1, 3, 3)
        assert (raw.ideas, raw.ideas_converted) == (1, 0)
        assert raw.languages == {"tr": 2, "nl": 4}

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
