"""One figure as a reader sees it: exact, "<5", hidden ("–") or, summed over buildings, "≥n".

The primary rule lives here (a count from 1 to 4 reads "<5"), with what a reader who knows the
rules can tell about the count behind a figure, and the sums, shares and medians made only of
figures that may be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from statistics import median

from pydantic import BaseModel, ConfigDict

from bot.domain.intervals import INF, Intervals

SMALL_LIMIT = 5
"""Counts from 1 to SMALL_LIMIT - 1 are never shown as they are."""
ANY: Intervals = ((0, INF),)
"""What a reader can tell about a count that is not shown: nothing."""


class Show(StrEnum):
    EXACT = "exact"
    SMALL = "small"
    """1 to 4: shown as "<5"."""
    HIDDEN = "hidden"
    """Hidden so that a small count beside it cannot be worked out: shown as "–"."""
    WITHHELD = "withheld"
    """Nothing is said about it, shown as "–": a breakdown that no hiding could protect, or a sum
    over buildings of which the shown figures do not tell enough."""
    AT_LEAST = "at_least"
    """Only in the combined view: at least this many (some buildings' counts are suppressed)."""


class Shown(BaseModel):
    """One figure as a reader sees it. `value` is set only when it may be read."""

    model_config = ConfigDict(frozen=True)

    show: Show
    value: int | None = None

    @property
    def exact(self) -> int | None:
        return self.value if self.show is Show.EXACT else None

    @property
    def suppressed(self) -> bool:
        return self.show in (Show.SMALL, Show.HIDDEN, Show.WITHHELD)


def exact(value: int) -> Shown:
    return Shown(show=Show.EXACT, value=value)


SMALL = Shown(show=Show.SMALL)
HIDDEN = Shown(show=Show.HIDDEN)
WITHHELD = Shown(show=Show.WITHHELD)


def suppress(count: int) -> Shown:
    """The primary rule: 1 to 4 becomes "<5"; 0 and 5 or more are shown."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    return SMALL if 0 < count < SMALL_LIMIT else exact(count)


def possible(shown: Shown | None) -> Intervals:
    """What a reader who knows these rules can tell about the count behind a shown figure."""
    if shown is None:
        return ANY
    if shown.show is Show.EXACT:
        assert shown.value is not None
        return ((shown.value, shown.value),)
    if shown.show is Show.SMALL:
        return ((1, SMALL_LIMIT - 1),)
    if shown.show is Show.WITHHELD:
        return ANY
    return ((0, 0), (SMALL_LIMIT, INF))


def combine(figures: Sequence[Shown]) -> Shown:
    """A sum over buildings made only of what each building shows, so it reveals nothing new: it
    reads "<5" or "≥n" only when that holds whatever the suppressed counts are, else "–"."""
    if all(f.show is Show.EXACT for f in figures):
        return exact(sum(f.value or 0 for f in figures))
    low = sum(f.value or 0 for f in figures if f.show in (Show.EXACT, Show.AT_LEAST))
    low += sum(1 for f in figures if f.show is Show.SMALL)
    unbounded = any(f.show in (Show.HIDDEN, Show.WITHHELD, Show.AT_LEAST) for f in figures)
    high = INF if unbounded else low + (SMALL_LIMIT - 2) * sum(1 for f in figures if f.show is Show.SMALL)
    if high < SMALL_LIMIT:
        return SMALL
    if low >= SMALL_LIMIT:
        return Shown(show=Show.AT_LEAST, value=low)
    # Somewhere from `low` to `high`, possibly 1 to 4: nothing can be said.
    return WITHHELD


def share(part: Shown, whole: Shown) -> int | None:
    """A percentage, only when both are shown exactly and the whole is at least 5."""
    if part.exact is None or whole.exact is None or whole.exact < SMALL_LIMIT:
        return None
    return round(100 * part.exact / whole.exact)


def median_wait(waits: Sequence[int], helped: Shown) -> int | None:
    """The median minutes to a helper, only when at least 5 helped requests are shown."""
    if helped.exact is None or helped.exact < SMALL_LIMIT or len(waits) < SMALL_LIMIT:
        return None
    return int(5 * round(median(waits) / 5))
