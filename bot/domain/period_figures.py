"""What anyone may read about one period of one building, or of all buildings together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from bot.domain.periods import Period
from bot.domain.raw_figures import RawFigures
from bot.domain.shown_figures import Shown, combine, exact, median_wait, share, suppress
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
    returning_helpers: Shown
    pairs_new: Shown | None
    pairs_lasting: Shown | None
    pairs_third_cup: Shown | None
    activities_held: Shown
    rsvps: Shown
    came: Shown
    ideas: Shown
    ideas_converted: Shown
    languages: dict[str, Shown]


def visible_cells(cells: Mapping[str, Shown]) -> dict[str, Shown]:
    """A zero is shown by leaving it out, unless it was hidden to protect another count."""
    return {key: cell for key, cell in sorted(cells.items()) if cell != exact(0)}


def _maybe(count: int | None) -> Shown | None:
    return None if count is None else suppress(count)


def protect(period: Period, raw: RawFigures, kinds: Sequence[str]) -> PeriodFigures:
    """The safe view of one building's raw figures."""
    outcome = {"helped": raw.helped, "expired": raw.expired, "other": raw.other}
    by_kind = {kind: raw.by_kind.get(kind, 0) for kind in kinds}
    by_kind.update(raw.by_kind)
    total, (status, kind_cells) = protect_sums(raw.asked, [outcome, by_kind])
    assert total is not None
    _, (languages,) = protect_sums(sum(raw.languages.values()), [raw.languages], total_shown=False)
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
        returning_helpers=suppress(raw.returning_helpers),
        pairs_new=_maybe(raw.pairs_new),
        pairs_lasting=_maybe(raw.pairs_lasting),
        pairs_third_cup=_maybe(raw.pairs_third_cup),
        activities_held=suppress(raw.activities_held),
        rsvps=suppress(raw.rsvps),
        came=suppress(raw.came),
        ideas=suppress(raw.ideas),
        ideas_converted=suppress(raw.ideas_converted),
        languages=visible_cells(languages),
    )


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
        returning_helpers=field("returning_helpers"),
        pairs_new=_combine_optional([f.pairs_new for f in shown]),
        pairs_lasting=_combine_optional([f.pairs_lasting for f in shown]),
        pairs_third_cup=_combine_optional([f.pairs_third_cup for f in shown]),
        activities_held=field("activities_held"),
        rsvps=field("rsvps"),
        came=field("came"),
        ideas=field("ideas"),
        ideas_converted=field("ideas_converted"),
        languages=_combine_maps([f.languages for f in shown]),
    )
