"""An activity as a standard calendar file (.ics) that any phone calendar can import.

Times carry TZID=Europe/Amsterdam with a VTIMEZONE, so a weekly series keeps its local clock time
across summer time; a series gets an RRULE.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.domain.activities import Activity
from bot.domain.activity_series import Repeat

PRODUCT_ID = "-//Omzien//Omzien//NL"
RRULES: dict[Repeat, dict[str, object]] = {
    Repeat.WEEKLY: {"freq": "weekly"},
    Repeat.BIWEEKLY: {"freq": "weekly", "interval": 2},
    Repeat.MONTHLY: {"freq": "monthly"},
}


def activity_uid(activity: Activity) -> str:
    """Stable per activity (and per series), so importing again updates instead of duplicating."""
    if activity.series_id is not None:
        return f"series-{activity.series_id}-g{abs(activity.building_id)}@omzien"
    return f"activity-{activity.id}-g{abs(activity.building_id)}@omzien"


def activity_ics(activity: Activity, zone: ZoneInfo, now: datetime) -> bytes:
    local_start = activity.starts_at.astimezone(zone)
    local_end = activity.end.astimezone(zone)
    event = Event()
    event.add("uid", activity_uid(activity))
    event.add("dtstamp", now)
    event.add("dtstart", local_start)
    event.add("dtend", local_end)
    event.add("summary", activity.title)
    if activity.place:
        event.add("location", activity.place)
    if activity.description:
        event.add("description", activity.description)
    rule = RRULES.get(activity.repeat)
    if rule is not None and activity.series_id is not None:
        event.add("rrule", rule)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    first = local_start.date() - timedelta(days=1)
    calendar.add_missing_timezones(first_date=first, last_date=_horizon(local_start.date()))
    return bytes(calendar.to_ical())


def _horizon(start: date) -> date:
    """Far enough ahead for a series to stay right across several summer-time changes."""
    return date(start.year + 5, 1, 1)


def ics_filename(title: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")
    return f"{(safe or 'activiteit')[:40]}.ics"
