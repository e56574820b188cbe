"""Small help requests: what a resident may ask, and who may do what with it.

Plain rules with the clock passed in: validating what a resident typed, how many requests one
resident may have going, and who may claim, close, thank or change a request. When a request is
due, and what follows from that, is `bot.domain.request_timing`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.domain.request_timing import (
    When,
    WhenChoice,
    WhenError,
    WhenKind,
    bump_moment,
    can_repeat,
    close_moment,
    next_occurrence,
    parse_when,
    when_from_choice,
)
from bot.domain.text import typed_text

__all__ = [  # a request's "when" lives in request_timing; callers import these from here
    "When",
    "WhenChoice",
    "WhenError",
    "WhenKind",
    "bump_moment",
    "can_repeat",
    "close_moment",
    "next_occurrence",
    "parse_when",
    "when_from_choice",
]

MAX_DESCRIPTION = 280
MAX_CONTACT = 100
MAX_PER_HOUR = 5
"""More new requests than this in an hour is not a neighbour asking; it is a slip or a flood."""
DRAFT_LIFETIME = timedelta(hours=24)
"""A flow left alone this long is dropped, so later typing meant for something else is not
taken as an answer to an old question."""


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


class TextError(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_WORDS = "no_words"
    """Only emoji or signs ("🙏🙏🙏"): the group would not know what is asked."""


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
    """1-280 characters after normalising, with at least one letter or digit; anything else may
    be in it (it is escaped when shown)."""
    cleaned = typed_text(text)
    if not cleaned:
        return TextError.EMPTY
    if len(cleaned) > MAX_DESCRIPTION:
        return TextError.TOO_LONG
    if not any(character.isalnum() for character in cleaned):
        return TextError.NO_WORDS
    return cleaned


def validate_contact(text: str) -> str | TextError:
    cleaned = typed_text(text)
    if not cleaned:
        return TextError.EMPTY
    if len(cleaned) > MAX_CONTACT:
        return TextError.TOO_LONG
    return cleaned


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
