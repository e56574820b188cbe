"""Pairing rows as domain models, and the SQL pieces the pairing stores share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain.pairing import (
    Availability,
    DayPart,
    DraftPurpose,
    DraftStep,
    Frequency,
    Offer,
    Pairing,
    PairingDraft,
    PairKind,
    PairStatus,
    Wish,
    WishStatus,
)
from storage.db import Row, from_db

IN_FLIGHT_SQL = "('asked_helper', 'asked_resident')"
REACHABLE_MEMBER_SQL = (
    " JOIN memberships m ON m.building_id = x.building_id AND m.user_id = x.user_id"
    " AND m.status != 'left'"
    " JOIN residents r ON r.user_id = x.user_id AND r.started_at IS NOT NULL AND r.blocked = 0"
    " JOIN buildings b ON b.chat_id = x.building_id AND b.active = 1"
)
"""Only current members of an active building whom the bot may write to take part in matching."""


def _days(text: str) -> frozenset[int]:
    return frozenset(int(c) for c in text if c.isdigit() and int(c) < 7)


def _parts(text: str) -> frozenset[DayPart]:
    return frozenset(DayPart(p) for p in text.split(",") if p in DayPart.__members__.values())


def _kinds(text: str) -> frozenset[PairKind]:
    return frozenset(PairKind(k) for k in text.split(",") if k in PairKind.__members__.values())


def days_text(days: Iterable[int]) -> str:
    return "".join(str(d) for d in sorted(days))


def words_text(words: Iterable[str]) -> str:
    return ",".join(sorted(words))


def _when(row: Row) -> Availability:
    return Availability(days=_days(row["days"]), parts=_parts(row["parts"]))


def _time(row: Row, column: str) -> datetime:
    moment = from_db(row[column])
    assert moment is not None
    return moment


def offer_from_row(row: Row) -> Offer:
    return Offer(
        id=row["id"], building_id=row["building_id"], user_id=row["user_id"],
        kinds=_kinds(row["kinds"]), when=_when(row), frequency=Frequency(row["frequency"]),
        paused=bool(row["paused"]), created_at=_time(row, "created_at"),
        updated_at=_time(row, "updated_at"),
    )


def wish_from_row(row: Row) -> Wish:
    return Wish(
        id=row["id"], building_id=row["building_id"], user_id=row["user_id"],
        kind=PairKind(row["kind"]), when=_when(row), status=WishStatus(row["status"]),
        created_at=_time(row, "created_at"), updated_at=_time(row, "updated_at"),
    )


def pairing_from_row(row: Row) -> Pairing:
    return Pairing(
        id=row["id"], building_id=row["building_id"], wish_id=row["wish_id"],
        request_id=row["request_id"], resident_id=row["resident_id"], helper_id=row["helper_id"],
        kind=PairKind(row["kind"]), when=_when(row), status=PairStatus(row["status"]),
        stage=row["stage"], regular_at=from_db(row["regular_at"]),
        suggested_at=_time(row, "suggested_at"), answered_at=from_db(row["answered_at"]),
        paired_at=from_db(row["paired_at"]), ended_at=from_db(row["ended_at"]),
    )


def draft_from_row(row: Row) -> PairingDraft:
    return PairingDraft(
        user_id=row["user_id"], purpose=DraftPurpose(row["purpose"]),
        step=DraftStep(row["step"]), building_id=row["building_id"],
        kinds=_kinds(row["kinds"]), when=_when(row),
        frequency=Frequency(row["frequency"]) if row["frequency"] else None,
        updated_at=_time(row, "updated_at"),
    )
