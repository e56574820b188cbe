"""Regular neighbours: what residents offer, what they wish for, and who to suggest to whom.

Plain rules with the clock passed in. A suggestion pairs an open wish with an offer in the same
building, for the same kind of help, on days and parts of the day that overlap. The load is
spread (a neighbour already in pairs comes after one who is not), nobody is matched with
themselves, and two people one of whom said "no" (or did not answer) are never suggested again.
After a pair is made come the three cups of tea: meet, meet again, maybe agree on something
regular; each step is asked once, with one gentle reminder at most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.quiet_hours import QuietHours

MAX_ACTIVE_PAIRS = 3
"""A neighbour in this many pairs gets no new suggestions: helping should fit their life."""
MAX_OPEN_WISHES = 3
"""Wishes a resident can have open at once (a fourth is a slip, not a need)."""
SUGGESTION_TTL = timedelta(days=5)
"""An unanswered suggestion lapses after this long; silence counts as a gentle no."""
DRAFT_LIFETIME = timedelta(hours=24)
FIRST_CHECKIN = timedelta(days=7)
"""About a week after the pair is made: did you meet for that first cup?"""
NEXT_CHECKIN = timedelta(days=14)
REMINDER_AFTER = timedelta(days=7)
"""Silence or "not yet" gets one gentle reminder this much later, never a second one."""
LAST_ROUND = 3
LASTING = timedelta(days=91)
"""A pair still going after about three months counts as lasting in the anonymous figures."""
PROMPT_TIME = time(10, 30)
"""Follow-ups arrive mid-morning, well clear of anyone's quiet hours."""
DAYS = range(7)
T = TypeVar("T")


class PairKind(StrEnum):
    """What neighbours do for each other; the first seven are the kinds of a help request."""

    CONTAINER = "container"
    GROCERIES = "groceries"
    TRANSPORT = "transport"
    CHORE = "chore"
    COMPANY = "company"
    DEVICES = "devices"
    OTHER = "other"
    LOOKOUT = "lookout"
    """Keeping an eye out ("een oogje in het zeil houden")."""
    BUDDY = "buddy"
    """Company as a regular buddy ("maatje")."""


class DayPart(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Frequency(StrEnum):
    OCCASIONAL = "occasional"
    WEEKLY = "weekly"


class WishStatus(StrEnum):
    OPEN = "open"
    PAIRED = "paired"
    WITHDRAWN = "withdrawn"


class PairStatus(StrEnum):
    ASKED_HELPER = "asked_helper"
    """Suggested to the helper, anonymously; the resident knows nothing yet."""
    ASKED_RESIDENT = "asked_resident"
    """The helper said yes; now the resident is asked, anonymously."""
    ACTIVE = "active"
    DECLINED = "declined"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"
    """Someone left or was forgotten before both had said yes."""
    ENDED = "ended"


IN_FLIGHT = frozenset({PairStatus.ASKED_HELPER, PairStatus.ASKED_RESIDENT})
TAKEN = IN_FLIGHT | {PairStatus.ACTIVE}


class Availability(BaseModel):
    """Days (Monday 0 ... Sunday 6) and parts of the day; both empty means "to agree together"."""

    model_config = ConfigDict(frozen=True)

    days: frozenset[int] = frozenset()
    parts: frozenset[DayPart] = frozenset()

    @property
    def complete(self) -> bool:
        return bool(self.days) and bool(self.parts)

    def overlap(self, other: Availability) -> Availability:
        return Availability(days=self.days & other.days, parts=self.parts & other.parts)

    @property
    def size(self) -> int:
        return len(self.days) * len(self.parts)


class Offer(BaseModel):
    """What one resident likes to do for neighbours in one building."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    user_id: int
    kinds: frozenset[PairKind]
    when: Availability
    frequency: Frequency
    paused: bool = False
    created_at: datetime
    updated_at: datetime


class Wish(BaseModel):
    """A resident's wish for a regular neighbour for one kind of thing."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    user_id: int
    kind: PairKind
    when: Availability
    status: WishStatus = WishStatus.OPEN
    created_at: datetime
    updated_at: datetime


class Pairing(BaseModel):
    """A suggestion and, once both said yes, a pair. `resident` asked; `helper` offered."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    wish_id: int | None = None
    request_id: int | None = None
    resident_id: int | None
    helper_id: int | None
    kind: PairKind
    when: Availability = Availability()
    status: PairStatus
    stage: int = 0
    """Meetings confirmed so far: 3 means the third cup of tea."""
    regular_at: datetime | None = None
    suggested_at: datetime
    answered_at: datetime | None = None
    paired_at: datetime | None = None
    ended_at: datetime | None = None

    def partner_of(self, user_id: int) -> int | None:
        if user_id == self.resident_id:
            return self.helper_id
        if user_id == self.helper_id:
            return self.resident_id
        return None

    def involves(self, user_id: int) -> bool:
        return user_id in (self.resident_id, self.helper_id)


class DraftPurpose(StrEnum):
    OFFER = "offer"
    WISH = "wish"


class DraftStep(StrEnum):
    KINDS = "kinds"
    WHEN = "when"
    OFTEN = "often"


class PairingDraft(BaseModel):
    """Where a resident is in the offer or wish flow; stored, so a restart loses nothing."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    purpose: DraftPurpose
    step: DraftStep
    building_id: int
    kinds: frozenset[PairKind] = frozenset()
    when: Availability = Availability()
    frequency: Frequency | None = None
    updated_at: datetime


class PairingFigures(BaseModel):
    """Anonymous counts for a building: never a name, never who declined."""

    model_config = ConfigDict(frozen=True)

    made: int
    active: int
    lasting: int
    third_cup: int


def pair_key(a: int, b: int) -> tuple[int, int]:
    """Two people as one unordered pair (for "never suggest these two again")."""
    return (a, b) if a <= b else (b, a)


def draft_is_stale(draft: PairingDraft, now: datetime) -> bool:
    return now - draft.updated_at > DRAFT_LIFETIME


def toggle(chosen: frozenset[T], value: T) -> frozenset[T]:
    return chosen - {value} if value in chosen else chosen | {value}


# --- matching ---------------------------------------------------------------------------------

def may_pair(wish: Wish, offer: Offer) -> bool:
    """The hard rules: same building, never oneself, an offer that is on, the same kind of
    help, and at least one day and one part of the day in common."""
    if wish.building_id != offer.building_id or wish.user_id == offer.user_id:
        return False
    if offer.paused or wish.status is not WishStatus.OPEN or wish.kind not in offer.kinds:
        return False
    shared = wish.when.overlap(offer.when)
    return shared.complete


def candidates(
    wish: Wish,
    offers: Iterable[Offer],
    *,
    active_pairs: Mapping[int, int],
    excluded: set[tuple[int, int]],
    busy: set[int],
) -> list[Offer]:
    """Offers that may be suggested for this wish, the best first.

    `active_pairs` counts each helper's current pairs; `excluded` holds unordered pairs of
    people never to suggest (someone declined, did not answer, or they are already paired or
    being asked); `busy` holds helpers already considering another suggestion. Order: fewest
    pairs first (load spreading), then weekly offers, then the widest overlap, then the
    longest-standing offer. The order is never shown to anyone.
    """
    found = [
        offer for offer in offers
        if may_pair(wish, offer)
        and pair_key(wish.user_id, offer.user_id) not in excluded
        and offer.user_id not in busy
        and active_pairs.get(offer.user_id, 0) < MAX_ACTIVE_PAIRS
    ]
    return sorted(found, key=lambda offer: (
        active_pairs.get(offer.user_id, 0),
        offer.frequency is not Frequency.WEEKLY,
        -wish.when.overlap(offer.when).size,
        offer.created_at,
        offer.id,
    ))


def plan_suggestions(
    wishes: Iterable[Wish],
    offers: list[Offer],
    *,
    active_pairs: Mapping[int, int],
    excluded: set[tuple[int, int]],
    busy: set[int],
    waiting: set[int],
) -> list[tuple[Wish, Offer]]:
    """One suggestion per open wish (oldest wish first) that is not already waiting for an
    answer (`waiting` holds wish ids); each helper gets at most one new suggestion at a time."""
    planned: list[tuple[Wish, Offer]] = []
    taken = set(busy)
    for wish in sorted(wishes, key=lambda w: (w.created_at, w.id)):
        if wish.id in waiting or wish.status is not WishStatus.OPEN:
            continue
        found = candidates(wish, offers, active_pairs=active_pairs, excluded=excluded, busy=taken)
        if found:
            planned.append((wish, found[0]))
            taken.add(found[0].user_id)
    return planned


def is_lapsed(pairing: Pairing, now: datetime) -> bool:
    """A suggestion nobody answered within the time; it lapses quietly."""
    if pairing.status not in IN_FLIGHT:
        return False
    asked_at = pairing.answered_at or pairing.suggested_at
    return now - asked_at >= SUGGESTION_TTL


# --- the three cups of tea ----------------------------------------------------------------------

class CheckIn(BaseModel):
    """One follow-up question: did you meet (for the `round`-th time)? `attempt` 1 is the one
    gentle reminder."""

    model_config = ConfigDict(frozen=True)

    round: int
    attempt: int


def prompt_moment(after: datetime, wait: timedelta, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    """`wait` after `after`, mid-morning local time, never inside quiet hours."""
    day = (after + wait).astimezone(zone).date()
    moment = datetime.combine(day, PROMPT_TIME, tzinfo=zone)
    return quiet.next_allowed(moment, zone).astimezone(after.tzinfo)


def first_checkin(paired_at: datetime, quiet: QuietHours, zone: ZoneInfo) -> tuple[CheckIn, datetime]:
    return CheckIn(round=1, attempt=0), prompt_moment(paired_at, FIRST_CHECKIN, quiet, zone)


def next_checkin(
    met_round: int, now: datetime, quiet: QuietHours, zone: ZoneInfo
) -> tuple[CheckIn, datetime] | None:
    """After a "yes, we met" in `met_round`: the next round, or None after the third cup."""
    if met_round >= LAST_ROUND:
        return None
    return CheckIn(round=met_round + 1, attempt=0), prompt_moment(now, NEXT_CHECKIN, quiet, zone)


def reminder(check: CheckIn, sent_at: datetime, quiet: QuietHours,
             zone: ZoneInfo) -> tuple[CheckIn, datetime] | None:
    """The one gentle reminder after a question; none after the reminder itself."""
    if check.attempt >= 1:
        return None
    return CheckIn(round=check.round, attempt=1), prompt_moment(sent_at, REMINDER_AFTER, quiet, zone)


def asks_about_regular(met_round: int, regular_agreed: bool) -> bool:
    """After the second and third meetings: would you like to agree on something regular?"""
    return met_round >= 2 and not regular_agreed


def figures(pairings: Iterable[Pairing], now: datetime) -> PairingFigures:
    made = active = lasting = third = 0
    for pairing in pairings:
        if pairing.paired_at is None:
            continue
        made += 1
        if pairing.status is PairStatus.ACTIVE:
            active += 1
        until = pairing.ended_at or now
        if until - pairing.paired_at >= LASTING:
            lasting += 1
        if pairing.stage >= LAST_ROUND:
            third += 1
    return PairingFigures(made=made, active=active, lasting=lasting, third_cup=third)
