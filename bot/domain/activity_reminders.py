"""What is sent when around an activity: reminders that respect the night, the group's
bring-a-neighbour line, and the look-back after it ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.quiet_hours import QuietHours

DAY_BEFORE = timedelta(hours=24)
SOON_BEFORE = timedelta(hours=3)
INVITE_BEFORE = timedelta(hours=48)
REMINDERS_APART = timedelta(hours=6)
"""Two reminders closer together than this would nag: only the later one is kept."""
EVENING_MARGIN = timedelta(minutes=30)
"""A reminder moved out of quiet hours comes this long before they begin (21:00, not 21:29)."""


class ReminderPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    day_before: datetime | None
    soon: datetime | None
    group_invite: datetime | None
    start: datetime
    look_back: datetime


def plan_reminders(
    start: datetime, end: datetime, now: datetime, quiet: QuietHours, zone: ZoneInfo
) -> ReminderPlan:
    """Reminders the day before and ~3 hours before (moved earlier out of quiet hours, dropped
    when already past or when both would come close together), the group's bring-a-neighbour
    line two days before (moved later into the morning), and the look-back after it ends."""
    day_before: datetime | None = _before_quiet(start - DAY_BEFORE, quiet, zone)
    soon: datetime | None = _before_quiet(start - SOON_BEFORE, quiet, zone)
    if soon is not None and soon <= now:
        soon = None
    if day_before is not None and day_before <= now:
        day_before = None
    if day_before is not None and soon is not None and soon - day_before < REMINDERS_APART:
        day_before = None
    invite: datetime | None = quiet.next_allowed(start - INVITE_BEFORE, zone)
    if invite is not None and (invite <= now or invite >= start - DAY_BEFORE):
        invite = None
    return ReminderPlan(
        day_before=day_before,
        soon=soon,
        group_invite=invite,
        start=start,
        look_back=quiet.next_allowed(end, zone),
    )


def _before_quiet(moment: datetime, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    """`moment`, or when it falls in quiet hours, a while before they began that evening."""
    if not quiet.contains(moment, zone):
        return moment
    earlier = quiet.latest_before(moment, zone) + timedelta(minutes=1) - EVENING_MARGIN
    return earlier if not quiet.contains(earlier, zone) else quiet.latest_before(moment, zone)
