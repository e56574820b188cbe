"""Small help requests: what a resident may ask, when, and who may do what with it.

Plain rules with the clock passed in: validating what a resident typed, reading a day and time
written the way people write them ("za 14:00", "12-12 10:30", "tomorrow 9am"), when to bump an
unclaimed request without disturbing anyone's night, and when a weekly need comes round again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.quiet_hours import QuietHours

MAX_DESCRIPTION = 280
MAX_CONTACT = 100
MAX_PER_HOUR = 5
"""More new requests than this in an hour is not a neighbour asking; it is a slip or a flood."""
MAX_DAYS_AHEAD = 92
MIN_BUMP_GAP = timedelta(hours=1)
"""A bump right after posting would only repeat the card; leave the building some time first."""
DRAFT_LIFETIME = timedelta(hours=24)
"""A flow left alone this long is dropped, so later typing meant for something else is not
taken as an answer to an old question."""
PAST_DATE_GRACE_DAYS = 183
"""A day-month without a year this far back means next year ("3-1" typed in December)."""


class RequestKind(StrEnum):
    CONTAINER = "container"
    GROCERIES = "groceries"
    TRANSPORT = "transport"
    CHORE = "chore"
    COMPANY = "company"
    DEVICES = "devices"
    OTHER = "other"


class RequestStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REMOVED = "removed"


ACTIVE = frozenset({RequestStatus.OPEN, RequestStatus.CLAIMED})


class WhenKind(StrEnum):
    DAY = "day"
    """Some time that day; it ends when the evening's quiet hours begin."""
    WEEK = "week"
    """Some time this week, until Sunday evening."""
    AT = "at"
    """A day and a time."""


class WhenChoice(StrEnum):
    """The buttons of the "when" question; a typed day and time is the fourth way."""

    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"


class When(BaseModel):
    """When the help is needed. `due_at` is the moment it is too late (UTC)."""

    model_config = ConfigDict(frozen=True)

    kind: WhenKind
    due_at: datetime

    def local_day(self, zone: ZoneInfo) -> date:
        return self.due_at.astimezone(zone).date()

    def local_time(self, zone: ZoneInfo) -> time:
        return self.due_at.astimezone(zone).time()


class WhenError(StrEnum):
    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"
    PAST = "past"
    TOO_FAR = "too_far"


class TextError(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


class Refusal(StrEnum):
    """Why a press or an action changes nothing; each has a short, kind answer."""

    GONE = "gone"
    TAKEN = "taken"
    CLOSED = "closed"
    OWN = "own"
    PAST = "past"
    NOT_YOURS = "not_yours"
    ALREADY = "already"


class Action(StrEnum):
    CLAIM = "claim"
    WITHDRAW = "withdraw"
    DONE = "done"
    THANK = "thank"
    CANCEL = "cancel"
    EDIT = "edit"
    CONTACT = "contact"
    REPOST = "repost"
    STOP_SERIES = "stop_series"


class PostingRefusal(StrEnum):
    TOO_MANY_OPEN = "too_many_open"
    TOO_FAST = "too_fast"


class DraftStep(StrEnum):
    """Where a resident is in a private-chat flow; typed text is read for this step."""

    KIND = "kind"
    TEXT = "text"
    WHEN = "when"
    NAME = "name"
    PREVIEW = "preview"
    """Shows the card; "for a neighbour" and "every week" are switches here."""
    EDIT_TEXT = "edit_text"
    EDIT_WHEN = "edit_when"
    CONTACT = "contact"

    @property
    def wants_text(self) -> bool:
        return self in TEXT_STEPS


TEXT_STEPS = frozenset(
    {DraftStep.TEXT, DraftStep.WHEN, DraftStep.EDIT_TEXT, DraftStep.EDIT_WHEN, DraftStep.CONTACT}
)


class HelpRequest(BaseModel):
    """One ask for help in one building; a weekly need is one of these per week."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    requester_id: int
    helper_id: int | None = None
    kind: RequestKind
    description: str | None
    """None once erased (after the retention period, or when the resident asked)."""
    when: When
    anonymous: bool
    on_behalf: bool
    series_id: int | None = None
    status: RequestStatus
    card_message_id: int | None = None
    contact: str | None = None
    created_at: datetime
    claimed_at: datetime | None = None
    done_at: datetime | None = None
    expired_at: datetime | None = None
    cancelled_at: datetime | None = None
    removed_at: datetime | None = None
    thanked_at: datetime | None = None
    bumped_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def repeats(self) -> bool:
        return self.series_id is not None


class RequestSeries(BaseModel):
    """A need that comes back every week, until the requester stops it."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    requester_id: int
    standing_helper_id: int | None
    created_at: datetime
    stopped_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.stopped_at is None


class RequestDraft(BaseModel):
    """A request being written, or a typed answer the bot waits for; kept in the database."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    step: DraftStep
    building_id: int
    kind: RequestKind | None = None
    description: str | None = None
    when: When | None = None
    anonymous: bool | None = None
    on_behalf: bool | None = None
    repeat: bool | None = None
    request_id: int | None = None
    """The request an edit or a contact detail is for."""
    updated_at: datetime


def draft_is_stale(draft: RequestDraft, now: datetime) -> bool:
    return now - draft.updated_at > DRAFT_LIFETIME


def validate_description(text: str) -> str | TextError:
    """1-280 characters after trimming; anything else may be in it (it is escaped when shown)."""
    cleaned = text.strip()
    if not cleaned:
        return TextError.EMPTY
    if len(cleaned) > MAX_DESCRIPTION:
        return TextError.TOO_LONG
    return cleaned


def validate_contact(text: str) -> str | TextError:
    cleaned = text.strip()
    if not cleaned:
        return TextError.EMPTY
    if len(cleaned) > MAX_CONTACT:
        return TextError.TOO_LONG
    return cleaned


def day_end(day: date, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    """A request "for that day" lasts until the evening's quiet hours begin."""
    end = quiet.start if quiet.start >= time(12, 0) else time(23, 59)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


def when_from_choice(
    choice: WhenChoice, now: datetime, zone: ZoneInfo, quiet: QuietHours
) -> When | WhenError:
    today = now.astimezone(zone).date()
    if choice is WhenChoice.WEEK:
        sunday = today + timedelta(days=6 - today.weekday())
        due = day_end(sunday, quiet, zone)
        if due <= now:
            due = day_end(sunday + timedelta(days=7), quiet, zone)
        return When(kind=WhenKind.WEEK, due_at=due)
    day = today if choice is WhenChoice.TODAY else today + timedelta(days=1)
    due = day_end(day, quiet, zone)
    if due <= now:
        return WhenError.PAST
    return When(kind=WhenKind.DAY, due_at=due)


WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("ma", "maa", "maan", "maandag", "mo", "mon", "monday"), 0),
    **dict.fromkeys(("di", "din", "dins", "dinsdag", "tu", "tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wo", "woe", "woens", "woensdag", "we", "wed", "wednesday"), 2),
    **dict.fromkeys(("do", "don", "donder", "donderdag", "th", "thu", "thur", "thurs",
                     "thursday"), 3),
    **dict.fromkeys(("vr", "vrij", "vrijdag", "fr", "fri", "friday"), 4),
    **dict.fromkeys(("za", "zat", "zaterdag", "sa", "sat", "saturday"), 5),
    **dict.fromkeys(("zo", "zon", "zondag", "su", "sun", "sunday"), 6),
}
RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
}
MONTHS: dict[str, int] = {
    **dict.fromkeys(("jan", "januari", "january"), 1),
    **dict.fromkeys(("feb", "febr", "februari", "february"), 2),
    **dict.fromkeys(("mrt", "maart", "mar", "march"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("jun", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juli", "july"), 7),
    **dict.fromkeys(("aug", "augustus", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oct", "oktober", "october"), 10),
    **dict.fromkeys(("nov", "november"), 11),
    **dict.fromkeys(("dec", "december"), 12),
}
FILLER = frozenset({"om", "at", "on", "op", "de", "the", "van", "of", "rond", "around",
                    "volgende", "next", "aanstaande", "a.s.", "as", "this", "deze"})
HOUR_SUFFIXES = frozenset({"u", "uur", "h", "am", "pm", "a.m.", "p.m."})
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(u|uur|h|am|pm|a\.m\.|p\.m\.)?$")
_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})(?:[-/](\d{4}|\d{2}))?$")
_NUMBER = re.compile(r"^\d{1,4}$")


class _Parsed:
    def __init__(self) -> None:
        self.offset: int | None = None
        self.weekday: int | None = None
        self.day_month: tuple[int, int, int | None] | None = None
        self.clock: tuple[int, int, str | None] | None = None

    @property
    def has_day(self) -> bool:
        return self.offset is not None or self.weekday is not None or self.day_month is not None


def _tokens(text: str) -> list[str]:
    words = text.lower().replace(",", " ").split()
    merged: list[str] = []
    for word in words:
        if word in FILLER:
            continue
        if word.rstrip(".") in WEEKDAYS or word.rstrip(".") in MONTHS:
            word = word.rstrip(".")
        if word in HOUR_SUFFIXES and merged and _NUMBER.match(merged[-1]):
            merged[-1] += word
            continue
        merged.append(word)
    return merged


def _read(tokens: list[str]) -> _Parsed | None:
    parsed = _Parsed()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token in RELATIVE_DAYS and not parsed.has_day:
            parsed.offset = RELATIVE_DAYS[token]
        elif token in WEEKDAYS and parsed.weekday is None and parsed.offset is None:
            parsed.weekday = WEEKDAYS[token]
        elif (match := _DATE.match(token)) and parsed.day_month is None and parsed.offset is None:
            year = int(match.group(3)) if match.group(3) else None
            parsed.day_month = (int(match.group(1)), int(match.group(2)), year)
        elif (_NUMBER.match(token) and following in MONTHS and parsed.day_month is None
              and parsed.offset is None and following is not None):
            year = None
            index += 1
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if after is not None and re.match(r"^\d{4}$", after):
                year = int(after)
                index += 1
            parsed.day_month = (int(token), MONTHS[following], year)
        elif (match := _TIME.match(token)) and parsed.clock is None and (
            match.group(2) or match.group(3) or parsed.has_day
        ):
            parsed.clock = (int(match.group(1)), int(match.group(2) or 0), match.group(3))
        else:
            return None
        index += 1
    if not parsed.has_day and parsed.clock is None:
        return None
    return parsed


def _clock_time(hour: int, minute: int, suffix: str | None) -> time | None:
    if suffix in ("am", "pm", "a.m.", "p.m."):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _calendar_day(
    day: int, month: int, year: int | None, today: date
) -> date | WhenError:
    if year is not None:
        if year < 100:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            return WhenError.IMPOSSIBLE
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        try:
            return date(today.year + 1, month, day)
        except ValueError:
            return WhenError.IMPOSSIBLE
    if candidate < today and (today - candidate).days > PAST_DATE_GRACE_DAYS:
        return candidate.replace(year=today.year + 1)
    return candidate


def parse_when(text: str, now: datetime, zone: ZoneInfo, quiet: QuietHours) -> When | WhenError:
    """Read a typed day and/or time, in Dutch or English: "za 14:00", "12-12 10:30",
    "morgen 9u", "saturday 2pm", "3 december", "15:30" (today). A day without a time means
    some time that day."""
    parsed = _read(_tokens(text))
    if parsed is None:
        return WhenError.UNREADABLE
    clock = None
    if parsed.clock is not None:
        clock = _clock_time(*parsed.clock)
        if clock is None:
            return WhenError.IMPOSSIBLE
    local_now = now.astimezone(zone)
    today = local_now.date()
    if parsed.day_month is not None:
        day = _calendar_day(*parsed.day_month, today)
        if isinstance(day, WhenError):
            return day
    elif parsed.weekday is not None:
        day = today + timedelta(days=(parsed.weekday - today.weekday()) % 7)
        ends = (datetime.combine(day, clock, tzinfo=zone) if clock is not None
                else day_end(day, quiet, zone))
        if day == today and ends <= now:
            day += timedelta(days=7)
    else:
        day = today + timedelta(days=parsed.offset or 0)
    if clock is None:
        when = When(kind=WhenKind.DAY, due_at=day_end(day, quiet, zone))
    else:
        when = When(kind=WhenKind.AT,
                    due_at=datetime.combine(day, clock, tzinfo=zone).astimezone(UTC))
    if when.due_at <= now:
        return WhenError.PAST
    if when.due_at > now + timedelta(days=MAX_DAYS_AHEAD):
        return WhenError.TOO_FAR
    return when


def can_repeat(when: When) -> bool:
    """Every week "on that day" needs a day: "some time this week" has none."""
    return when.kind is not WhenKind.WEEK


def next_occurrence(when: When, zone: ZoneInfo, quiet: QuietHours) -> When:
    """The same weekday and local time a week later (a clock change keeps the local time)."""
    day = when.local_day(zone) + timedelta(days=7)
    if when.kind is WhenKind.AT:
        local = datetime.combine(day, when.local_time(zone), tzinfo=zone)
        return When(kind=WhenKind.AT, due_at=local.astimezone(UTC))
    return When(kind=when.kind, due_at=day_end(day, quiet, zone))


def bump_moment(
    due_at: datetime, posted_at: datetime, hours_before: int, quiet: QuietHours, zone: ZoneInfo
) -> datetime | None:
    """When to remind the building of a request nobody took yet, or None for no reminder.

    `hours_before` its time; a moment in quiet hours moves earlier, to just before they began,
    and is dropped when that is not at least an hour after posting.
    """
    if hours_before <= 0:
        return None
    moment = due_at - timedelta(hours=hours_before)
    if quiet.contains(moment, zone):
        moment = quiet.latest_before(moment, zone)
    if moment < posted_at + MIN_BUMP_GAP:
        return None
    return moment


def close_moment(due_at: datetime, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    """When an unclaimed request is closed and its requester told: its time, or the morning."""
    return quiet.next_allowed(due_at, zone)


def posting_refusal(
    open_count: int, created_last_hour: int, max_open: int
) -> PostingRefusal | None:
    if open_count >= max_open:
        return PostingRefusal.TOO_MANY_OPEN
    if created_last_hour >= MAX_PER_HOUR:
        return PostingRefusal.TOO_FAST
    return None


def refusal(action: Action, request: HelpRequest | None, user_id: int, now: datetime) -> Refusal | None:
    """Who may do what with a request; None means allowed."""
    if request is None:
        return Refusal.GONE
    is_requester = request.requester_id == user_id
    is_helper = request.helper_id is not None and request.helper_id == user_id
    status = request.status
    if action is Action.CLAIM:
        if status is RequestStatus.CLAIMED:
            return Refusal.ALREADY if is_helper else Refusal.TAKEN
        if status is not RequestStatus.OPEN:
            return Refusal.CLOSED
        if is_requester:
            return Refusal.OWN
        if now >= request.when.due_at:
            return Refusal.PAST
        return None
    if action is Action.WITHDRAW:
        if not is_helper:
            return Refusal.NOT_YOURS
        return None if status is RequestStatus.CLAIMED else Refusal.CLOSED
    if action is Action.DONE:
        if not (is_requester or is_helper):
            return Refusal.NOT_YOURS
        if status is RequestStatus.DONE:
            return Refusal.ALREADY
        return None if status is RequestStatus.CLAIMED else Refusal.CLOSED
    if action is Action.THANK:
        if not is_requester:
            return Refusal.NOT_YOURS
        if request.thanked_at is not None:
            return Refusal.ALREADY
        ok = status is RequestStatus.DONE and request.helper_id is not None
        return None if ok else Refusal.CLOSED
    if action is Action.REPOST:
        if not is_requester:
            return Refusal.NOT_YOURS
        return None if status is RequestStatus.EXPIRED else Refusal.CLOSED
    if action is Action.STOP_SERIES:
        if not is_requester:
            return Refusal.NOT_YOURS
        return None if request.repeats else Refusal.CLOSED
    # CANCEL, EDIT, CONTACT: the requester, while the request is still on.
    if not is_requester:
        return Refusal.NOT_YOURS
    if action is Action.CONTACT and status is not RequestStatus.CLAIMED:
        return Refusal.CLOSED
    return None if request.is_active else Refusal.CLOSED
