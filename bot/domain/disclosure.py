"""The joint check: what can be worked out from every figure of a report together.

A report shows a month beside each of its weeks, and each of those tables adds up both ways
(by outcome and by kind, and per figure month = its weeks). Such tables are not sums over
intervals (the check of one table, `bot.domain.suppression`), so this one searches for another
table that fits everything shown. `bot.domain.month_protection` hides more of the month until
the search finds such a table for every count from 1 to 4.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from bot.domain.intervals import (
    INF,
    Intervals,
    added,
    intersection,
    is_single,
    nearest,
    negated,
    size,
)
from bot.domain.shown_figures import SMALL_LIMIT, Show, Shown, possible

Cell = TypeVar("Cell", bound=Hashable)
"""Names one count: a cell of some table (a week's or the month's figure, say)."""

SEARCH_STEPS = 400
"""A search that needs more steps than this counts as "can be worked out": more is hidden."""


class _SearchTooLong(Exception):
    """The search ran out of steps: the count is taken as one that can be worked out."""


class JointDisclosureCheck(Generic[Cell]):
    """What someone who sees every figure in `cells` and knows every sum relation between them
    (each `total = sum(parts)`) can tell about the counts behind them.

    Tables with cells, rows and columns that all add up (weeks and their month, by outcome and
    by kind) are not sums over intervals, so this searches: a count from 1 to 4 is safe when some
    other table that fits everything shown gives it another value. (A hidden count that can be
    worked out to be 0 or 5 or more tells nothing the rules would not show anyway.) Values are
    searched up to `ceiling` (twice the largest count, plus room), and a search that runs too long
    counts as unsafe, so any doubt hides more, never less.
    """

    def __init__(self, cells: Mapping[Cell, Shown], truth: Mapping[Cell, int],
                 sums: Sequence[tuple[Cell, Sequence[Cell]]]) -> None:
        ceiling = 2 * max(truth.values(), default=0) + 2 * SMALL_LIMIT
        self._truth = dict(truth)
        for key, shown in cells.items():
            if not intersection(possible(shown), ((truth[key], truth[key]),)):
                raise ValueError(f"{key!r} is shown as something its count is not")
        # Figures shown exactly are numbers, not unknowns: each sum keeps them as one constant.
        unknown = [key for key, shown in cells.items() if shown.show is not Show.EXACT]
        self._sums: list[tuple[tuple[tuple[Cell, int], ...], int]] = []
        for total, parts in sums:
            terms = [(total, 1), *((part, -1) for part in parts)]
            constant = sum(sign * (cells[key].value or 0) for key, sign in terms
                           if cells[key].show is Show.EXACT)
            if any(cells[key].show is not Show.EXACT for key, _ in terms):
                self._sums.append(
                    (tuple((key, sign) for key, sign in terms if cells[key].show is not Show.EXACT),
                     constant))
            elif constant:
                raise ValueError("the counts do not add up")
        self._sums_with: dict[Cell, list[int]] = {key: [] for key in unknown}
        for index, (unknowns, _) in enumerate(self._sums):
            for key, _ in unknowns:
                self._sums_with[key].append(index)
        self._shown_as = {key: intersection(possible(cells[key]), ((0, ceiling),)) for key in unknown}
        if not self._narrow(self._shown_as, range(len(self._sums))):
            raise ValueError("the counts do not add up")

    def is_worked_out(self, key: Cell) -> bool:
        """True when every table that fits gives `key` the one value it really has."""
        return self._table_where_other(key) is None

    def first_worked_out(self, ambiguous: set[Cell] | None = None) -> Cell | None:
        """The first count from 1 to 4 (in the order of `cells`) that can be worked out.
        `ambiguous` holds counts known to have another value (grown here); with more hidden they
        still do."""
        ambiguous = set() if ambiguous is None else ambiguous
        for key in self._shown_as:
            if not self._is_small(key) or key in ambiguous:
                continue
            unsettled = {k for k in self._shown_as if self._is_small(k) and k not in ambiguous}
            table = self._table_where_other(key, unsettled)
            if table is None:
                return key
            ambiguous.update(k for k, value in table.items() if value != self._truth[k])
        return None

    def _is_small(self, key: Cell) -> bool:
        return 0 < self._truth[key] < SMALL_LIMIT

    def _table_where_other(self, key: Cell, move: set[Cell] | None = None) -> dict[Cell, int] | None:
        """A table that fits everything shown and gives `key` another value; it tries to give
        the counts in `move` other values too, so that one search settles many."""
        if key not in self._shown_as:
            return None  # shown exactly
        actual = self._truth[key]
        domains = dict(self._shown_as)
        domains[key] = intersection(domains[key], ((-INF, actual - 1), (actual + 1, INF)))
        if not domains[key]:
            return None
        try:
            return self._search_table(domains, self._sums_with[key], move or set(), [SEARCH_STEPS])
        except _SearchTooLong:
            return None

    def _search_table(self, domains: dict[Cell, Intervals], changed: Iterable[int], move: set[Cell],
                      steps: list[int]) -> dict[Cell, int] | None:
        if not self._narrow(domains, changed):
            return None
        undecided = [key for key, values in domains.items() if not is_single(values)]
        if not undecided:
            return {key: values[0][0] for key, values in domains.items()}  # pragma: no mutate (lo == hi)
        steps[0] -= 1
        if steps[0] < 0:
            raise _SearchTooLong
        key = min(undecided, key=lambda k: size(domains[k]))
        values = domains[key]
        # Try one value first: the real one (tables near the real one are found fastest), or for
        # a count in `move` the nearest other one; then what lies below and above it, each as a
        # range so that the sums can rule out a whole range at once.
        actual = self._truth[key]
        first = nearest(values, actual)
        if key in move and first == actual:
            # The key is undecided, so `values` holds another value than the real one.
            first = nearest(intersection(values, ((-INF, actual - 1), (actual + 1, INF))), actual)
        for part in (((first, first),), intersection(values, ((-INF, first - 1),)),
                     intersection(values, ((first + 1, INF),))):
            if part:
                trial = dict(domains)
                trial[key] = part
                found = self._search_table(trial, self._sums_with[key], move, steps)
                if found is not None:
                    return found
        return None

    def _narrow(self, domains: dict[Cell, Intervals], changed: Iterable[int]) -> bool:
        """Narrow every count to what its sums allow, until nothing changes; False if impossible."""
        pending = list(dict.fromkeys(changed))
        waiting = set(pending)
        while pending:
            index = pending.pop()
            waiting.discard(index)
            terms, constant = self._sums[index]
            signed = [domains[key] if sign > 0 else negated(domains[key])  # pragma: no mutate (signs are ±1)
                      for key, sign in terms]
            before: list[Intervals] = [((constant, constant),)]
            for values in signed:
                before.append(added(before[-1], values))
            after: list[Intervals] = [((0, 0),)]
            for values in reversed(signed):
                after.append(added(after[-1], values))
            after.reverse()
            for position, (key, sign) in enumerate(terms):
                rest = added(before[position], after[position + 1])
                allowed = negated(rest) if sign > 0 else rest  # pragma: no mutate (signs are ±1)
                narrowed = intersection(domains[key], allowed)
                if narrowed == domains[key]:
                    continue
                if not narrowed:
                    return False
                domains[key] = narrowed
                for other in self._sums_with[key]:
                    if other not in waiting:
                        waiting.add(other)  # pragma: no mutate (it only saves queueing a sum twice)
                        pending.append(other)
        return True
