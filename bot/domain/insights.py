"""Anonymous figures for the group and the community workers it agreed to.

Everything that decides what may be shown lives in the domain, as plain functions with the clock
passed in; this module puts one building's report, and a worker's overview of several, together
from their parts:
- `periods`: the fixed calendar periods (weeks Monday-Sunday, months made of whole weeks and
  quarters made of months, in the building's time zone);
- `raw_figures`: the exact counts of one period, stored and never shown as they are;
- `shown_figures`, `suppression`, `period_figures`: the rules that turn counts into what a
  person reads;
- `month_protection` and `disclosure`: a month beside its weeks, a quarter beside both.

The rules, and why:
- a count of 1 to 4 is shown as "<5" (small), so nobody can be singled out by a tiny number;
- nothing is counted by language, origin or any other trait of a resident: in a building where
  one household has a trait, any figure about it is about that household;
- where shown cells add up to a shown total (requests by outcome, requests by kind, members who
  took part and who did not), a small cell could be worked out by subtraction; more cells are
  hidden ("–") until no suppressed cell (nor the total) can be pinned to one value by anyone who
  knows every rule used here. The check is exact for sums over intervals, see
  `suppression.feasible_values`;
- a month is the whole weeks whose Monday falls in it and a quarter its three months, and their
  counts are the sums of those weeks' counts, so a month minus its weeks leaves no day over. A
  week always reads the same (it depends on that week alone, and anyone can keep every weekly
  report), and so does a month; where a longer period beside its parts would give a suppressed
  count away, the longer period hides more, see `month_protection` and
  `disclosure.JointDisclosureCheck`;
- a share is shown only when what it is a share of is at least 5 and its own count is shown;
- the overview over several buildings is made only of the already safe building figures, so it
  can tell nothing the buildings' own figures do not;
- a building where fewer than 5 residents ever used the bot shows no figures at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.month_protection import protect_month, protect_quarter
from bot.domain.period_figures import PeriodFigures, combine_periods, protect, says_little
from bot.domain.periods import Period, months_of, weeks_of
from bot.domain.raw_figures import RawFigures
from bot.domain.shown_figures import SMALL_LIMIT, Shown
from bot.domain.text import one_line

MIN_RESIDENTS = SMALL_LIMIT
"""A building with fewer residents who ever used the bot shows no figures: with fewer than 5
people any figure is about one of a handful."""
LABEL_MAX = 80


class TrendPoint(BaseModel):
    """One week of the chart: each figure exactly as that week's own report shows it."""

    model_config = ConfigDict(frozen=True)

    period: Period
    asked: Shown
    helped: Shown
    activities_held: Shown
    came: Shown
    pairs_new: Shown | None


class PeriodData(BaseModel):
    """The raw figures of one period and of the periods it is made of (a quarter's months, a
    month's weeks), as stored."""

    model_config = ConfigDict(frozen=True)

    period: Period
    raw: RawFigures
    parts: list[PeriodData] = Field(default_factory=list)


class BuildingInsights(BaseModel):
    """Everything shown about one building; identical for its group and its workers."""

    model_config = ConfigDict(frozen=True)

    building_id: int
    title: str
    too_small: bool
    week: PeriodFigures | None = None
    month: PeriodFigures | None = None
    quarter: PeriodFigures | None = None
    """Only when the month says little and the quarter more: a small building then still
    shows something."""
    trend: list[TrendPoint] = Field(default_factory=list)
    raw_week: RawFigures | None = Field(default=None, exclude=True, repr=False)
    raw_month: RawFigures | None = Field(default=None, exclude=True, repr=False)

    @property
    def main(self) -> PeriodFigures | None:
        """The period the report leads with: the quarter when there is one, else the month."""
        return self.quarter or self.month


def building_insights(
    building_id: int,
    title: str,
    residents_ever: int,
    week: tuple[Period, RawFigures],
    month: tuple[Period, RawFigures],
    month_weeks: Sequence[tuple[Period, RawFigures]],
    trend: Sequence[tuple[Period, RawFigures]],
    kinds: Sequence[str],
    quarter: PeriodData | None = None,
) -> BuildingInsights:
    """Everything shown about one building. A week reads the same wherever and whenever it is
    shown (it depends on that week alone); the month is protected against all its weeks. When
    the month says little, the last full `quarter` is added where it says more, protected
    against its months and their weeks."""
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

    def shown_month(data: PeriodData) -> PeriodFigures:
        weeks = [(shown(part.period, part.raw), part.raw) for part in data.parts]
        return protect_month(protect(data.period, data.raw, kinds), data.raw, weeks)

    points = []
    for period, raw in trend:
        figures = shown(period, raw)
        points.append(TrendPoint(period=period, asked=figures.asked, helped=figures.helped,
                                 activities_held=figures.activities_held, came=figures.came,
                                 pairs_new=figures.pairs_new))
    month_figures = shown_month(PeriodData(period=month[0], raw=month[1], parts=[
        PeriodData(period=period, raw=raw) for period, raw in month_weeks]))
    quarter_figures = None
    if quarter is not None and says_little(month_figures):
        if [part.period for part in quarter.parts] != months_of(quarter.period):
            raise ValueError("the quarter's months are missing")
        months = [(shown_month(part), part.raw) for part in quarter.parts]
        weeks = [[(shown(week.period, week.raw), week.raw) for week in part.parts]
                 for part in quarter.parts]
        found = protect_quarter(protect(quarter.period, quarter.raw, kinds), quarter.raw,
                                months, weeks)
        quarter_figures = None if says_little(found) else found
    return BuildingInsights(
        building_id=building_id,
        title=title,
        too_small=False,
        week=shown(*week),
        month=month_figures,
        quarter=quarter_figures,
        trend=points,
        raw_week=week[1],
        raw_month=month[1],
    )


class CombinedInsights(BaseModel):
    """The total over the buildings that show figures: sums of their safe figures."""

    model_config = ConfigDict(frozen=True)

    buildings: int
    week: PeriodFigures
    month: PeriodFigures


class Overview(BaseModel):
    """A worker's buildings in one report: each building's own figures, and their total."""

    model_config = ConfigDict(frozen=True)

    reports: list[BuildingInsights]
    total: CombinedInsights | None


def overview(reports: Sequence[BuildingInsights]) -> Overview:
    return Overview(reports=list(reports), total=combined_insights(reports))


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
