"""The exact counts of one building and one period: stored, never shown as they are.

Only counts and durations, no ids, and no trait of a resident (no language, no origin): a trait
that one household in a building has would single that household out. A month's or quarter's
counts of things are the sums of its weeks' stored counts, so a month minus its weeks leaves
nothing over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.periods import add_months_to

LASTING_AFTER_MONTHS = 6
"""A helper counts as still helping when they helped again this long after their first help."""


class RawFigures(BaseModel):
    """Exact counts for one building and one period. Only counts and durations: no ids."""

    model_config = ConfigDict(frozen=True)

    asked: int = 0
    helped: int = 0
    expired: int = 0
    by_kind: dict[str, int] = Field(default_factory=dict)
    wait_minutes: list[int] = Field(default_factory=list)
    """Minutes from asking to a helper, of the requests helped; only ever shown as a median."""
    askers: int = 0
    helpers: int = 0
    lasting_helpers: int | None = None
    """Helpers who helped in the period, six months or more after their first help (None in
    figures stored before this was counted)."""
    participants: int | None = None
    """Members at the period's end who asked, helped, answered, organised, proposed, joined or
    paired in it (None in figures stored before this was counted)."""
    members: int | None = None
    """Members of the group at the period's end, as far as the bot knows them."""
    pairs_new: int | None = None
    pairs_lasting: int | None = None
    pairs_third_cup: int | None = None
    """None while the building has no regular-neighbour data to count."""
    activities_held: int = 0
    rsvps: int = 0
    came: int = 0
    ideas: int = 0
    ideas_converted: int = 0

    @property
    def other(self) -> int:
        """Asked this period and, at its end, neither helped nor expired (open or withdrawn)."""
        return self.asked - self.helped - self.expired


ADDED_UP = ("asked", "helped", "expired", "activities_held", "rsvps", "came", "ideas", "ideas_converted")
"""Counts of things (not of people) that a month has as the sum of its weeks."""
ADDED_UP_OPTIONAL = ("pairs_new", "pairs_lasting", "pairs_third_cup")


def _sum_maps(maps: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in maps:
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    return total


def month_figures(people: RawFigures, weeks: Sequence[RawFigures]) -> RawFigures:
    """A month's (or quarter's) figures. Every count of things is the sum of its weeks' stored
    figures, so the period is exactly its weeks (a request counts as helped when it was by the end
    of the week it was asked in); counts of different people come from `people`, one count over
    the whole period."""
    update: dict[str, object] = {name: sum(getattr(w, name) for w in weeks) for name in ADDED_UP}
    for name in ADDED_UP_OPTIONAL:
        values = [getattr(w, name) for w in weeks]
        update[name] = None if all(v is None for v in values) else sum(v or 0 for v in values)
    update["by_kind"] = _sum_maps(w.by_kind for w in weeks)
    update["wait_minutes"] = sorted(m for w in weeks for m in w.wait_minutes)
    return people.model_copy(update=update)


def adds_up(month: RawFigures, weeks: Sequence[RawFigures]) -> bool:
    return month == month_figures(month, weeks)


def lasting_helpers(first_help: Mapping[int, datetime], helps: Iterable[tuple[int, datetime]]) -> int:
    """Helpers with a help in `helps` at least six months after their very first one."""
    back = set()
    for helper, moment in helps:
        first = first_help.get(helper)
        if first is not None and moment >= add_months_to(first, LASTING_AFTER_MONTHS):
            back.add(helper)
    return len(back)
