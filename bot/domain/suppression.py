"""Complementary suppression within one table: cells that add up to a total.

Small counts read "<5"; where shown cells add up to a shown total (requests by outcome, requests
by kind), a small cell could be worked out by subtraction, so more cells are hidden ("–") until
no suppressed cell (nor the total) can be pinned to one value by anyone who knows every rule.
The check is exact for sums over intervals, see `feasible_values`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.intervals import Intervals, intersection, is_single, subtracted, summed
from bot.domain.shown_figures import HIDDEN, WITHHELD, Show, Shown, possible, suppress


def feasible_values(
    total: Shown | None, groups: Sequence[Mapping[str, Shown]]
) -> tuple[Intervals, list[dict[str, Intervals]]]:
    """Every value each count could still have, given the shown figures and that each group adds
    up to the total (None: the total is not shown). Exact for sums of interval-valued counts."""
    total_domain = possible(total)
    sums = [summed(possible(cell) for cell in group.values()) for group in groups]
    total_values = total_domain
    for group_sum in sums:
        total_values = intersection(total_values, group_sum)
    cells: list[dict[str, Intervals]] = []
    for index, group in enumerate(groups):
        reachable = total_domain
        for other, group_sum in enumerate(sums):
            if other != index:
                reachable = intersection(reachable, group_sum)
        found: dict[str, Intervals] = {}
        for key, cell in group.items():
            rest = summed(possible(other_cell) for name, other_cell in group.items() if name != key)
            found[key] = intersection(possible(cell), subtracted(reachable, rest))
        cells.append(found)
    return total_values, cells


def _leaks(total: Shown | None, groups: Sequence[Mapping[str, Shown]]) -> list[int | None]:
    """Groups (None: the total) where a suppressed figure can be pinned to one value."""
    total_values, cells = feasible_values(total, groups)
    found: list[int | None] = []
    if total is not None and total.suppressed and is_single(total_values):
        found.append(None)
    for index, group in enumerate(groups):
        if any(group[key].suppressed and is_single(values) for key, values in cells[index].items()):
            found.append(index)
    return found


def protect_sums(
    total: int, groups: Sequence[Mapping[str, int]], *, total_shown: bool = True
) -> tuple[Shown | None, list[dict[str, Shown]]]:
    """Suppress small counts in groups that each add up to `total`, then hide more (smallest
    first, in the group that leaks) until no suppressed figure can be worked out."""
    if any(sum(group.values()) != total for group in groups):
        raise ValueError("every group must add up to the total")
    shown_total = suppress(total) if total_shown else None
    shown = [{key: suppress(value) for key, value in group.items()} for group in groups]
    while True:
        leaks = _leaks(shown_total, shown)
        if not leaks:
            return shown_total, shown
        where = leaks[0]
        places = range(len(groups)) if where is None else [where]
        choices = [
            (value == 0, value, index, key)
            for index in places
            for key, value in groups[index].items()
            if shown[index][key].show is Show.EXACT
        ]
        if choices:
            _, _, index, key = _best_hide(sorted(choices), where, shown_total, shown)
            shown[index][key] = HIDDEN
            continue
        if shown_total is not None and shown_total.show is Show.EXACT:
            shown_total = HIDDEN
            continue
        rest = [(value == 0, value, index, key) for index, group in enumerate(groups)
                for key, value in group.items() if shown[index][key].show is Show.EXACT]
        if rest:
            _, _, index, key = min(rest)
            shown[index][key] = HIDDEN
            continue
        # Every cell is suppressed and one can still be worked out (four requests of four kinds,
        # one each): leave the whole breakdown out.
        for index in places:
            shown[index] = dict.fromkeys(shown[index], WITHHELD)


def _best_hide(
    choices: list[tuple[bool, int, int, str]], where: int | None,
    total: Shown | None, shown: list[dict[str, Shown]],
) -> tuple[bool, int, int, str]:
    """The smallest cell whose hiding alone stops the leak; else simply the smallest."""
    for choice in choices:
        _, _, index, key = choice
        trial = [dict(group) for group in shown]
        trial[index][key] = HIDDEN
        if where not in _leaks(total, trial):
            return choice
    return choices[0]
