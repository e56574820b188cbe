"""The disclosure rules case by case: what a figure tells a reader who knows the rules, sums
over buildings, which cell is hidden to protect a small one, and the joint check's search.

tests/insights/test_insights_privacy.py attacks the rules with generated reports; these pin down each
choice the rules make (which cell goes, in which table, in which order).
"""

from __future__ import annotations

import itertools

import pytest

import bot.domain.disclosure as disclosure
from bot.domain.disclosure import JointDisclosureCheck
from bot.domain.intervals import INF
from bot.domain.shown_figures import (
    ANY,
    HIDDEN,
    SMALL,
    WITHHELD,
    Show,
    Shown,
    combine,
    exact,
    possible,
    suppress,
)
from bot.domain.suppression import feasible_values, protect_sums


def at_least(value: int) -> Shown:
    return Shown(show=Show.AT_LEAST, value=value)


# -- one figure -------------------------------------------------------------------------------


def test_a_negative_count_is_a_mistake() -> None:
    with pytest.raises(ValueError, match=r"^a count cannot be negative$"):
        suppress(-1)


def test_what_each_kind_of_figure_tells_a_reader() -> None:
    assert possible(exact(7)) == ((7, 7),)
    assert possible(exact(0)) == ((0, 0),)
    assert possible(SMALL) == ((1, 4),)
    assert possible(HIDDEN) == ((0, 0), (5, INF))
    assert possible(WITHHELD) == ANY == ((0, INF),)
    assert possible(None) == ANY


# -- sums over buildings ------------------------------------------------------------------------


@pytest.mark.parametrize(("figures", "total"), [
    ([], exact(0)),
    ([exact(0), exact(0)], exact(0)),
    ([exact(6), exact(0), exact(9)], exact(15)),
    ([SMALL], SMALL),
    ([SMALL, exact(0)], SMALL),
    # 1 to 4 plus 1: 2 to 5, which may or may not be small.
    ([SMALL, exact(1)], WITHHELD),
    ([SMALL, SMALL], WITHHELD),
    ([SMALL, exact(7)], at_least(8)),
    ([at_least(6), SMALL], at_least(7)),
    ([WITHHELD, exact(9)], at_least(9)),
    # A hidden count is 0 or 5 or more: with a 0 beside it the sum may be 0, or 5 or more.
    ([HIDDEN, exact(0)], WITHHELD),
    ([HIDDEN, exact(6)], at_least(6)),
    ([at_least(3)], WITHHELD),
])
def test_a_sum_over_buildings_says_only_what_holds_for_every_hidden_count(
    figures: list[Shown], total: Shown
) -> None:
    assert combine(figures) == total


# -- one table ---------------------------------------------------------------------------------


def test_groups_must_add_up_to_the_total() -> None:
    with pytest.raises(ValueError, match=r"^every group must add up to the total$"):
        protect_sums(10, [{"a": 4, "b": 5}])


def test_what_a_reader_can_tell_from_two_groups_without_a_total() -> None:
    # The outcomes are shown in full (12 in all); the kinds show a hidden and a "<5".
    total, cells = feasible_values(None, [
        {"helped": exact(12), "expired": exact(0)},
        {"groceries": HIDDEN, "transport": SMALL},
    ])
    assert total == ((12, 12),)
    assert cells == [
        {"helped": ((12, 12),), "expired": ((0, 0),)},
        {"groceries": ((8, 11),), "transport": ((1, 4),)},
    ]


def test_what_a_reader_can_tell_from_a_shown_total() -> None:
    total, cells = feasible_values(exact(9), [{"a": SMALL, "b": HIDDEN, "c": exact(0)}])
    assert total == ((9, 9),)
    assert cells == [{"a": ((1, 4),), "b": ((5, 8),), "c": ((0, 0),)}]


def test_a_leak_is_stopped_in_the_table_that_leaks() -> None:
    # Without a total, the kinds (all shown) tell the outcomes add up to 20, and so that
    # 20 - 12 - 6 = 2 expired. Hiding the 5 of the kinds would stop that too, but the
    # outcomes are what gives it away: their 6 is hidden.
    total, groups = protect_sums(20, [{"helped": 12, "expired": 2, "other": 6}, {"a": 5, "b": 15}],
                                 total_shown=False)
    assert total is None
    assert groups == [{"helped": exact(12), "expired": SMALL, "other": HIDDEN},
                      {"a": exact(5), "b": exact(15)}]


def readable(result: tuple[Shown | None, list[dict[str, Shown]]]) -> tuple[str, list[dict[str, str]]]:
    """As a reader sees it: the number, or "<5" (small), "h" (hidden), "w" (withheld)."""

    def read(shown: Shown | None) -> str:
        if shown is None:
            return "none"
        return {Show.SMALL: "<5", Show.HIDDEN: "h", Show.WITHHELD: "w"}.get(shown.show, str(shown.value))

    total, groups = result
    return read(total), [{key: read(cell) for key, cell in group.items()} for group in groups]


def test_a_total_given_away_by_another_table_is_protected_there() -> None:
    # Five ones hide the total (5 would pin them); the second table, 5 + 0 all shown, then
    # gives the total away again, so its 5 is hidden too (the 0 stays).
    assert readable(protect_sums(5, [dict.fromkeys("abcde", 1), {"x": 5, "y": 0}])) == (
        "h", [dict.fromkeys("abcde", "<5"), {"x": "h", "y": "0"}])


def test_a_breakdown_that_nothing_can_protect_is_left_out() -> None:
    # Four ones under a total of "<5": they can only be 1 each, whatever else is hidden.
    assert readable(protect_sums(4, [dict.fromkeys("abcd", 1)])) == ("<5", [dict.fromkeys("abcd", "w")])
    # The same beside a table of 3 + 1 + 0: the second table's 0 could be hidden, but that does
    # not help the first, and the second on its own cannot be protected either.
    assert readable(protect_sums(4, [dict.fromkeys("abcd", 1), {"b0": 0, "b1": 3, "b2": 1}])) == (
        "<5", [dict.fromkeys("abcd", "w"), {"b0": "w", "b1": "w", "b2": "w"}])


def test_without_a_total_another_table_hides_to_protect_a_table_of_small_counts() -> None:
    # Four ones: the other table (4 + 0) tells the total is at most 4, so each is 1. Nothing in
    # the first table can be hidden any more, so the other table's 0 is.
    assert readable(protect_sums(4, [dict.fromkeys("abcd", 1), {"x": 4, "y": 0}], total_shown=False)) == (
        "none", [dict.fromkeys("abcd", "<5"), {"x": "<5", "y": "h"}])


def test_a_zero_is_hidden_only_after_every_other_count() -> None:
    result = protect_sums(6, [{"a0": 6, "a1": 0}, {"b0": 1, "b1": 5}, {"c0": 1, "c1": 4, "c2": 1}],
                          total_shown=False)
    assert readable(result) == ("none", [{"a0": "h", "a1": "0"}, {"b0": "<5", "b1": "h"},
                                         {"c0": "<5", "c1": "<5", "c2": "<5"}])


# -- the joint check ------------------------------------------------------------------------------

Key = tuple[int | str, int | str]
"""(row, column) of a table with its row and column totals; "T" is the total."""


def table(rows: list[list[int]], hidden: tuple[str, ...] = (), withheld: tuple[str, ...] = ()) -> tuple[
        dict[Key, Shown], dict[Key, int], list[tuple[Key, list[Key]]]]:
    """Cells, counts and sums of a table whose rows and columns add up, like weeks by outcome.
    Cells are named "01" (row 0, column 1), "0T" (row 0's total), "TT" (the grand total)."""
    truth: dict[Key, int] = {}
    for r, row in enumerate(rows):
        truth.update({(r, c): value for c, value in enumerate(row)})
        truth[(r, "T")] = sum(row)
    for c in range(len(rows[0])):
        truth[("T", c)] = sum(row[c] for row in rows)
    truth[("T", "T")] = sum(map(sum, rows))
    sums: list[tuple[Key, list[Key]]] = [
        ((r, "T"), [(r, c) for c in range(len(rows[0]))]) for r in [*range(len(rows)), "T"]]
    sums += [(("T", c), [(r, c) for r in range(len(rows))]) for c in range(len(rows[0]))]
    cells = {key: WITHHELD if name(key) in withheld else HIDDEN if name(key) in hidden else suppress(value)
             for key, value in truth.items()}
    return cells, truth, sums


def name(key: Key) -> str:
    return f"{key[0]}{key[1]}"


def values_in_every_fitting_table(cells: dict[Key, Shown], truth: dict[Key, int],
                                  sums: list[tuple[Key, list[Key]]]) -> dict[Key, set[int]]:
    """By brute force: every value each count has in some table that fits everything shown,
    with values up to the check's own ceiling (twice the largest count, plus 10)."""
    ceiling = 2 * max(truth.values()) + 10
    inner = [key for key in cells if "T" not in key]

    def options(key: Key) -> list[int]:
        low_high = possible(cells[key])
        return [v for lo, hi in low_high for v in range(lo, min(hi, ceiling) + 1)]

    seen: dict[Key, set[int]] = {key: set() for key in cells}
    for choice in itertools.product(*(options(key) for key in inner)):
        values = dict(zip(inner, choice, strict=True))
        for total, parts in sorted(sums, key=lambda total_parts: total_parts[0] == ("T", "T")):
            values[total] = sum(values[part] for part in parts)
        if all(any(lo <= values[key] <= hi for lo, hi in possible(cells[key])) for key in cells):
            for key, value in values.items():
                seen[key].add(value)
    return seen


TABLES = [
    ([[0, 2], [1, 1]], ("00",), ("T0",)),
    ([[5, 2], [2, 0]], ("00", "0T", "11", "T0"), ("TT",)),
    ([[8, 0], [4, 2]], ("0T", "T0", "TT"), ("01",)),
    ([[0, 0]], ("01", "0T", "T1", "TT"), ()),
    ([[1, 8], [3, 0]], ("01",), ()),
    ([[1, 4], [0, 3]], (), ()),
    ([[6, 2, 0]], ("00",), ()),
    ([[2, 3, 1]], (), ("0T",)),
]


@pytest.mark.parametrize(("rows", "hidden", "withheld"), TABLES)
def test_the_joint_check_finds_exactly_the_small_counts_that_can_be_worked_out(
    rows: list[list[int]], hidden: tuple[str, ...], withheld: tuple[str, ...]
) -> None:
    cells, truth, sums = table(rows, hidden, withheld)
    seen = values_in_every_fitting_table(cells, truth, sums)
    check = JointDisclosureCheck(cells, truth, sums)
    small = [key for key in cells if 0 < truth[key] < 5 and cells[key].show is not Show.EXACT]
    pinned = [key for key in small if seen[key] == {truth[key]}]
    for key in small:
        assert check.is_worked_out(key) is (key in pinned), name(key)
    ambiguous: set[Key] = set()
    assert check.first_worked_out(ambiguous) == (pinned[0] if pinned else None)
    assert all(seen[key] != {truth[key]} for key in ambiguous), "only counts with another value"


# Per table: from how many search steps on, what the check answers: (the first count that can be
# worked out, the counts it found other values for, and every figure `is_worked_out` pins). A search
# that runs out of steps counts as "can be worked out", so fewer steps hide more; the search tries
# tables near the real one first, which is what keeps these numbers small.
SEARCH_EFFORT: list[tuple[list[list[int]], tuple[str, ...], tuple[str, ...],
                          dict[int, tuple[str | None, list[str], list[str]]]]] = [
    ([[0, 2], [1, 1]], ("00",), ("T0",), {
        0: ("01", [], ["00", "01", "0T", "1T", "T1"]),
        1: (None, ["01", "0T", "10", "11", "1T", "T0", "T1", "TT"], ["00", "01", "0T", "1T"]),
        2: (None, ["01", "0T", "10", "11", "1T", "T0", "T1", "TT"], ["00"]),
    }),
    ([[5, 2], [2, 0]], ("00", "0T", "11", "T0"), ("TT",), {
        0: ("01", [], ["00", "01", "0T", "10", "11", "1T", "T0", "T1", "TT"]),
        3: (None, ["01", "0T", "10", "1T", "T0", "T1", "TT"], ["11"]),
    }),
    ([[8, 0], [4, 2]], ("0T", "T0", "TT"), ("01",), {
        0: ("10", [], ["00", "01", "0T", "10", "11", "1T", "T0", "T1", "TT"]),
        2: (None, ["10", "11", "T0", "T1"], ["00", "1T", "TT"]),
        5: (None, ["10", "11", "T0", "T1"], ["00", "1T"]),
    }),
    ([[0, 0]], ("01", "0T", "T1", "TT"), (), {
        0: (None, [], ["00", "01", "0T", "T0", "T1", "TT"]),
        1: (None, [], ["00", "T0"]),
    }),
]


@pytest.mark.parametrize(("rows", "hidden", "withheld", "answers"), SEARCH_EFFORT)
def test_the_search_settles_these_tables_within_a_few_steps(
    monkeypatch: pytest.MonkeyPatch, rows: list[list[int]], hidden: tuple[str, ...],
    withheld: tuple[str, ...], answers: dict[int, tuple[str | None, list[str], list[str]]],
) -> None:
    cells, truth, sums = table(rows, hidden, withheld)
    for steps in [*range(9), 13, 400]:
        monkeypatch.setattr(disclosure, "SEARCH_STEPS", steps)
        first, ambiguous, pinned = answers[max(s for s in answers if s <= steps)]
        check = JointDisclosureCheck(cells, truth, sums)
        found: set[Key] = set()
        assert check.first_worked_out(found) == (None if first is None else next(
            key for key in cells if name(key) == first)), steps
        assert sorted(map(name, found)) == ambiguous, steps
        assert [name(key) for key in cells if check.is_worked_out(key)] == pinned, steps


def test_a_check_of_nothing_finds_nothing() -> None:
    assert JointDisclosureCheck({}, {}, []).first_worked_out() is None


def test_figures_that_do_not_add_up_are_a_mistake() -> None:
    with pytest.raises(ValueError, match=r"^the counts do not add up$"):
        JointDisclosureCheck({"t": exact(5), "a": exact(2), "b": exact(2)}, {"t": 5, "a": 2, "b": 2},
                             [("t", ["a", "b"])])
    with pytest.raises(ValueError, match=r"^the counts do not add up$"):
        JointDisclosureCheck({"t": exact(10), "a": SMALL, "b": SMALL}, {"t": 10, "a": 4, "b": 4},
                             [("t", ["a", "b"])])
