"""What anyone may read about one period of one building, or of all buildings together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from bot.domain.periods import Period
from bot.domain.raw_figures import RawFigures
from bot.domain.shown_figures import SMALL_LIMIT, Show, Shown, combine, exact, median_wait, share, suppress
from bot.domain.suppression import protect_sums


class PeriodFigures(BaseModel):
    """What anyone may read about one period. Built only by `protect` or `combine_periods`."""

    model_config = ConfigDict(frozen=True)

    period: Period
    asked: Shown
    helped: Shown
    expired: Shown
    other: Shown
    share_helped: int | None
    median_wait_minutes: int | None
    by_kind: dict[str, Shown]
    askers: Shown
    helpers: Shown
    lasting_helpers: Shown | None
    participants: Shown | None
    members: Shown | None
    share_taking_part: int | None
    pairs_new: Shown | None
    pairs_lasting: Shown | None
    pairs_third_cup: Shown | None
    activities_held: Shown
    rsvps: Shown
    came: Shown
    ideas: Shown
    ideas_converted: Shown


HEADLINE = ("asked", "helped", "activities_held", "came")
"""The figures of the headline; a period where none of them reads 5 or more says little."""


def says_little(figures: PeriodFigures) -> bool:
    """No headline figure reads 5 or more: a longer period is needed to show something."""
    for name in HEADLINE:
        shown: Shown | None = getattr(figures, name)
        if shown is not None and shown.show in (Show.EXACT, Show.AT_LEAST) \
                and (shown.value or 0) >= SMALL_LIMIT:
            return False
    return True


def visible_cells(cells: Mapping[str, Shown]) -> dict[str, Shown]:
    """A zero is shown by leaving it out, unless it was hidden to protect another count."""
    return {key: cell for key, cell in sorted(cells.items()) if cell != exact(0)}


def _maybe(count: int | None) -> Shown | None:
    return None if count is None else suppress(count)


def _taking_part(raw: RawFigures) -> tuple[Shown | None, Shown | None]:
    """Members and those of them who took part. Both shown tell how many did not take part, so
    that count is protected like any cell of a breakdown: members = took part + did not."""
    if raw.participants is None or raw.members is None:
        return None, None
    members, (cells,) = protect_sums(
        raw.members, [{"took_part": raw.participants, "did_not": raw.members - raw.participants}])
    return cells["took_part"], members


def protect(period: Period, raw: RawFigures, kinds: Sequence[str]) -> PeriodFigures:
    """The safe view of one building's raw figures."""
    outcome = {"helped": raw.helped, "expired": raw.expired, "other": raw.other}
    by_kind = {kind: raw.by_kind.get(kind, 0) for kind in kinds}
    by_kind.update(raw.by_kind)
    total, (status, kind_cells) = protect_sums(raw.asked, [outcome, by_kind])
    assert total is not None
    participants, members = _taking_part(raw)
    return PeriodFigures(
        period=period,
        asked=total,
        helped=status["helped"],
        expired=status["expired"],
        other=status["other"],
        share_helped=share(status["helped"], total),
        median_wait_minutes=median_wait(raw.wait_minutes, status["helped"]),
        by_kind=visible_cells(kind_cells),
        askers=suppress(raw.askers),
        helpers=suppress(raw.helpers),
        lasting_helpers=_maybe(raw.lasting_helpers),
        participants=participants,
        members=members,
        share_taking_part=_share(participants, members),
        pairs_new=_maybe(raw.pairs_new),
        pairs_lasting=_maybe(raw.pairs_lasting),
        pairs_third_cup=_maybe(raw.pairs_third_cup),
        activities_held=suppress(raw.activities_held),
        rsvps=suppress(raw.rsvps),
        came=suppress(raw.came),
        ideas=suppress(raw.ideas),
        ideas_converted=suppress(raw.ideas_converted),
    )


def _share(part: Shown | None, whole: Shown | None) -> int | None:
    return None if part is None or whole is None else share(part, whole)


def _combine_optional(figures: Sequence[Shown | None]) -> Shown | None:
    present = [f for f in figures if f is not None]
    return combine(present) if present else None


def _combine_maps(maps: Sequence[Mapping[str, Shown]]) -> dict[str, Shown]:
    keys = sorted({key for m in maps for key in m})
    return visible_cells({key: combine([m.get(key, exact(0)) for m in maps]) for key in keys})


def combine_periods(items: Sequence[tuple[PeriodFigures, RawFigures]]) -> PeriodFigures:
    """The combined view: sums of the buildings' safe figures; the median only from buildings
    whose own median is shown."""
    if not items:
        raise ValueError("nothing to combine")
    shown = [figures for figures, _ in items]
    asked = combine([f.asked for f in shown])
    helped = combine([f.helped for f in shown])
    waits = [w for figures, raw in items if figures.median_wait_minutes is not None
             for w in raw.wait_minutes]

    def field(name: str) -> Shown:
        return combine([getattr(f, name) for f in shown])

    def optional(name: str) -> Shown | None:
        return _combine_optional([getattr(f, name) for f in shown])

    participants, members = optional("participants"), optional("members")
    return PeriodFigures(
        period=shown[0].period,
        asked=asked,
        helped=helped,
        expired=field("expired"),
        other=field("other"),
        share_helped=share(helped, asked),
        median_wait_minutes=median_wait(waits, helped) if waits else None,
        by_kind=_combine_maps([f.by_kind for f in shown]),
        askers=field("askers"),
        helpers=field("helpers"),
        lasting_helpers=optional("lasting_helpers"),
        participants=participants,
        members=members,
        share_taking_part=_share(participants, members),
        pairs_new=optional("pairs_new"),
        pairs_lasting=optional("pairs_lasting"),
        pairs_third_cup=optional("pairs_third_cup"),
        activities_held=field("activities_held"),
        rsvps=field("rsvps"),
        came=field("came"),
        ideas=field("ideas"),
        ideas_converted=field("ideas_converted"),
    )
