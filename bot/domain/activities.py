"""Activities residents organise together: what they are, when, who comes, and what is sent when.

Plain rules with the clock passed in: reading a typed day and time, checking what an organiser
types, one consistent answer per resident with a fair waiting list, the reminder plan around
quiet hours, the next date of a series, and when a series seems to fade.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel.dates import format_date
from pydantic import BaseModel, ConfigDict

from bot.domain.quiet_hours import QuietHours

TITLE_MAX = 80
DESCRIPTION_MAX = 500
PLACE_MAX = 200
CAPACITY_MAX = 500
DEFAULT_DURATION = timedelta(hours=2)
LONGEST_DURATION = timedelta(days=7)
FURTHEST_AHEAD = timedelta(days=366)
RECENT_PAST = timedelta(days=60)
"""A date without a year that lies further back than this is meant for next year."""

DAY_BEFORE = timedelta(hours=24)
SOON_BEFORE = timedelta(hours=3)
INVITE_BEFORE = timedelta(hours=48)
REMINDERS_APART = timedelta(hours=6)
"""Two reminders closer together than this would nag: only the later one is kept."""
EVENING_MARGIN = timedelta(minutes=30)
"""A reminder moved out of quiet hours comes this long before they begin (21:00, not 21:29)."""

FADING_RUN = 3
FADING_AT_MOST = 2


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class ActivityStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"
    ENDED = "ended"


class RsvpStatus(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    WAITING = "waiting"
    NOT_GOING = "no"


class RsvpChoice(StrEnum):
    """What the card's buttons ask for."""

    GOING = "going"
    PLUS_ONE = "plus"
    MAYBE = "maybe"
    NOT_GOING = "no"


class RsvpOutcome(StrEnum):
    """What the presser is told."""

    GOING = "going"
    PLUS_ONE = "plus"
    WAITING = "waiting"
    MAYBE = "maybe"
    NOT_GOING = "no"
    UNCHANGED = "unchanged"
    NO_ROOM_FOR_GUEST = "no_room_for_guest"


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

    @property
    def is_edit(self) -> bool:
        return self in (DraftStep.EDIT_WHEN, DraftStep.EDIT_PLACE, DraftStep.EDIT_TEXT)


class Change(StrEnum):
    """What an organiser changed; the card and the responders are told."""

    TIME = "time"
    PLACE = "place"
    TEXT = "text"


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


class Series(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    organiser_id: int | None
    organiser_name: str
    repeat: Repeat
    active: bool
    fade_noted_at: int


class Rsvp(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: int
    status: RsvpStatus
    guests: int = 0
    queued_at: datetime | None = None
    responded_at: datetime

    @property
    def seats(self) -> int:
        return 1 + self.guests


class Counts(BaseModel):
    model_config = ConfigDict(frozen=True)

    going: int = 0
    guests: int = 0
    maybe: int = 0
    waiting: int = 0

    @property
    def seats(self) -> int:
        """Residents going plus the neighbours they bring."""
        return self.going + self.guests


def count(rsvps: list[Rsvp]) -> Counts:
    going = [r for r in rsvps if r.status is RsvpStatus.GOING]
    return Counts(
        going=len(going),
        guests=sum(r.guests for r in going),
        maybe=sum(1 for r in rsvps if r.status is RsvpStatus.MAYBE),
        waiting=sum(1 for r in rsvps if r.status is RsvpStatus.WAITING),
    )


def places_left(capacity: int | None, counts: Counts) -> int | None:
    return None if capacity is None else max(0, capacity - counts.seats)


def waiting_list(rsvps: list[Rsvp]) -> list[Rsvp]:
    """First come, first served."""
    waiting = [r for r in rsvps if r.status is RsvpStatus.WAITING]
    return sorted(waiting, key=lambda r: (r.queued_at or r.responded_at, r.user_id))


class RsvpDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: RsvpOutcome
    mine: Rsvp | None
    """The presser's new answer; None when nothing changes."""
    promoted: list[Rsvp] = []
    """Residents who move from the waiting list to going because a place came free."""

    @property
    def changed(self) -> bool:
        return self.mine is not None or bool(self.promoted)


def decide_rsvp(
    rsvps: list[Rsvp], user_id: int, choice: RsvpChoice, capacity: int | None, now: datetime
) -> RsvpDecision:
    """One answer per resident; each button sets an absolute answer, so repeated presses agree.

    A full activity puts new "going" answers on a waiting list; a place that comes free goes to
    the first on the list whose party fits (strictly in order, nobody jumps the queue).
    """
    mine = next((r for r in rsvps if r.user_id == user_id), None)
    others = [r for r in rsvps if r.user_id != user_id]
    guests = 1 if choice is RsvpChoice.PLUS_ONE else 0
    if choice in (RsvpChoice.GOING, RsvpChoice.PLUS_ONE):
        wanted_outcome = RsvpOutcome.PLUS_ONE if guests else RsvpOutcome.GOING
        if mine is not None and mine.status is RsvpStatus.GOING:
            if mine.guests == guests:
                return RsvpDecision(outcome=RsvpOutcome.UNCHANGED, mine=None)
            free = places_left(capacity, count(others))
            if free is not None and free < 1 + guests:
                return RsvpDecision(outcome=RsvpOutcome.NO_ROOM_FOR_GUEST, mine=None)
            updated = mine.model_copy(update={"guests": guests, "responded_at": now})
            return _with_promotions(others, updated, capacity, wanted_outcome)
        if mine is not None and mine.status is RsvpStatus.WAITING:
            if mine.guests == guests:
                return RsvpDecision(outcome=RsvpOutcome.UNCHANGED, mine=None)
            updated = mine.model_copy(update={"guests": guests, "responded_at": now})
            return _with_promotions(others, updated, capacity, RsvpOutcome.WAITING)
        free = places_left(capacity, count(others))
        queue_empty = not waiting_list(others)
        if free is None or (free >= 1 + guests and queue_empty):
            going = Rsvp(user_id=user_id, status=RsvpStatus.GOING, guests=guests, responded_at=now)
            return RsvpDecision(outcome=wanted_outcome, mine=going)
        queued = Rsvp(user_id=user_id, status=RsvpStatus.WAITING, guests=guests, queued_at=now,
                      responded_at=now)
        return RsvpDecision(outcome=RsvpOutcome.WAITING, mine=queued)
    status = RsvpStatus.MAYBE if choice is RsvpChoice.MAYBE else RsvpStatus.NOT_GOING
    outcome = RsvpOutcome.MAYBE if choice is RsvpChoice.MAYBE else RsvpOutcome.NOT_GOING
    if mine is not None and mine.status is status:
        return RsvpDecision(outcome=RsvpOutcome.UNCHANGED, mine=None)
    answer = Rsvp(user_id=user_id, status=status, guests=0, responded_at=now)
    return _with_promotions(others, answer, capacity, outcome)


def _with_promotions(
    others: list[Rsvp], mine: Rsvp, capacity: int | None, outcome: RsvpOutcome
) -> RsvpDecision:
    promoted = promotions([*others, mine], capacity)
    own = next((p for p in promoted if p.user_id == mine.user_id), None)
    if own is not None:
        promoted = [p for p in promoted if p.user_id != mine.user_id]
        mine = own
        outcome = RsvpOutcome.PLUS_ONE if own.guests else RsvpOutcome.GOING
    return RsvpDecision(outcome=outcome, mine=mine, promoted=promoted)


def promotions(rsvps: list[Rsvp], capacity: int | None) -> list[Rsvp]:
    """Who moves up from the waiting list now, in order, while their party fits."""
    free = places_left(capacity, count(rsvps))
    moved: list[Rsvp] = []
    for waiting in waiting_list(rsvps):
        if free is not None and free < waiting.seats:
            break
        moved.append(waiting.model_copy(update={"status": RsvpStatus.GOING, "queued_at": None}))
        if free is not None:
            free -= waiting.seats
    return moved


# --- what organisers type -----------------------------------------------------------------

def clean_text(text: str, limit: int, too_long: Problem) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(Problem.EMPTY)
    if len(cleaned) > limit:
        raise InvalidInput(too_long)
    return cleaned


def clean_title(text: str) -> str:
    return clean_text(" ".join(text.split()), TITLE_MAX, Problem.TITLE_TOO_LONG)


def clean_description(text: str) -> str:
    return clean_text(text, DESCRIPTION_MAX, Problem.DESCRIPTION_TOO_LONG)


def clean_place(text: str) -> str:
    return clean_text(" ".join(text.split()), PLACE_MAX, Problem.PLACE_TOO_LONG)


def parse_capacity(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit():
        raise InvalidInput(Problem.NOT_A_NUMBER)
    value = int(cleaned)
    if not 1 <= value <= CAPACITY_MAX:
        raise InvalidInput(Problem.CAPACITY_RANGE)
    return value


WEEKDAYS: dict[str, int] = {
    "maandag": 0, "ma": 0, "monday": 0, "mon": 0,
    "dinsdag": 1, "di": 1, "tuesday": 1, "tue": 1, "tues": 1,
    "woensdag": 2, "wo": 2, "wednesday": 2, "wed": 2,
    "donderdag": 3, "do": 3, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "vrijdag": 4, "vr": 4, "friday": 4, "fri": 4,
    "zaterdag": 5, "za": 5, "saturday": 5, "sat": 5,
    "zondag": 6, "zo": 6, "sunday": 6, "sun": 6,
}
RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "vanavond": 0, "tonight": 0,
    "morgen": 1, "tomorrow": 1, "overmorgen": 2,
}
MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "february": 2, "feb": 2,
    "maart": 3, "march": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "augustus": 8, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
FILLERS = frozenset({
    "om", "at", "op", "on", "van", "from", "de", "the", "volgende", "next", "aanstaande", "a.s.",
    "this", "deze", "komende", "coming", "s", "'s", "avonds", "middags", "ochtends", "uur", "o'clock",
})
RANGE_WORDS = frozenset({"-", "–", "tot", "to", "until", "till"})

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"(?<![\d:.])(\d{1,2})[-/](\d{1,2})(?:[-/](\d{4}|\d{2}))?(?![\d:])")
_NAMED_DATE = re.compile(r"\b(\d{1,2})(?:e|ste|de|th|st|nd|rd)?\s+([a-z]{3,9})\.?(?:\s+(\d{4}))?\b")
_TIME = re.compile(
    r"(?<![\d/])(\d{1,2})(?:[:.](\d{2}))?\s*(u\b|uur\b|h\b|am\b|pm\b|a\.m\.|p\.m\.)?(?![\d/])"
)
_WORD = re.compile(r"[a-z.']+")


class When(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime | None = None


def _clock_time(hour: str, minute: str | None, suffix: str | None) -> time:
    h, m = int(hour), int(minute or 0)
    if suffix in ("am", "a.m.", "pm", "p.m."):
        if not 1 <= h <= 12:
            raise InvalidInput(Problem.IMPOSSIBLE)
        h = h % 12 + (12 if suffix in ("pm", "p.m.") else 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise InvalidInput(Problem.IMPOSSIBLE)
    return time(h, m)


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(Problem.IMPOSSIBLE) from None


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


class _DayPart(BaseModel):
    day: date | None = None
    weekday: int | None = None
    explicit_year: bool = False


def _take_day(text: str, today: date) -> tuple[_DayPart, str]:
    """Find the day in the text; return it and the text without it."""
    match = _ISO_DATE.search(text)
    if match:
        day = _make_date(int(match[1]), int(match[2]), int(match[3]))
        return _DayPart(day=day, explicit_year=True), text[: match.start()] + " " + text[match.end():]
    match = _NUMERIC_DATE.search(text)
    if match:
        year = _full_year(match[3]) if match[3] else today.year
        day = _make_date(year, int(match[2]), int(match[1]))
        rest = text[: match.start()] + " " + text[match.end():]
        return _DayPart(day=day, explicit_year=bool(match[3])), rest
    for match in _NAMED_DATE.finditer(text):
        month = MONTHS.get(match[2])
        if month is None:
            continue
        year = int(match[3]) if match[3] else today.year
        day = _make_date(year, month, int(match[1]))
        rest = text[: match.start()] + " " + text[match.end():]
        return _DayPart(day=day, explicit_year=bool(match[3])), rest
    words = text.split()
    for index, word in enumerate(words):
        bare = word.strip(".,")
        if bare in RELATIVE_DAYS:
            rest = " ".join(words[:index] + words[index + 1:])
            return _DayPart(day=today + timedelta(days=RELATIVE_DAYS[bare])), rest
        if bare in WEEKDAYS:
            rest = " ".join(words[:index] + words[index + 1:])
            return _DayPart(weekday=WEEKDAYS[bare]), rest
    return _DayPart(), text


def _take_times(text: str) -> tuple[list[time], str]:
    text = text.replace("-", " - ")
    times = [_clock_time(m[1], m[2], m[3]) for m in _TIME.finditer(text)]
    return times, _TIME.sub(" ", text)


def _leftover_is_noise(text: str) -> bool:
    for word in text.replace(",", " ").split():
        if word in RANGE_WORDS or word in FILLERS or word.strip(".") in WEEKDAYS:
            continue
        return False
    return True


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> When:
    """Read a day and time as residents type them: "do 19:00", "Thursday 7pm", "12-12 19:00",
    "morgen 14.30", "12 december 19:00-21:00". Raises InvalidInput with the reason."""
    cleaned = " ".join(text.lower().replace("–", " - ").split())
    if not cleaned:
        raise InvalidInput(Problem.EMPTY)
    today = now.astimezone(zone).date()
    part, rest = _take_day(cleaned, today)
    times, rest = _take_times(rest)
    if not _leftover_is_noise(rest):
        raise InvalidInput(Problem.UNREADABLE)
    if not times:
        raise InvalidInput(Problem.NO_TIME)
    if len(times) > 2:
        raise InvalidInput(Problem.UNREADABLE)
    start_time = times[0]
    if part.weekday is not None:
        ahead = (part.weekday - today.weekday()) % 7
        day = today + timedelta(days=ahead)
        if datetime.combine(day, start_time, tzinfo=zone) <= now:
            day += timedelta(days=7)
    elif part.day is not None:
        day = part.day
        if not part.explicit_year and datetime.combine(day, start_time, tzinfo=zone) < now - RECENT_PAST:
            day = _make_date(day.year + 1, day.month, day.day)
    else:
        day = today
    start = datetime.combine(day, start_time, tzinfo=zone)
    if start <= now:
        raise InvalidInput(Problem.PAST)
    if start > now + FURTHEST_AHEAD:
        raise InvalidInput(Problem.TOO_FAR)
    end = None
    if len(times) == 2:
        end = check_end(datetime.combine(day, times[1], tzinfo=zone), start)
    return When(start=start, end=end)


def check_end(end: datetime, start: datetime) -> datetime:
    if end <= start:
        raise InvalidInput(Problem.END_BEFORE_START)
    if end - start > LONGEST_DURATION:
        raise InvalidInput(Problem.TOO_LONG_EVENT)
    return end


def parse_end(text: str, start: datetime, zone: ZoneInfo) -> datetime:
    """An end time, on the day it starts ("21:00") or with its own day ("vr 01:00")."""
    cleaned = " ".join(text.lower().split())
    if not cleaned:
        raise InvalidInput(Problem.EMPTY)
    local_day = start.astimezone(zone).date()
    part, rest = _take_day(cleaned, local_day)
    times, rest = _take_times(rest)
    if not _leftover_is_noise(rest):
        raise InvalidInput(Problem.UNREADABLE)
    if len(times) != 1:
        raise InvalidInput(Problem.NO_TIME if not times else Problem.UNREADABLE)
    if part.weekday is not None:
        day = local_day + timedelta(days=(part.weekday - local_day.weekday()) % 7)
    elif part.day is not None:
        day = part.day
    else:
        day = local_day
    return check_end(datetime.combine(day, times[0], tzinfo=zone), start)


def moved(activity_start: datetime, activity_end: datetime | None, new_start: datetime,
          new_end: datetime | None) -> tuple[datetime, datetime | None]:
    """A new time keeps the length the activity had, unless a new end was typed too."""
    if new_end is not None:
        return new_start, new_end
    if activity_end is None:
        return new_start, None
    return new_start, new_start + (activity_end - activity_start)


# --- the private flow, one answer at a time ------------------------------------------------

NEXT_STEP: dict[DraftStep, DraftStep] = {
    DraftStep.TITLE: DraftStep.DESCRIPTION,
    DraftStep.DESCRIPTION: DraftStep.WHEN,
    DraftStep.WHEN: DraftStep.END,
    DraftStep.END: DraftStep.PLACE,
    DraftStep.PLACE: DraftStep.CAPACITY,
    DraftStep.CAPACITY: DraftStep.REPEAT,
    DraftStep.REPEAT: DraftStep.PREVIEW,
}


def fill(draft: Draft, text: str, now: datetime, zone: ZoneInfo) -> Draft:
    """Take the resident's typed answer to the current question and move on (an edit stays on
    its step: the caller applies it). Raises InvalidInput, leaving the draft as it was."""
    step = draft.step
    updates: dict[str, object] = {"updated_at": now}
    if step is DraftStep.TITLE:
        updates["title"] = clean_title(text)
    elif step in (DraftStep.DESCRIPTION, DraftStep.EDIT_TEXT):
        updates["description"] = clean_description(text)
    elif step in (DraftStep.WHEN, DraftStep.EDIT_WHEN):
        when = parse_when(text, now, zone)
        updates["starts_at"], updates["ends_at"] = when.start, when.end
        if step is DraftStep.WHEN and when.end is not None:
            return draft.model_copy(update={**updates, "step": DraftStep.PLACE})
    elif step is DraftStep.END:
        assert draft.starts_at is not None
        updates["ends_at"] = parse_end(text, draft.starts_at, zone)
    elif step in (DraftStep.PLACE, DraftStep.EDIT_PLACE):
        updates["place"] = clean_place(text)
    elif step is DraftStep.CAPACITY:
        updates["capacity"] = parse_capacity(text)
    else:
        raise InvalidInput(Problem.USE_BUTTONS)
    if not step.is_edit:
        updates["step"] = NEXT_STEP[step]
    return draft.model_copy(update=updates)


def skip(draft: Draft, now: datetime) -> Draft:
    """The optional questions (end time, maximum) can be skipped with a button."""
    if draft.step is DraftStep.END:
        return draft.model_copy(update={"ends_at": None, "step": DraftStep.PLACE, "updated_at": now})
    if draft.step is DraftStep.CAPACITY:
        return draft.model_copy(update={"capacity": None, "step": DraftStep.REPEAT, "updated_at": now})
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


# --- what is sent when ----------------------------------------------------------------------

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


def next_start(start: datetime, repeat: Repeat, zone: ZoneInfo) -> datetime:
    """The next date of a series, at the same local clock time (also across summer time)."""
    local = start.astimezone(zone)
    if repeat is Repeat.WEEKLY:
        day = local.date() + timedelta(days=7)
    elif repeat is Repeat.BIWEEKLY:
        day = local.date() + timedelta(days=14)
    elif repeat is Repeat.MONTHLY:
        day = _next_month(local.date())
    else:
        raise ValueError("a one-off activity has no next date")
    return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)


def _next_month(day: date) -> date:
    """Same day next month; the 31st becomes the last day of a shorter month."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def should_suggest_pause(history: list[tuple[int, int]], noted_at: int) -> bool:
    """`history` is (occurrence, people who came) of held occurrences, oldest first. A series
    fades when the last three each had at most two people; suggest it once per such run."""
    if len(history) < FADING_RUN:
        return False
    recent = history[-FADING_RUN:]
    if any(came > FADING_AT_MOST for _, came in recent):
        return False
    return noted_at < recent[0][0]


# --- showing days and times -----------------------------------------------------------------

def format_day(moment: datetime, lang: str, zone: ZoneInfo) -> str:
    """'donderdag 26 november' / 'Thursday 26 November'."""
    return str(format_date(moment.astimezone(zone).date(), "EEEE d MMMM", locale=lang))


def format_clock(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def format_when(start: datetime, end: datetime | None, lang: str, zone: ZoneInfo) -> str:
    """'donderdag 26 november, 19:00–21:00'; an end on another day is written in full."""
    text = f"{format_day(start, lang, zone)}, {format_clock(start, zone)}"
    if end is None:
        return text
    if end.astimezone(zone).date() == start.astimezone(zone).date():
        return f"{text}–{format_clock(end, zone)}"
    return f"{text} – {format_day(end, lang, zone)}, {format_clock(end, zone)}"
