"""Sets of whole numbers as sorted, merged, inclusive intervals, and sums over them.

What a reader can tell about a hidden count is such a set ("1 to 4", "0, or 5 or more"); sums
of counts give sums of sets. `INF` stands for "no upper bound".
"""

from __future__ import annotations

from collections.abc import Iterable

INF = 10**12
"""Stands for "no upper bound" in the interval arithmetic."""

Intervals = tuple[tuple[int, int], ...]
"""Sorted, separate, inclusive (low, high) pairs."""


def normalised(parts: Iterable[tuple[int, int]]) -> Intervals:
    """Sorted, with overlapping and touching intervals merged, and bounded by `INF`."""
    return _merged(sorted((max(lo, -INF), min(hi, INF)) for lo, hi in parts if lo <= hi))


def _merged(ordered: Iterable[tuple[int, int]]) -> Intervals:
    """Intervals already in order of their low ends, with overlapping and touching ones merged."""
    merged: list[tuple[int, int]] = []
    for lo, hi in ordered:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def added(a: Intervals, b: Intervals) -> Intervals:
    """Every sum of a value from `a` and a value from `b`."""
    if len(b) > len(a):
        a, b = b, a
    if len(b) != 1:
        return normalised((a0 + b0, a1 + b1) for a0, a1 in a for b0, b1 in b)
    # One interval added to sorted, separate ones: they stay sorted, only neighbours can merge.
    (b0, b1), = b
    return _merged((max(lo + b0, -INF), min(hi + b1, INF)) for lo, hi in a)


def subtracted(a: Intervals, b: Intervals) -> Intervals:
    """Every difference of a value from `a` and a value from `b`."""
    return normalised((a0 - b1, a1 - b0) for a0, a1 in a for b0, b1 in b)


def intersection(a: Intervals, b: Intervals) -> Intervals:
    if len(a) == 1:
        a, b = b, a
    if len(b) == 1:
        (b0, b1), = b
        return tuple((max(lo, b0), min(hi, b1)) for lo, hi in a if max(lo, b0) <= min(hi, b1))
    return normalised((max(a0, b0), min(a1, b1)) for a0, a1 in a for b0, b1 in b)


def summed(parts: Iterable[Intervals]) -> Intervals:
    """Every sum of one value from each part."""
    result: Intervals = ((0, 0),)
    for part in parts:
        result = added(result, part)
    return result


def is_single(values: Intervals) -> bool:
    return len(values) == 1 and values[0][0] == values[0][1]


def negated(values: Intervals) -> Intervals:
    return tuple((-hi, -lo) for lo, hi in reversed(values))


def size(values: Intervals) -> int:
    return sum(hi - lo + 1 for lo, hi in values)


def nearest(values: Intervals, target: int) -> int:
    """The value closest to `target` (the lower one on a tie)."""
    return min((min(max(target, lo), hi) for lo, hi in values), key=lambda v: (abs(v - target), v))
