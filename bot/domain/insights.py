"""Anonymous figures for the group and the community workers it invited.

Everything that decides what may be shown lives in the domain, as plain functions with the clock
passed in; this module puts one building's report together from its parts:
- `periods`: the fixed calendar periods (weeks Monday-Sunday, and months made of whole weeks, in
  the building's time zone);
- `raw_figures`: the exact counts of one period, stored and never shown as they are;
- `shown_figures`, `suppression`, `period_figures`: the rules that turn counts into what a
  person reads;
- `month_protection` and `disclosure`: a month beside its weeks.

The rules, and why:
- a count of 1 to 4 is shown as "<5" (small), so nobody can be singled out by a tiny number;
- where shown cells add up to a shown total (requests by outcome, requests by kind), a small
  cell could be worked out by subtraction; more cells are hidden ("–") until no suppressed cell
  (nor the total) can be pinned to one value by anyone who knows every rule used here. The check
  is exact for sums over intervals, see `suppression.feasible_values`;
- a month is the whole weeks whose Monday falls in it, and its counts are the sums of those
  weeks' counts, so a month minus its weeks leaves no day over. A week always reads the same
  (it depends on that week alone, and anyone can keep every weekly report), so where a month
  beside its weeks would give a suppressed count away, the month hides more, see
  `month_protection.protect_month` and `disclosure.JointDisclosureCheck`;
- a share is shown only when what it is a share of is at least 5 and its own count is shown;
- the combined view over several buildings is made only of the already safe building figures,
  so it can tell nothing the buildings' own figures do not;
- a building where fewer than 10 residents ever used the bot shows no figures at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.month_protection import protect_month
from bot.domain.period_figures import PeriodFigures, combine_periods, protect
from bot.domain.periods import Period, weeks_of
from bot.domain.raw_figures import RawFigures
from bot.domain.shown_figures import Shown
from bot.domain.text import one_line

MIN_RESIDENTS = 10
"""A building with fewer residents who ever used the bot shows no figures."""
LABEL_MAX = 80


class TrendPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: Period
    asked: Shown
    helped: Shown


class BuildingInsights(BaseModel):
    """Everything shown about one building; identical for its group and its workers."""

    model_config = ConfigDict(frozen=True)

    building_id: int
    title: str
    too_small: bool
    week: PeriodFigures | None = None
    month: PeriodFigures | None = None
    trend: list[TrendPoint] = Field(default_factory=list)
    raw_week: RawFigures | None = Field(default=None, exclude=True, repr=False)
    raw_month: RawFigures | None = Field(default=None, exclude=True, repr=False)


def building_insights(
    building_id: int,
    title: str,
    residents_ever: int,
    week: tuple[Period, RawFigures],
    month: tuple[Period, RawFigures],
    month_weeks: Sequence[tuple[Period, RawFigures]],
    trend: Sequence[tuple[Period, RawFigures]],
    kinds: Sequence[str],
) -> BuildingInsights:
    """Everything shown about one building. A week reads the same wherever and whenever it is
    shown (it depends on that week alone); the month is protected against all its weeks."""
    if residents_ever < MIN_RESIDENTS:
        return BuildingInsights(building_id=building_id, title=title, too_small=True)
    if [period for period, _ in month_weeks] != weeks_of(month[0]):
        raise ValueError("the month's weeks are missing")
    done: dict[str, tuple[RawFigures, PeriodFigures]] = {}

    def shown(period: Period, raw: RawFigures) -> PeriodFigures:
        found = done.get(period.key)
        if found is None or found[0] != raw:
            found = done[period.key] = (raw, protect(period, raw, kinds))
        return found[1]

    points = []
    for period, raw in trend:
        figures = shown(period, raw)
        points.append(TrendPoint(period=period, asked=figures.asked, helped=figures.helped))
    weeks = [(shown(period, raw), raw) for period, raw in month_weeks]
    return BuildingInsights(
        building_id=building_id,
        title=title,
        too_small=False,
        week=shown(*week),
        month=protect_month(protect(month[0], month[1], kinds), month[1], weeks),
        trend=points,
        raw_week=week[1],
        raw_month=month[1],
    )


class CombinedInsights(BaseModel):
    model_config = ConfigDict(frozen=True)

    buildings: int
    week: PeriodFigures
    month: PeriodFigures


def combined_insights(reports: Sequence[BuildingInsights]) -> CombinedInsights | None:
    """Over all buildings that show figures; None when fewer than two do."""
    weeks: list[tuple[PeriodFigures, RawFigures]] = []
    months: list[tuple[PeriodFigures, RawFigures]] = []
    for r in reports:
        if r.too_small or not (r.week and r.month and r.raw_week and r.raw_month):
            continue
        weeks.append((r.week, r.raw_week))
        months.append((r.month, r.raw_month))
    if len(weeks) < 2:
        return None
    return CombinedInsights(buildings=len(weeks), week=combine_periods(weeks),
                            month=combine_periods(months))


class LabelProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


def clean_label(text: str) -> str | LabelProblem:
    """A name or organisation as typed: one line, 1-80 characters."""
    cleaned = one_line(text)
    if not cleaned:
        return LabelProblem.EMPTY
    if len(cleaned) > LABEL_MAX:
        return LabelProblem.TOO_LONG
    return cleaned
