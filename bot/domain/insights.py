"""Anonymous figures for the group and the community workers it invited.

Everything that decides what may be shown lives here, as plain functions with the clock passed
in: the fixed calendar periods (weeks Monday-Sunday and months, in the building's time zone),
the raw counts of one period, and the suppression rules that turn them into what a person reads.

The rules, and why:
- a count of 1 to 4 is shown as "<5" (small), so nobody can be singled out by a tiny number;
- where shown cells add up to a shown total (requests by outcome, requests by kind), a small
  cell could be worked out by subtraction; more cells are hidden ("–") until no suppressed cell
  (nor the total) can be pinned to one value by anyone who knows every rule used here. The check
  is exact for sums over intervals, see `feasible_values`;
- a share is shown only when what it is a share of is at least 5 and its own count is shown;
- the combined view over several buildings is made only of the already safe building figures;
- a building where fewer than 10 residents ever used the bot shows no figures at all.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from statistics import median
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

SMALL_LIMIT = 5
"""Counts from 1 to SMALL_LIMIT - 1 are never shown as they are."""
MIN_RESIDENTS = 10
"""A building with fewer residents who ever used the bot shows no figures."""
TREND_WEEKS = 12
RETURNING_AFTER_MONTHS = 3
LASTING_AFTER_MONTHS = 3
LABEL_MAX = 80
INF = 10**12
"""Stands for "no upper bound" in the interval arithmetic."""


# -- periods --------------------------------------------------------------------------------------


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"


class Period(BaseModel):
    """A fixed calendar period [start, end) in local time; never a window ending "now"."""

    model_config = ConfigDict(frozen=True)

    kind: PeriodKind
    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """Stable name for files and storage: 2026-W47 or 2026-11."""
        if self.kind is PeriodKind.WEEK:
            year, week, _ = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day.year}-{self.first_day.month:02d}"


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def week_of(day: date, zone: ZoneInfo) -> Period:
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    return Period(kind=PeriodKind.WEEK, first_day=monday, last_day=sunday,
                  start=_midnight(monday, zone), end=_midnight(sunday + timedelta(days=1), zone))


def month_of(day: date, zone: ZoneInfo) -> Period:
    first = day.replace(day=1)
    following = add_months(first, 1)
    return Period(kind=PeriodKind.MONTH, first_day=first, last_day=following - timedelta(days=1),
                  start=_midnight(first, zone), end=_midnight(following, zone))


def last_full_week(now: datetime, zone: ZoneInfo) -> Period:
    """The Monday-Sunday week before the one `now` falls in (local time)."""
    today = now.astimezone(zone).date()
    return week_of(today - timedelta(days=today.weekday() + 7), zone)


def last_full_month(now: datetime, zone: ZoneInfo) -> Period:
    today = now.astimezone(zone).date()
    return month_of(today.replace(day=1) - timedelta(days=1), zone)


def recent_weeks(now: datetime, zone: ZoneInfo, count: int = TREND_WEEKS) -> list[Period]:
    """The last `count` full weeks, oldest first."""
    last = last_full_week(now, zone)
    return [week_of(last.first_day - timedelta(weeks=back), zone) for back in range(count - 1, -1, -1)]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan -> 28 Feb)."""
    year, index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def add_months_to(moment: datetime, months: int) -> datetime:
    moved = add_months(moment.date(), months)
    return moment.replace(year=moved.year, month=moved.month, day=moved.day)


# -- raw counts of one period (stored, never shown as they are) -------------------------------


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
    returning_helpers: int = 0
    pairs_new: int | None = None
    pairs_lasting: int | None = None
    pairs_third_cup: int | None = None
    """None while the building has no regular-neighbour data to count."""
    activities_held: int = 0
    rsvps: int = 0
    came: int = 0
    ideas: int = 0
    ideas_converted: int = 0
    languages: dict[str, int] = Field(default_factory=dict)

    @property
    def other(self) -> int:
        """Asked this period and, at its end, neither helped nor expired (open or withdrawn)."""
        return self.asked - self.helped - self.expired


def returning_helpers(first_help: Mapping[int, datetime], helps: Iterable[tuple[int, datetime]]) -> int:
    """Helpers with a help in `helps` at least three months after their very first one."""
    back = set()
    for helper, moment in helps:
        first = first_help.get(helper)
        if first is not None and moment >= add_months_to(first, RETURNING_AFTER_MONTHS):
            back.add(helper)
    return len(back)


_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
UNKNOWN_LANGUAGE = "?"


def language_code(telegram_language: str | None, chosen: str | None) -> str:
    """The language a resident uses Telegram in (the widest view of who lives there), else the
    one they chose for the bot; only a bare 2-3 letter code is ever kept."""
    for raw in (telegram_language, chosen):
        if raw:
            base = raw.split("-")[0].strip().lower()
            if _LANGUAGE_CODE.match(base):
                return base
    return UNKNOWN_LANGUAGE


# -- what may be shown --------------------------------------------------------------------------


class Show(StrEnum):
    EXACT = "exact"
    SMALL = "small"
    """1 to 4: shown as "<5"."""
    HIDDEN = "hidden"
    """Hidden so that a small count beside it cannot be worked out: shown as "–"."""
    WITHHELD = "withheld"
    """A whole breakdown left out because no hiding could protect it: shown as "–"."""
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


# Integer sets as sorted, merged, inclusive intervals; INF means unbounded.
Intervals = tuple[tuple[int, int], ...]
ANY: Intervals = ((0, INF),)


def _norm(parts: Iterable[tuple[int, int]]) -> Intervals:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted((max(lo, -INF), min(hi, INF)) for lo, hi in parts if lo <= hi):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _add(a: Intervals, b: Intervals) -> Intervals:
    return _norm((a0 + b0, a1 + b1) for a0, a1 in a for b0, b1 in b)


def _minus(a: Intervals, b: Intervals) -> Intervals:
    return _norm((a0 - b1, a1 - b0) for a0, a1 in a for b0, b1 in b)


def _meet(a: Intervals, b: Intervals) -> Intervals:
    return _norm((max(a0, b0), min(a1, b1)) for a0, a1 in a for b0, b1 in b)


def _total(parts: Iterable[Intervals]) -> Intervals:
    result: Intervals = ((0, 0),)
    for part in parts:
        result = _add(result, part)
    return result


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


def is_single(values: Intervals) -> bool:
    return len(values) == 1 and values[0][0] == values[0][1]


def feasible_values(
    total: Shown | None, groups: Sequence[Mapping[str, Shown]]
) -> tuple[Intervals, list[dict[str, Intervals]]]:
    """Every value each count could still have, given the shown figures and that each group adds
    up to the total (None: the total is not shown). Exact for sums of interval-valued counts."""
    total_domain = possible(total)
    sums = [_total(possible(cell) for cell in group.values()) for group in groups]
    total_values = total_domain
    for group_sum in sums:
        total_values = _meet(total_values, group_sum)
    cells: list[dict[str, Intervals]] = []
    for index, group in enumerate(groups):
        reachable = total_domain
        for other, group_sum in enumerate(sums):
            if other != index:
                reachable = _meet(reachable, group_sum)
        found: dict[str, Intervals] = {}
        for key, cell in group.items():
            rest = _total(possible(other_cell) for name, other_cell in group.items() if name != key)
            found[key] = _meet(possible(cell), _minus(reachable, rest))
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


def combine(figures: Sequence[Shown]) -> Shown:
    """A sum over buildings made only of what each building shows, so it reveals nothing new."""
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
    return HIDDEN


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


# -- the figures of one building (or the combined view) for one period -----------------------


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


def _visible(cells: Mapping[str, Shown]) -> dict[str, Shown]:
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
        by_kind=_visible(kind_cells),
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
        languages=_visible(languages),
    )


def _combine_optional(figures: Sequence[Shown | None]) -> Shown | None:
    present = [f for f in figures if f is not None]
    return combine(present) if present else None


def _combine_maps(maps: Sequence[Mapping[str, Shown]]) -> dict[str, Shown]:
    keys = sorted({key for m in maps for key in m})
    return _visible({key: combine([m.get(key, exact(0)) for m in maps]) for key in keys})


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
    trend: Sequence[tuple[Period, RawFigures]],
    kinds: Sequence[str],
) -> BuildingInsights:
    if residents_ever < MIN_RESIDENTS:
        return BuildingInsights(building_id=building_id, title=title, too_small=True)
    points = []
    for period, raw in trend:
        figures = protect(period, raw, kinds)
        points.append(TrendPoint(period=period, asked=figures.asked, helped=figures.helped))
    return BuildingInsights(
        building_id=building_id,
        title=title,
        too_small=False,
        week=protect(week[0], week[1], kinds),
        month=protect(month[0], month[1], kinds),
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


# -- the worker's own details ---------------------------------------------------------------------


class LabelProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


def clean_label(text: str) -> str | LabelProblem:
    """A name or organisation as typed: one line, 1-80 characters."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return LabelProblem.EMPTY
    if len(cleaned) > LABEL_MAX:
        return LabelProblem.TOO_LONG
    return cleaned
