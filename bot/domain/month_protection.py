"""A month beside its weeks, and a quarter beside its months and weeks: the longer period hides
more where, with the shorter ones, it would give a small count away.

A report shows the month beside each of its weeks (in the chart and the file), and each week was
shown in full as "last week" before; a week always reads the same (it depends on that week alone,
and anyone can keep every weekly report), and so does a month. So only the longer period may hide
more, until the joint check (`bot.domain.disclosure`) finds no count from 1 to 4 that can be
worked out from all of them together.

Counts of people (who asked, who took part) are not sums of their weeks' counts (one neighbour
can ask in two weeks), so they are protected within their own period only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.disclosure import JointDisclosureCheck
from bot.domain.period_figures import PeriodFigures, visible_cells
from bot.domain.raw_figures import ADDED_UP_OPTIONAL, RawFigures, adds_up
from bot.domain.shown_figures import (
    HIDDEN,
    SMALL_LIMIT,
    WITHHELD,
    Show,
    Shown,
    combine,
    exact,
    median_wait,
    share,
)

REQUEST_OUTCOMES = ("helped", "expired", "other")
COUNTED_ALONE = ("activities_held", "rsvps", "came", "ideas", "ideas_converted", *ADDED_UP_OPTIONAL)
"""Counts of things, each shown per week and per month but not part of a breakdown."""

Part = tuple[PeriodFigures, RawFigures]
Nesting = Sequence[tuple[int, Sequence[int]]]
"""(period, its parts) by index: 0 is the period being protected, 1... the fixed shorter ones."""


def _request_cells(figures: PeriodFigures, kinds: Sequence[str]) -> dict[str, Shown]:
    cells = {"asked": figures.asked, "helped": figures.helped, "expired": figures.expired,
             "other": figures.other}
    cells.update({f"kind:{kind}": figures.by_kind.get(kind, exact(0)) for kind in kinds})
    return cells


def _request_counts(raw: RawFigures, kinds: Sequence[str]) -> dict[str, int]:
    counts = {"asked": raw.asked, "helped": raw.helped, "expired": raw.expired, "other": raw.other}
    counts.update({f"kind:{kind}": raw.by_kind.get(kind, 0) for kind in kinds})
    return counts


def _protect_across(
    top: dict[str, Shown], top_counts: Mapping[str, int],
    fixed: Sequence[Mapping[str, Shown]], fixed_counts: Sequence[Mapping[str, int]],
    nesting: Nesting, rows: Sequence[tuple[str, Sequence[str]]],
) -> dict[str, Shown]:
    """Hide more of the top period's figures (never a fixed one's: those read the same in every
    report) until no count from 1 to 4, of any period, can be worked out from all of them
    together: each period's `rows` (total = sum of parts) and, per figure, each period of
    `nesting` = the sum of its parts. The top figure hidden first is the one of the figure that
    gave the count away, else the smallest whose hiding protects it."""
    columns = list(top)
    periods = range(len(fixed) + 1)
    truth = {(0, c): top_counts[c] for c in columns}
    truth.update({(p + 1, c): counts[c] for p, counts in enumerate(fixed_counts) for c in columns})
    sums = [((p, total), [(p, part) for part in parts]) for p in periods for total, parts in rows]
    sums += [((whole, c), [(p, c) for p in parts]) for whole, parts in nesting for c in columns]
    fixed_cells = {(p + 1, c): cells[c] for p, cells in enumerate(fixed) for c in columns}
    shown = dict(top)
    if not any(0 < count < SMALL_LIMIT for count in truth.values()):
        return shown  # no count from 1 to 4 to give away

    def check(cells: Mapping[str, Shown]) -> JointDisclosureCheck[tuple[int, str]]:
        return JointDisclosureCheck({**{(0, c): cells[c] for c in columns}, **fixed_cells}, truth, sums)

    ambiguous: set[tuple[int, str]] = set()
    while (leak := check(shown).first_worked_out(ambiguous)) is not None:
        choices = sorted((top_counts[c] == 0, top_counts[c], c) for c in columns
                         if shown[c].show is Show.EXACT)
        if not choices:
            # Even with every shown figure of the period hidden something can be worked out:
            # leave its figures out; each shorter period on its own is safe.
            return dict.fromkeys(columns, WITHHELD)
        column = leak[1]
        if shown[column].show is not Show.EXACT:
            column = choices[0][2]
            for _, _, candidate in choices:
                if not check({**shown, candidate: HIDDEN}).is_worked_out(leak):
                    column = candidate
                    break
        shown[column] = HIDDEN
    return shown


def _protect(top: PeriodFigures, raw: RawFigures, fixed: Sequence[Part], nesting: Nesting,
             children: Sequence[int]) -> PeriodFigures:
    """`top` made safe beside the `fixed` periods; `children` (indexes into `fixed`, from 0)
    are the periods `top` is directly made of: a hidden figure still reads as their sum."""
    kinds = sorted({*raw.by_kind, *top.by_kind, *(k for figures, _ in fixed for k in figures.by_kind)})
    fixed_cells = [_request_cells(figures, kinds) for figures, _ in fixed]
    requests = _protect_across(
        _request_cells(top, kinds), _request_counts(raw, kinds), fixed_cells,
        [_request_counts(part_raw, kinds) for _, part_raw in fixed], nesting,
        [("asked", REQUEST_OUTCOMES), ("asked", [f"kind:{kind}" for kind in kinds])],
    )
    requests = {c: _from_parts(cell, [fixed_cells[i][c] for i in children])
                for c, cell in requests.items()}
    update: dict[str, object] = {name: requests[name] for name in ("asked", *REQUEST_OUTCOMES)}
    update["by_kind"] = visible_cells({kind: requests[f"kind:{kind}"] for kind in kinds})
    update["share_helped"] = share(requests["helped"], requests["asked"])
    update["median_wait_minutes"] = median_wait(raw.wait_minutes, requests["helped"])
    for name in COUNTED_ALONE:
        shown: Shown | None = getattr(top, name)
        if shown is None:
            continue
        parts = [_or_zero(getattr(figures, name)) for figures, _ in fixed]
        alone = _protect_across(
            {name: shown}, {name: getattr(raw, name) or 0}, [{name: part} for part in parts],
            [{name: getattr(part_raw, name) or 0} for _, part_raw in fixed], nesting, [],
        )
        update[name] = _from_parts(alone[name], [parts[i] for i in children])
    return top.model_copy(update=update)


def protect_month(month: PeriodFigures, raw: RawFigures, weeks: Sequence[Part]) -> PeriodFigures:
    """The month's figures, safe also beside the figures of each of its weeks. Those weeks are
    in the same report's chart and file, and each was shown in full as "last week" before: so
    the month hides more where a month minus its weeks would give away a suppressed count."""
    if not adds_up(raw, [week_raw for _, week_raw in weeks]):
        raise ValueError("a month must be the sum of its weeks")
    indexes = list(range(1, len(weeks) + 1))
    return _protect(month, raw, weeks, [(0, indexes)], [i - 1 for i in indexes])


def protect_quarter(quarter: PeriodFigures, raw: RawFigures, months: Sequence[Part],
                    weeks: Sequence[Sequence[Part]]) -> PeriodFigures:
    """The quarter's figures, safe beside its three months (each as shown, protected beside its
    weeks) and every one of its weeks: all of them were shown in reports before."""
    if len(months) != len(weeks):
        raise ValueError("every month of the quarter needs its weeks")
    if not adds_up(raw, [week_raw for month_weeks in weeks for _, week_raw in month_weeks]):
        raise ValueError("a quarter must be the sum of its weeks")
    fixed: list[Part] = list(months)
    nesting: list[tuple[int, list[int]]] = [(0, list(range(1, len(months) + 1)))]
    for index, month_weeks in enumerate(weeks):
        first = len(fixed) + 1
        fixed.extend(month_weeks)
        nesting.append((index + 1, list(range(first, first + len(month_weeks)))))
    return _protect(quarter, raw, fixed, nesting, list(range(len(months))))


def _from_parts(whole: Shown, parts: Sequence[Shown]) -> Shown:
    """A figure hidden beside its parts still reads as what its shown parts add up to ("≥19"),
    when that says something: it tells nothing the parts do not."""
    if whole.show in (Show.HIDDEN, Show.WITHHELD):
        summed = combine(parts)
        if summed.show in (Show.EXACT, Show.AT_LEAST):
            return summed
    return whole


def _or_zero(shown: Shown | None) -> Shown:
    return exact(0) if shown is None else shown
