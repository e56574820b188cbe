"""Calm: nothing from a schedule at night. What would fall in quiet hours moves to the morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, model_validator

DEFAULT_START = time(21, 30)
DEFAULT_END = time(8, 30)


class QuietHours(BaseModel):
    """A nightly window in local time, e.g. 21:30-08:30; it may cross midnight."""

    model_config = ConfigDict(frozen=True)

    start: time = DEFAULT_START
    end: time = DEFAULT_END

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours need a start and an end that differ")
        return self

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone).time()
        if self.start < self.end:  # pragma: no mutate (<= is the same: start == end is refused)
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` itself if it is outside quiet hours, else the end of this quiet period."""
        if not self.contains(moment, zone):
            return moment
        local = moment.astimezone(zone)
        end_today = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end_today <= local:  # pragma: no mutate (< is the same: at the end it is not quiet)
            end_today = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=zone)
        return end_today.astimezone(moment.tzinfo)

    def latest_before(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` if allowed, else the last allowed minute before this quiet period began."""
        if not self.contains(moment, zone):
            return moment
        local = moment.astimezone(zone)
        start_today = datetime.combine(local.date(), self.start, tzinfo=zone)
        if start_today > local:
            start_today = datetime.combine(local.date() - timedelta(days=1), self.start, tzinfo=zone)
        return (start_today - timedelta(minutes=1)).astimezone(moment.tzinfo)
