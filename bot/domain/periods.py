"""The fixed calendar periods figures are counted over, in the building's time zone.

Weeks run Monday to Sunday; a month is the whole weeks whose Monday falls in it, and a quarter
is its three months, so each is exactly its weeks and never a window ending "now".
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

TREND_WEEKS = 12


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


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
        """Stable name for files and storage: 2026-W47, 2026-11 or 2026-Q4."""
        if self.kind is PeriodKind.WEEK:
            year, week, _ = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
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


def quarter_of(day: date, zone: tzinfo) -> Period:
    """The calendar quarter of `day`: its three months, each made of whole weeks."""
    first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    start, end = month_of(first, zone), month_of(add_months(first, 2), zone)
    return Period(kind=PeriodKind.QUARTER, first_day=start.first_day, last_day=end.last_day,
                  start=start.start, end=end.end)


def months_of(quarter: Period) -> list[Period]:
    """The three months of a quarter, oldest first."""
    zone = quarter.start.tzinfo
    assert zone is not None
    first = quarter.first_day.replace(day=1)
    return [month_of(add_months(first, n), zone) for n in range(3)]


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


def last_full_quarter(now: datetime, zone: tzinfo) -> Period:
    """The latest quarter whose last week is over."""
    month = last_full_month(now, zone)
    quarter = quarter_of(month.first_day.replace(day=1), zone)
    if quarter.last_day == month.last_day:
        return quarter
    return quarter_of(quarter.first_day.replace(day=1) - timedelta(days=1), zone)


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
