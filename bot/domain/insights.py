"""Anonymous figures for the group and the community workers it invited.

Everything that decides what may be shown lives here, as plain functions with the clock passed
in: the fixed calendar periods (weeks Monday-Sunday, and months made of whole weeks, in the
building's time zone), the raw counts of one period, and the suppression rules that turn them
into what a person reads.

The rules, and why:
- a count of 1 to 4 is shown as "<5" (small), so nobody can be singled out by a tiny number;
- where shown cells add up to a shown total (requests by outcome, requests by kind), a small
  cell could be worked out by subtraction; more cells are hidden ("–") until no suppressed cell
  (nor the total) can be pinned to one value by anyone who knows every rule used here. The check
  is exact for sums over intervals, see `feasible_values`;
- a month is the whole weeks whose Monday falls in it, and its counts are the sums of those
  weeks' counts, so a month minus its weeks leaves no day over. A week always reads the same
  (it depends on that week alone, and anyone can keep every weekly report), so where a month
  beside its weeks would give a suppressed count away, the month hides more, see
  `protect_month` and `Disclosure`;
- a share is shown only when what it is a share of is at least 5 and its own count is shown;
- the combined view over several buildings is made only of the already safe building figures,
  so it can tell nothing the buildings' own figures do not;
- a building where fewer than 10 residents ever used the bot shows no figures at all.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from statistics import median
from typing import Generic, TypeVar

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


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _next_monday(day: date) -> date:
    """`day` itself when it is a Monday, else the Monday after it."""
    return day + timedelta(days=-day.weekday() % 7)


def week_of(day: date, zone: tzinfo) -> Period:
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    return Period(kind=PeriodKind.WEEK, first_day=monday, last_day=sunday,
                  start=_midnight(monday, zone), end=_midnight(sunday + timedelta(days=1), zone))


def month_of(day: date, zone: tzinfo) -> Period:
    """The calendar month of `day`, made of the whole weeks whose Monday falls in it (4 or 5).
    No day is ever counted apart from its week, so a month minus its weeks leaves nothing: a
    first of the month on a Sunday belongs with its week to the month before."""
    first = _next_monday(day.replace(day=1))
    following = _next_monday(add_months(day.replace(day=1), 1))
    return Period(kind=PeriodKind.MONTH, first_day=first, last_day=following - timedelta(days=1),
                  start=_midnight(first, zone), end=_midnight(following, zone))


def weeks_of(period: Period) -> list[Period]:
    """The weeks a period is made of, oldest first (a week is made of itself)."""
    zone = period.start.tzinfo
    assert zone is not None
    count = (period.last_day - period.first_day).days // 7 + 1
    return [week_of(period.first_day + timedelta(weeks=n), zone) for n in range(count)]


def last_full_week(now: datetime, zone: tzinfo) -> Period:
    """The Monday-Sunday week before the one `now` falls in (local time)."""
    today = now.astimezone(zone).date()
    return week_of(today - timedelta(days=today.weekday() + 7), zone)


def last_full_month(now: datetime, zone: tzinfo) -> Period:
    """The latest month whose last week is over: the month of the last full week when that week
    ends it, else the month before."""
    week = last_full_week(now, zone)
    month = month_of(week.first_day, zone)
    if month.last_day == week.last_day:
        return month
    return month_of(week.first_day.replace(day=1) - timedelta(days=1), zone)


def recent_weeks(now: datetime, zone: tzinfo, count: int = TREND_WEEKS) -> list[Period]:
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
    """A month's figures. Every count of things is the sum of its weeks' stored figures, so the
    month is exactly its weeks (a request counts as helped when it was by the end of the week it
    was asked in); counts of different people come from `people`, one count over the month."""
    update: dict[str, object] = {name: sum(getattr(w, name) for w in weeks) for name in ADDED_UP}
    for name in ADDED_UP_OPTIONAL:
        values = [getattr(w, name) for w in weeks]
        update[name] = None if all(v is None for v in values) else sum(v or 0 for v in values)
    update["by_kind"] = _sum_maps(w.by_kind for w in weeks)
    update["wait_minutes"] = sorted(m for w in weeks for m in w.wait_minutes)
    return people.model_copy(update=update)


def adds_up(month: RawFigures, weeks: Sequence[RawFigures]) -> bool:
    return month == month_figures(month, weeks)


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
    if len(b) > len(a):
        a, b = b, a
    if len(b) != 1:
        return _norm((a0 + b0, a1 + b1) for a0, a1 in a for b0, b1 in b)
    # One interval added to sorted, separate ones: they stay sorted, only neighbours can merge.
    (b0, b1), = b
    merged: list[tuple[int, int]] = []
    for lo, hi in a:
        lo, hi = max(lo + b0, -INF), min(hi + b1, INF)
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _minus(a: Intervals, b: Intervals) -> Intervals:
    return _norm((a0 - b1, a1 - b0) for a0, a1 in a for b0, b1 in b)


def _meet(a: Intervals, b: Intervals) -> Intervals:
    if len(a) == 1:
        a, b = b, a
    if len(b) == 1:
        (b0, b1), = b
        return tuple((max(lo, b0), min(hi, b1)) for lo, hi in a if max(lo, b0) <= min(hi, b1))
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


# -- relations across tables: a search over every table that fits ------------------------------


K = TypeVar("K", bound=Hashable)

SEARCH_STEPS = 400
"""A search that needs more steps than this counts as "can be worked out": more is hidden."""


class _TooLong(Exception):
    pass


def _neg(values: Intervals) -> Intervals:
    return tuple((-hi, -lo) for lo, hi in reversed(values))


def _size(values: Intervals) -> int:
    return sum(hi - lo + 1 for lo, hi in values)


def _nearest(values: Intervals, target: int) -> int:
    return min((min(max(target, lo), hi) for lo, hi in values), key=lambda v: (abs(v - target), v))


class Disclosure(Generic[K]):
    """What someone who sees every figure in `cells` and knows every sum relation between them
    (each `total = sum(parts)`) can tell about the counts behind them.

    Tables with cells, rows and columns that all add up (weeks and their month, by outcome and
    by kind) are not sums over intervals, so this searches: a count from 1 to 4 is safe when some
    other table that fits everything shown gives it another value. (A hidden count that can be
    worked out to be 0 or 5 or more tells nothing the rules would not show anyway.) Values are
    searched up to `cap` (twice the largest count, plus room), and a search that runs too long
    counts as unsafe, so any doubt hides more, never less.
    """

    def __init__(self, cells: Mapping[K, Shown], truth: Mapping[K, int],
                 sums: Sequence[tuple[K, Sequence[K]]]) -> None:
        cap = 2 * max(truth.values(), default=0) + 2 * SMALL_LIMIT
        self._truth = dict(truth)
        for key, shown in cells.items():
            if not _meet(possible(shown), ((truth[key], truth[key]),)):
                raise ValueError(f"{key!r} is shown as something its count is not")
        # Figures shown exactly are numbers, not unknowns: each sum keeps them as one constant.
        unknown = [key for key, shown in cells.items() if shown.show is not Show.EXACT]
        self._equations: list[tuple[tuple[tuple[K, int], ...], int]] = []
        for total, parts in sums:
            terms = [(total, 1), *((part, -1) for part in parts)]
            constant = sum(sign * (cells[key].value or 0) for key, sign in terms
                           if cells[key].show is Show.EXACT)
            if any(cells[key].show is not Show.EXACT for key, _ in terms):
                self._equations.append(
                    (tuple((key, sign) for key, sign in terms if cells[key].show is not Show.EXACT),
                     constant))
            elif constant:
                raise ValueError("the counts do not add up")
        self._watch: dict[K, list[int]] = {key: [] for key in unknown}
        for index, (unknowns, _) in enumerate(self._equations):
            for key, _ in unknowns:
                self._watch[key].append(index)
        self._base = {key: _meet(possible(cells[key]), ((0, cap),)) for key in unknown}
        if not self._propagate(self._base, range(len(self._equations))):
            raise ValueError("the counts do not add up")

    def pinned(self, key: K) -> bool:
        """True when every table that fits gives `key` the one value it really has."""
        return self._other_table(key) is None

    def first_pinned(self, free: set[K] | None = None) -> K | None:
        """The first count from 1 to 4 (in the order of `cells`) that can be worked out. `free`
        holds counts known to have another value (grown here); with more hidden they still do."""
        free = set() if free is None else free
        for key in self._base:
            if not self._small(key) or key in free:
                continue
            table = self._other_table(key, {k for k in self._base if self._small(k) and k not in free})
            if table is None:
                return key
            free.update(k for k, value in table.items() if value != self._truth[k])
        return None

    def _small(self, key: K) -> bool:
        return 0 < self._truth[key] < SMALL_LIMIT

    def _other_table(self, key: K, move: set[K] | None = None) -> dict[K, int] | None:
        """A table that fits everything shown and gives `key` another value; it tries to give
        the counts in `move` other values too, so that one search settles many."""
        if key not in self._base:
            return None  # shown exactly
        actual = self._truth[key]
        domains = dict(self._base)
        domains[key] = _meet(domains[key], ((-INF, actual - 1), (actual + 1, INF)))
        if not domains[key]:
            return None
        try:
            return self._search(domains, self._watch[key], move or set(), [SEARCH_STEPS])
        except _TooLong:
            return None

    def _search(self, domains: dict[K, Intervals], changed: Iterable[int], move: set[K],
                steps: list[int]) -> dict[K, int] | None:
        if not self._propagate(domains, changed):
            return None
        undecided = [key for key, values in domains.items() if not is_single(values)]
        if not undecided:
            return {key: values[0][0] for key, values in domains.items()}
        steps[0] -= 1
        if steps[0] < 0:
            raise _TooLong
        key = min(undecided, key=lambda k: _size(domains[k]))
        values = domains[key]
        # Try one value first: the real one (tables near the real one are found fastest), or for
        # a count in `move` the nearest other one; then what lies below and above it, each as a
        # range so that the sums can rule out a whole range at once.
        actual = self._truth[key]
        first = _nearest(values, actual)
        if key in move and first == actual:
            others = _meet(values, ((-INF, actual - 1), (actual + 1, INF)))
            first = _nearest(others, actual) if others else actual
        for part in (((first, first),), _meet(values, ((-INF, first - 1),)),
                     _meet(values, ((first + 1, INF),))):
            if part:
                trial = dict(domains)
                trial[key] = part
                found = self._search(trial, self._watch[key], move, steps)
                if found is not None:
                    return found
        return None

    def _propagate(self, domains: dict[K, Intervals], changed: Iterable[int]) -> bool:
        """Narrow every count to what its sums allow, until nothing changes; False if impossible."""
        pending = list(dict.fromkeys(changed))
        waiting = set(pending)
        while pending:
            index = pending.pop()
            waiting.discard(index)
            terms, constant = self._equations[index]
            signed = [domains[key] if sign > 0 else _neg(domains[key]) for key, sign in terms]
            before: list[Intervals] = [((constant, constant),)]
            for values in signed:
                before.append(_add(before[-1], values))
            after: list[Intervals] = [((0, 0),)]
            for values in reversed(signed):
                after.append(_add(after[-1], values))
            after.reverse()
            for position, (key, sign) in enumerate(terms):
                rest = _add(before[position], after[position + 1])
                allowed = _neg(rest) if sign > 0 else rest
                narrowed = _meet(domains[key], allowed)
                if narrowed == domains[key]:
                    continue
                if not narrowed:
                    return False
                domains[key] = narrowed
                for other in self._watch[key]:
                    if other not in waiting:
                        waiting.add(other)
                        pending.append(other)
        return True


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

    def check(cells: Mapping[str, Shown]) -> Disclosure[tuple[int, str]]:
        return Disclosure({**{(0, c): cells[c] for c in columns}, **week_cells}, truth, sums)

    free: set[tuple[int, str]] = set()
    while (leak := check(shown).first_pinned(free)) is not None:
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
                if not check({**shown, candidate: HIDDEN}).pinned(leak):
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
    update["by_kind"] = _visible({kind: requests[f"kind:{kind}"] for kind in kinds})
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
