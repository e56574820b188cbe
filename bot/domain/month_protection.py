"""A month beside its weeks: the month hides more where, with its weeks, it would give a small
count away.

A report shows the month beside each of its weeks (in the chart and the file), and each week was
shown in full as "last week" before; a week always reads the same (it depends on that week alone,
and anyone can keep every weekly report). So only the month may hide more, until the joint
check (`bot.domain.disclosure`) finds no count from 1 to 4 that can be worked out.
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
    month: dict[str, Shown], month_counts: Mapping[str, int],
    weeks: Sequence[Mapping[str, Shown]], week_counts: Sequence[Mapping[str, int]],
    rows: Sequence[tuple[str, Sequence[str]]],
) -> dict[str, Shown]:
    """Hide more of the month's figures (never a week's: a week reads the same in every report)
    until no count from 1 to 4, of the month or of a week, can be worked out from all of them
    together: each period's `rows` (total = sum of parts) and, per figure, month = its weeks.
    The month's figure hidden first is the one of the figure that gave the count away, else
    the smallest whose hiding protects it."""
    columns = list(month)
    periods = range(len(weeks) + 1)
    truth = {(0, c): month_counts[c] for c in columns}
    truth.update({(p + 1, c): counts[c] for p, counts in enumerate(week_counts) for c in columns})
    sums = [((p, total), [(p, part) for part in parts]) for p in periods for total, parts in rows]
    sums += [((0, c), [(p, c) for p in periods if p]) for c in columns]
    week_cells = {(p + 1, c): cells[c] for p, cells in enumerate(weeks) for c in columns}
    shown = dict(month)
    if not any(0 < count < SMALL_LIMIT for count in truth.values()):
        return shown  # no count from 1 to 4 to give away

    def check(cells: Mapping[str, Shown]) -> JointDisclosureCheck[tuple[int, str]]:
        return JointDisclosureCheck({**{(0, c): cells[c] for c in columns}, **week_cells}, truth, sums)

    ambiguous: set[tuple[int, str]] = set()
    while (leak := check(shown).first_worked_out(ambiguous)) is not None:
        choices = sorted((month_counts[c] == 0, month_counts[c], c) for c in columns
                         if shown[c].show is Show.EXACT)
        if not choices:
            # Even with every shown month figure hidden something can be worked out: leave the
            # month's figures out; each week on its own is safe.
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


def protect_month(
    month: PeriodFigures, raw: RawFigures, weeks: Sequence[tuple[PeriodFigures, RawFigures]]
) -> PeriodFigures:
    """The month's figures, safe also beside the figures of each of its weeks. Those weeks are
    in the same report's chart and file, and each was shown in full as "last week" before: so
    the month hides more where a month minus its weeks would give away a suppressed count."""
    if not adds_up(raw, [week_raw for _, week_raw in weeks]):
        raise ValueError("a month must be the sum of its weeks")
    kinds = sorted({*raw.by_kind, *month.by_kind, *(k for figures, _ in weeks for k in figures.by_kind)})
    week_cells = [_request_cells(figures, kinds) for figures, _ in weeks]
    requests = _protect_across(
        _request_cells(month, kinds), _request_counts(raw, kinds), week_cells,
        [_request_counts(week_raw, kinds) for _, week_raw in weeks],
        [("asked", REQUEST_OUTCOMES), ("asked", [f"kind:{kind}" for kind in kinds])],
    )
    requests = {c: _from_weeks(cell, [cells[c] for cells in week_cells]) for c, cell in requests.items()}
    update: dict[str, object] = {name: requests[name] for name in ("asked", *REQUEST_OUTCOMES)}
    update["by_kind"] = visible_cells({kind: requests[f"kind:{kind}"] for kind in kinds})
    update["share_helped"] = share(requests["helped"], requests["asked"])
    update["median_wait_minutes"] = median_wait(raw.wait_minutes, requests["helped"])
    for name in COUNTED_ALONE:
        shown: Shown | None = getattr(month, name)
        if shown is None:
            continue
        alone = _protect_across(
            {name: shown}, {name: getattr(raw, name) or 0},
            [{name: _or_zero(getattr(figures, name))} for figures, _ in weeks],
            [{name: getattr(week_raw, name) or 0} for _, week_raw in weeks], [],
        )
        update[name] = _from_weeks(alone[name], [_or_zero(getattr(f, name)) for f, _ in weeks])
    return month.model_copy(update=update)


def _from_weeks(month: Shown, weeks: Sequence[Shown]) -> Shown:
    """A month figure hidden beside its weeks still reads as what its shown weeks add up to
    ("≥19"), when that says something: it tells nothing the weeks do not."""
    if month.show in (Show.HIDDEN, Show.WITHHELD):
        summed = combine(weeks)
        if summed.show in (Show.EXACT, Show.AT_LEAST):
            return summed
    return month


def _or_zero(shown: Shown | None) -> Shown:
    return exact(0) if shown is None else shown
