"""Who comes to an activity: one answer per resident, a fair waiting list, and the counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

QUEUE_STEP = timedelta(seconds=1)
"""The smallest step between two places on a waiting list (storage keeps whole seconds)."""


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


def place_in_line(rsvps: list[Rsvp], now: datetime) -> datetime:
    """When a new "going" joins the waiting list: now, but always after the last one in line.
    Times are kept to the second, so twenty presses within one second still queue in the order
    they were handled, and the place each was told stays theirs."""
    line = waiting_list(rsvps)
    last = line[-1].queued_at or line[-1].responded_at if line else None
    return now if last is None or last < now else last + QUEUE_STEP


def waiting_list(rsvps: list[Rsvp]) -> list[Rsvp]:
    """First come, first served."""
    waiting = [r for r in rsvps if r.status is RsvpStatus.WAITING]
    return sorted(waiting, key=lambda r: (r.queued_at or r.responded_at, r.user_id))


def is_full(capacity: int | None, counts: Counts) -> bool:
    """No place left: the group is not invited to bring anyone."""
    return places_left(capacity, counts) == 0


def waiting_position(rsvps: list[Rsvp], user_id: int) -> int | None:
    """Where this resident is on the waiting list (1 is next), or None when not on it."""
    for position, rsvp in enumerate(waiting_list(rsvps), start=1):
        if rsvp.user_id == user_id:
            return position
    return None


class Answers(BaseModel):
    """Who answered what, for the organiser's eyes only: in the order they answered, the
    waiting list in its own order."""

    model_config = ConfigDict(frozen=True)

    going: list[Rsvp]
    maybe: list[Rsvp]
    waiting: list[Rsvp]


def answers(rsvps: list[Rsvp]) -> Answers:
    return Answers(
        going=[r for r in rsvps if r.status is RsvpStatus.GOING],
        maybe=[r for r in rsvps if r.status is RsvpStatus.MAYBE],
        waiting=waiting_list(rsvps),
    )


STILL_INTERESTED = frozenset({RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITING})
"""Who hears of a change: not those who said they will not come."""


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
        queued = Rsvp(user_id=user_id, status=RsvpStatus.WAITING, guests=guests,
                      queued_at=place_in_line(others, now), responded_at=now)
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
