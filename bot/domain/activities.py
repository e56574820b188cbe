"""Activities residents organise together: what one is.

The parts live beside this module, each named for what it does: `activity_drafts` (what an
organiser types, one question at a time), `activity_rsvps` (who comes, with a fair waiting
list), `activity_reminders` (what is sent when, around quiet hours) and `activity_series` (the
next date of a series, and when it fades). Their names are importable from here as well.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.domain.activity_drafts import (
    Draft,
    DraftStep,
    InvalidInput,
    Problem,
    check_capacity,
    check_ready,
    choose_repeat,
    clean_description,
    clean_title,
    fill,
    moved,
    parse_capacity,
    parse_end,
    parse_when,
    skip,
)
from bot.domain.activity_reminders import (
    plan_reminders,
)
from bot.domain.activity_rsvps import (
    STILL_INTERESTED,
    Answers,
    Counts,
    Rsvp,
    RsvpChoice,
    RsvpOutcome,
    RsvpStatus,
    answers,
    count,
    decide_rsvp,
    is_full,
    places_left,
    waiting_list,
    waiting_position,
)
from bot.domain.activity_series import (
    Repeat,
    Series,
    next_start,
    should_suggest_pause,
)

__all__ = [  # the parts' names that callers import from here
    "STILL_INTERESTED",
    "Answers",
    "Counts",
    "Draft",
    "DraftStep",
    "InvalidInput",
    "Problem",
    "Repeat",
    "Rsvp",
    "RsvpChoice",
    "RsvpOutcome",
    "RsvpStatus",
    "Series",
    "answers",
    "check_capacity",
    "check_ready",
    "choose_repeat",
    "clean_description",
    "clean_title",
    "count",
    "decide_rsvp",
    "fill",
    "is_full",
    "moved",
    "next_start",
    "parse_capacity",
    "parse_end",
    "parse_when",
    "places_left",
    "plan_reminders",
    "should_suggest_pause",
    "skip",
    "waiting_list",
    "waiting_position",
]

DEFAULT_DURATION = timedelta(hours=2)


class ActivityStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"
    ENDED = "ended"


class Change(StrEnum):
    """What an organiser changed; the card and the responders are told."""

    TIME = "time"
    PLACE = "place"
    TEXT = "text"


class Activity(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    series_id: int | None
    occurrence: int
    organiser_id: int | None
    organiser_name: str
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime | None
    capacity: int | None
    repeat: Repeat
    status: ActivityStatus
    message_id: int | None
    card_version: int
    card_shown: int
    came_count: int | None
    """Residents going plus guests when it began: what was expected."""
    came_confirmed: int | None = None
    """How many said afterwards that they were there (with their guests); None until one did."""
    last_change: str
    idea_id: int | None
    created_at: datetime
    removed_at: datetime | None = None
    """Set when a group admin hid the reported card; the activity is then cancelled too."""

    @property
    def end(self) -> datetime:
        """When it is over; without an end time we assume two hours."""
        return self.ends_at or self.starts_at + DEFAULT_DURATION

    @property
    def is_open(self) -> bool:
        return self.status is ActivityStatus.OPEN

    def has_begun(self, now: datetime) -> bool:
        return now >= self.starts_at

    def accepts_answers(self, now: datetime) -> bool:
        return self.is_open and not self.has_begun(now)

