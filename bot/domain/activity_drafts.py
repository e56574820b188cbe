"""An activity in the making: what an organiser types, checked, one question at a time.

The private flow keeps a `Draft` (stored, so a restart continues where it was); each typed answer
is checked here and moves the draft on. Days and times are read by `bot.domain.dates`, the one
reader every feature shares; its refusals read here as this flow's own `Problem`s.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.activity_series import Repeat
from bot.domain.dates import DateProblem, read_moment, read_time_from
from bot.domain.text import one_line, typed_text

TITLE_MAX = 80
DESCRIPTION_MAX = 500
PLACE_MAX = 200
CAPACITY_MAX = 500
LONGEST_DURATION = timedelta(days=7)
FURTHEST_AHEAD = timedelta(days=366)
RECENT_PAST = timedelta(days=60)
"""A date without a year that lies further back than this is meant for next year."""


class Problem(StrEnum):
    """Why typed input was not accepted; each has a friendly line in the catalogs."""

    EMPTY = "empty"
    TITLE_TOO_LONG = "title_too_long"
    DESCRIPTION_TOO_LONG = "description_too_long"
    PLACE_TOO_LONG = "place_too_long"
    UNREADABLE = "unreadable"
    NO_TIME = "no_time"
    IMPOSSIBLE = "impossible"
    PAST = "past"
    TOO_FAR = "too_far"
    END_BEFORE_START = "end_before_start"
    TOO_LONG_EVENT = "too_long_event"
    NOT_A_NUMBER = "not_a_number"
    CAPACITY_RANGE = "capacity_range"
    CAPACITY_BELOW_GOING = "capacity_below_going"
    PLACE_IS_A_NUMBER = "place_is_a_number"
    USE_BUTTONS = "use_buttons"


class InvalidInput(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class DraftStep(StrEnum):
    """Where a resident is in the private flow; stored, so a restart continues there."""

    TITLE = "title"
    DESCRIPTION = "description"
    WHEN = "when"
    END = "end"
    PLACE = "place"
    CAPACITY = "capacity"
    REPEAT = "repeat"
    PREVIEW = "preview"
    EDIT_WHEN = "edit_when"
    EDIT_PLACE = "edit_place"
    EDIT_TEXT = "edit_text"
    EDIT_CAPACITY = "edit_capacity"

    @property
    def is_edit(self) -> bool:
        return self in (DraftStep.EDIT_WHEN, DraftStep.EDIT_PLACE, DraftStep.EDIT_TEXT,
                        DraftStep.EDIT_CAPACITY)


class Draft(BaseModel):
    """A resident's activity in the making (or an edit of one already posted)."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    building_id: int
    step: DraftStep
    title: str = ""
    description: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    capacity: int | None = None
    repeat: Repeat = Repeat.NONE
    activity_id: int | None = None
    idea_id: int | None = None
    updated_at: datetime


def clean_text(text: str, limit: int, too_long: Problem) -> str:
    cleaned = typed_text(text)
    if not cleaned:
        raise InvalidInput(Problem.EMPTY)
    if len(cleaned) > limit:
        raise InvalidInput(too_long)
    return cleaned


def clean_title(text: str) -> str:
    return clean_text(one_line(text), TITLE_MAX, Problem.TITLE_TOO_LONG)


def clean_description(text: str) -> str:
    return clean_text(text, DESCRIPTION_MAX, Problem.DESCRIPTION_TOO_LONG)


def clean_place(text: str) -> str:
    """Where it is. A bare number is not a place: it is what someone typed for the number of
    places ("5"), which is asked on its own."""
    cleaned = clean_text(one_line(text), PLACE_MAX, Problem.PLACE_TOO_LONG)
    if cleaned.isdigit():
        raise InvalidInput(Problem.PLACE_IS_A_NUMBER)
    return cleaned


def parse_capacity(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit():
        raise InvalidInput(Problem.NOT_A_NUMBER)
    value = int(cleaned)
    if not 1 <= value <= CAPACITY_MAX:
        raise InvalidInput(Problem.CAPACITY_RANGE)
    return value


def check_capacity(capacity: int | None, taken: int) -> int | None:
    """A new number of places for a posted activity: never fewer than the places already
    taken (nobody who said they come is sent away); None is no maximum."""
    if capacity is not None and capacity < taken:
        raise InvalidInput(Problem.CAPACITY_BELOW_GOING)
    return capacity


class When(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime | None = None


DATE_PROBLEMS: dict[DateProblem, Problem] = {
    DateProblem.EMPTY: Problem.EMPTY,
    DateProblem.UNREADABLE: Problem.UNREADABLE,
    DateProblem.NO_TIME: Problem.NO_TIME,
    DateProblem.IMPOSSIBLE: Problem.IMPOSSIBLE,
    DateProblem.PAST: Problem.PAST,
    DateProblem.TOO_FAR: Problem.TOO_FAR,
}
"""How the shared reader's refusals read in an activity (`activity.problem.*`)."""


def parse_when(text: str, now: datetime, zone: ZoneInfo, lang: str | None = None) -> When:
    """Read a day and time as residents type them, in their language (`lang`, tried first) or
    another: "do 19:00", "Thursday 7pm", "12-12 19:00", "morgen 14.30", "jutro 18:00",
    "12 december 19:00-21:00". Raises InvalidInput with the reason."""
    moment = read_moment(text, now, zone, furthest_ahead=FURTHEST_AHEAD, recent_past=RECENT_PAST,
                         with_end=True, lang=lang)
    if isinstance(moment, DateProblem):
        raise InvalidInput(DATE_PROBLEMS[moment])
    end = None if moment.end is None else check_end(moment.end, moment.start)
    return When(start=moment.start, end=end)


def check_end(end: datetime, start: datetime) -> datetime:
    if end <= start:
        raise InvalidInput(Problem.END_BEFORE_START)
    if end - start > LONGEST_DURATION:
        raise InvalidInput(Problem.TOO_LONG_EVENT)
    return end


def parse_end(text: str, start: datetime, zone: ZoneInfo, lang: str | None = None) -> datetime:
    """An end time, on the day it starts ("21:00") or with its own day ("vr 01:00")."""
    end = read_time_from(text, start.astimezone(zone).date(), zone, lang)
    if isinstance(end, DateProblem):
        raise InvalidInput(DATE_PROBLEMS[end])
    return check_end(end, start)


def moved(activity_start: datetime, activity_end: datetime | None, new_start: datetime,
          new_end: datetime | None) -> tuple[datetime, datetime | None]:
    """A new time keeps the length the activity had, unless a new end was typed too."""
    if new_end is not None:
        return new_start, new_end
    if activity_end is None:
        return new_start, None
    return new_start, new_start + (activity_end - activity_start)


NEXT_STEP: dict[DraftStep, DraftStep] = {
    DraftStep.TITLE: DraftStep.DESCRIPTION,
    DraftStep.DESCRIPTION: DraftStep.WHEN,
    DraftStep.WHEN: DraftStep.END,
    DraftStep.END: DraftStep.PLACE,
    DraftStep.PLACE: DraftStep.CAPACITY,
    DraftStep.CAPACITY: DraftStep.REPEAT,
    DraftStep.REPEAT: DraftStep.PREVIEW,
}


def fill(draft: Draft, text: str, now: datetime, zone: ZoneInfo, lang: str | None = None) -> Draft:
    """Take the resident's typed answer to the current question and move on (an edit stays on
    its step: the caller applies it); a day and time is read in `lang` first. Raises
    InvalidInput, leaving the draft as it was."""
    step = draft.step
    updates: dict[str, object] = {"updated_at": now}
    if step is DraftStep.TITLE:
        updates["title"] = clean_title(text)
    elif step in (DraftStep.DESCRIPTION, DraftStep.EDIT_TEXT):
        updates["description"] = clean_description(text)
    elif step in (DraftStep.WHEN, DraftStep.EDIT_WHEN):
        when = parse_when(text, now, zone, lang)
        updates["starts_at"], updates["ends_at"] = when.start, when.end
        if step is DraftStep.WHEN and when.end is not None:
            return draft.model_copy(update={**updates, "step": DraftStep.PLACE})
    elif step is DraftStep.END:
        assert draft.starts_at is not None
        updates["ends_at"] = parse_end(text, draft.starts_at, zone, lang)
    elif step in (DraftStep.PLACE, DraftStep.EDIT_PLACE):
        updates["place"] = clean_place(text)
    elif step in (DraftStep.CAPACITY, DraftStep.EDIT_CAPACITY):
        updates["capacity"] = parse_capacity(text)
    else:
        raise InvalidInput(Problem.USE_BUTTONS)
    if not step.is_edit:
        updates["step"] = NEXT_STEP[step]
    return draft.model_copy(update=updates)


def skip(draft: Draft, now: datetime) -> Draft:
    """The optional questions (end time, maximum) can be skipped with a button; for a posted
    activity, "no maximum" is a change like any other (the caller applies it)."""
    if draft.step is DraftStep.END:
        return draft.model_copy(update={"ends_at": None, "step": DraftStep.PLACE, "updated_at": now})
    if draft.step is DraftStep.CAPACITY:
        return draft.model_copy(update={"capacity": None, "step": DraftStep.REPEAT, "updated_at": now})
    if draft.step is DraftStep.EDIT_CAPACITY:
        return draft.model_copy(update={"capacity": None, "updated_at": now})
    raise InvalidInput(Problem.USE_BUTTONS)


def choose_repeat(draft: Draft, repeat: Repeat, now: datetime) -> Draft:
    if draft.step is not DraftStep.REPEAT:
        raise InvalidInput(Problem.USE_BUTTONS)
    return draft.model_copy(update={"repeat": repeat, "step": DraftStep.PREVIEW, "updated_at": now})


def check_ready(draft: Draft, now: datetime) -> None:
    """A draft can wait a while; by the time it is posted its day may have passed."""
    if draft.starts_at is None or draft.starts_at <= now:
        raise InvalidInput(Problem.PAST)
    if not (draft.title and draft.place):
        raise InvalidInput(Problem.EMPTY)
