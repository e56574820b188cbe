"""Suggestions and pairs of regular neighbours; offers, wishes and drafts are its parts.

`PairingStore` is made of `pairing_drafts`, `pairing_offers` and `pairing_wishes`, each in its
own module, and adds the suggestions and pairs themselves. Every answer to a suggestion is one
conditional UPDATE on the pairing's status, so a double press, a forwarded button or a press
after the suggestion lapsed changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.domain.pairing import (
    Offer,
    Pairing,
    PairingFigures,
    PairKind,
    PairStatus,
    Wish,
    figures,
    pair_key,
)
from storage.db import Database, Transaction, from_db, to_db
from storage.pairing_drafts import PairingDraftStore
from storage.pairing_offers import OfferStore
from storage.pairing_rows import IN_FLIGHT_SQL, days_text, pairing_from_row, words_text
from storage.pairing_wishes import WishStore


class RequestFacts(BaseModel):
    """What the "more often together?" button needs to know about a help request."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    requester_id: int
    helper_id: int | None
    kind: str
    status: str


class PairingStore(PairingDraftStore, OfferStore, WishStore):
    def __init__(self, db: Database) -> None:
        self._db = db

    # Pairings ---------------------------------------------------------------------------------

    async def get(self, pairing_id: int) -> Pairing | None:
        row = await self._db.fetch_one("SELECT * FROM pairings WHERE id = ?", (pairing_id,))
        return None if row is None else pairing_from_row(row)

    async def suggest(self, wish: Wish, offer: Offer, now: datetime) -> Pairing | None:
        """Ask the helper about this wish; None when the wish is already waiting for an answer."""
        shared = wish.when.overlap(offer.when)
        async with self._db.transaction() as tx:
            still_open = await tx.fetch_value(
                "SELECT 1 FROM pairing_wishes WHERE id = ? AND status = 'open'", (wish.id,))
            waiting = await tx.fetch_value(
                f"SELECT 1 FROM pairings WHERE wish_id = ? AND status IN {IN_FLIGHT_SQL}",
                (wish.id,))
            if still_open is None or waiting is not None:
                return None
            pairing_id = await tx.insert(
                "INSERT INTO pairings (building_id, wish_id, resident_id, helper_id, kind, days,"
                " parts, status, suggested_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'asked_helper', ?) RETURNING id",
                (wish.building_id, wish.id, wish.user_id, offer.user_id, wish.kind.value,
                 days_text(shared.days), words_text(shared.parts), to_db(now)),
            )
            row = await tx.fetch_one("SELECT * FROM pairings WHERE id = ?", (pairing_id,))
        assert row is not None
        return pairing_from_row(row)

    async def suggest_from_request(
        self, request: RequestFacts, kind: PairKind, now: datetime
    ) -> Pairing | None:
        """The requester asks their helper to do this more often; None if asked before."""
        assert request.helper_id is not None
        async with self._db.transaction() as tx:
            if await tx.fetch_value("SELECT 1 FROM pairings WHERE request_id = ?", (request.id,)):
                return None
            pairing_id = await tx.insert(
                "INSERT INTO pairings (building_id, request_id, resident_id, helper_id, kind,"
                " status, suggested_at) VALUES (?, ?, ?, ?, ?, 'asked_helper', ?) RETURNING id",
                (request.building_id, request.id, request.requester_id, request.helper_id,
                 kind.value, to_db(now)),
            )
            row = await tx.fetch_one("SELECT * FROM pairings WHERE id = ?", (pairing_id,))
        assert row is not None
        return pairing_from_row(row)

    async def by_request(self, request_id: int) -> Pairing | None:
        row = await self._db.fetch_one("SELECT * FROM pairings WHERE request_id = ?", (request_id,))
        return None if row is None else pairing_from_row(row)

    async def helper_said_yes(self, pairing_id: int, now: datetime) -> bool:
        """From a wish: now the resident is asked."""
        return await self._db.execute(
            "UPDATE pairings SET status = 'asked_resident', answered_at = ?"
            " WHERE id = ? AND status = 'asked_helper' AND request_id IS NULL",
            (to_db(now), pairing_id),
        ) > 0

    async def make_pair(self, pairing_id: int, from_status: PairStatus, now: datetime) -> bool:
        """Both said yes: the pair is made and the wish is fulfilled."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pairings SET status = 'active', answered_at = ?, paired_at = ?"
                " WHERE id = ? AND status = ?",
                (to_db(now), to_db(now), pairing_id, from_status.value),
            )
            if changed:
                await tx.execute(
                    "UPDATE pairing_wishes SET status = 'paired', updated_at = ?"
                    " WHERE id = (SELECT wish_id FROM pairings WHERE id = ?) AND status = 'open'",
                    (to_db(now), pairing_id),
                )
        return changed > 0

    async def decline(self, pairing_id: int, from_status: PairStatus, now: datetime) -> bool:
        """A "no": the suggestion closes and these two are never suggested to each other again."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE pairings SET status = 'declined', answered_at = ?, ended_at = ?"
                " WHERE id = ? AND status = ?",
                (to_db(now), to_db(now), pairing_id, from_status.value),
            )
            if changed:
                row = await tx.fetch_one("SELECT * FROM pairings WHERE id = ?", (pairing_id,))
                assert row is not None
                await _remember_decline(tx, pairing_from_row(row), now)
        return changed > 0

    async def lapse(self, before: datetime, now: datetime) -> list[Pairing]:
        """Suggestions asked before `before` and never answered lapse quietly (a gentle no)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                f"SELECT * FROM pairings WHERE status IN {IN_FLIGHT_SQL}"
                " AND COALESCE(answered_at, suggested_at) <= ?",
                (to_db(before),),
            )
            lapsed = []
            for row in rows:
                changed = await tx.execute(
                    "UPDATE pairings SET status = 'lapsed', ended_at = ? WHERE id = ? AND status = ?",
                    (to_db(now), row["id"], row["status"]),
                )
                if changed:
                    pairing = pairing_from_row(row)
                    await _remember_decline(tx, pairing, now)
                    lapsed.append(pairing)
        return lapsed

    async def end(self, pairing_id: int, now: datetime) -> bool:
        return await self._db.execute(
            "UPDATE pairings SET status = 'ended', ended_at = ? WHERE id = ? AND status = 'active'",
            (to_db(now), pairing_id),
        ) > 0

    async def cancel(self, pairing_id: int, now: datetime) -> bool:
        return await self._db.execute(
            "UPDATE pairings SET status = 'cancelled', ended_at = ?"
            f" WHERE id = ? AND status IN {IN_FLIGHT_SQL}",
            (to_db(now), pairing_id),
        ) > 0

    async def advance_stage(self, pairing_id: int, met_round: int) -> bool:
        """The first "yes, we met" of a round counts; the partner's second "yes" changes nothing."""
        return await self._db.execute(
            "UPDATE pairings SET stage = ? WHERE id = ? AND status = 'active' AND stage = ?",
            (met_round, pairing_id, met_round - 1),
        ) > 0

    async def agree_regular(self, pairing_id: int, now: datetime) -> bool:
        return await self._db.execute(
            "UPDATE pairings SET regular_at = ? WHERE id = ? AND status = 'active'"
            " AND regular_at IS NULL",
            (to_db(now), pairing_id),
        ) > 0

    async def involving(self, user_id: int, statuses: Iterable[PairStatus] | None = None,
                        building_id: int | None = None) -> list[Pairing]:
        sql = "SELECT * FROM pairings WHERE (resident_id = ? OR helper_id = ?)"
        params: list[object] = [user_id, user_id]
        wanted = list(statuses or ())
        if wanted:
            sql += " AND status IN (" + ", ".join("?" for _ in wanted) + ")"
            params += [status.value for status in wanted]
        if building_id is not None:
            sql += " AND building_id = ?"
            params.append(building_id)
        rows = await self._db.fetch_all(sql + " ORDER BY id", params)
        return [pairing_from_row(row) for row in rows]

    async def active_counts(self) -> dict[int, int]:
        """How many active pairs each person is in (as either side, in any building)."""
        rows = await self._db.fetch_all(
            "SELECT person, COUNT(*) FROM (SELECT resident_id AS person FROM pairings"
            " WHERE status = 'active' UNION ALL SELECT helper_id FROM pairings"
            " WHERE status = 'active') AS people WHERE person IS NOT NULL GROUP BY person"
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def busy_helpers(self) -> set[int]:
        """Helpers already considering a suggestion: one question at a time."""
        rows = await self._db.fetch_all(
            f"SELECT helper_id FROM pairings WHERE status IN {IN_FLIGHT_SQL}"
            " AND helper_id IS NOT NULL")
        return {int(row[0]) for row in rows}

    async def waiting_wishes(self, building_id: int) -> set[int]:
        rows = await self._db.fetch_all(
            f"SELECT wish_id FROM pairings WHERE building_id = ? AND status IN {IN_FLIGHT_SQL}"
            " AND wish_id IS NOT NULL", (building_id,))
        return {int(row[0]) for row in rows}

    async def excluded_pairs(self, building_id: int) -> set[tuple[int, int]]:
        """People never to suggest to each other: declined or lapsed before, or already paired
        or being asked."""
        found: set[tuple[int, int]] = set()
        for row in await self._db.fetch_all(
            "SELECT user_low, user_high FROM pairing_declines WHERE building_id = ?",
            (building_id,),
        ):
            found.add((int(row[0]), int(row[1])))
        for row in await self._db.fetch_all(
            "SELECT resident_id, helper_id FROM pairings WHERE building_id = ?"
            " AND status IN ('active', 'asked_helper', 'asked_resident')"
            " AND resident_id IS NOT NULL AND helper_id IS NOT NULL",
            (building_id,),
        ):
            found.add(pair_key(int(row[0]), int(row[1])))
        return found

    async def buildings_with_open_wishes(self) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT DISTINCT w.building_id FROM pairing_wishes w JOIN buildings b"
            " ON b.chat_id = w.building_id WHERE w.status = 'open' AND b.active = 1"
            " ORDER BY w.building_id")
        return [int(row[0]) for row in rows]

    # Reading a help request (read-only) ----------------------------------------------------------

    async def request_facts(self, request_id: int) -> RequestFacts | None:
        row = await self._db.fetch_one(
            "SELECT id, building_id, requester_id, helper_id, kind, status FROM requests"
            " WHERE id = ?", (request_id,))
        if row is None:
            return None
        return RequestFacts(id=row["id"], building_id=row["building_id"],
                            requester_id=row["requester_id"], helper_id=row["helper_id"],
                            kind=row["kind"], status=row["status"])

    # Departures, forgetting, retention, figures ---------------------------------------------------

    async def leave_building(self, building_id: int, user_id: int, now: datetime) -> list[Pairing]:
        """Someone left: their offer and open wishes there go, suggestions involving them are
        called off; returns their active pairs there (still active: the caller ends them)."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM pairing_offers WHERE building_id = ? AND user_id = ?",
                             (building_id, user_id))
            await tx.execute("DELETE FROM pairing_drafts WHERE building_id = ? AND user_id = ?",
                             (building_id, user_id))
            await tx.execute(
                "UPDATE pairing_wishes SET status = 'withdrawn', updated_at = ?"
                " WHERE building_id = ? AND user_id = ? AND status = 'open'",
                (to_db(now), building_id, user_id))
            await _cancel_in_flight(tx, user_id, now, building_id)
            rows = await tx.fetch_all(
                "SELECT * FROM pairings WHERE building_id = ? AND status = 'active'"
                " AND (resident_id = ? OR helper_id = ?)", (building_id, user_id, user_id))
        return [pairing_from_row(row) for row in rows]

    async def unreachable(self, user_id: int, now: datetime) -> list[Pairing]:
        """The bot can no longer write to them: no suggestions wait on them; their active pairs
        are returned (the caller ends them)."""
        async with self._db.transaction() as tx:
            await _cancel_in_flight(tx, user_id, now, None)
            rows = await tx.fetch_all(
                "SELECT * FROM pairings WHERE status = 'active' AND (resident_id = ? OR helper_id = ?)",
                (user_id, user_id))
        return [pairing_from_row(row) for row in rows]

    async def forget(self, user_id: int, now: datetime) -> None:
        """Offers, wishes, drafts and "never again" rows go; their id leaves every pairing
        (which keeps its kind, stage and times for the anonymous figures)."""
        async with self._db.transaction() as tx:
            await _cancel_in_flight(tx, user_id, now, None)
            await tx.execute(
                "UPDATE pairings SET status = 'ended', ended_at = ? WHERE status = 'active'"
                " AND (resident_id = ? OR helper_id = ?)", (to_db(now), user_id, user_id))
            await tx.execute("DELETE FROM pairing_offers WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM pairing_drafts WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM pairing_wishes WHERE user_id = ?", (user_id,))
            await tx.execute(
                "DELETE FROM pairing_declines WHERE user_low = ? OR user_high = ?",
                (user_id, user_id))
            await tx.execute("UPDATE pairings SET resident_id = NULL, days = '', parts = ''"
                             " WHERE resident_id = ?", (user_id,))
            await tx.execute("UPDATE pairings SET helper_id = NULL, days = '', parts = ''"
                             " WHERE helper_id = ?", (user_id,))

    async def expire(self, before: datetime) -> int:
        """Closed pairs and suggestions lose who was in them; old withdrawn or fulfilled wishes
        and forgotten drafts go. "Never again" rows stay: they keep a "no" a no."""
        async with self._db.transaction() as tx:
            erased = await tx.execute(
                "UPDATE pairings SET resident_id = NULL, helper_id = NULL, days = '', parts = '',"
                " request_id = NULL, details_erased_at = ?"
                " WHERE status IN ('ended', 'declined', 'lapsed', 'cancelled')"
                " AND ended_at IS NOT NULL AND ended_at < ? AND details_erased_at IS NULL",
                (to_db(before), to_db(before)),
            )
            erased += await tx.execute(
                "DELETE FROM pairing_wishes WHERE status != 'open' AND updated_at < ?"
                " AND id NOT IN (SELECT wish_id FROM pairings WHERE status = 'active'"
                " AND wish_id IS NOT NULL)",
                (to_db(before),),
            )
            erased += await tx.execute(
                "DELETE FROM pairing_drafts WHERE updated_at < ?", (to_db(before),))
        return erased

    async def figures(self, building_id: int, now: datetime) -> PairingFigures:
        rows = await self._db.fetch_all(
            "SELECT * FROM pairings WHERE building_id = ? AND paired_at IS NOT NULL",
            (building_id,))
        return figures((pairing_from_row(row) for row in rows), now)

    async def last_activity(self, building_id: int) -> datetime | None:
        value = await self._db.fetch_value(
            "SELECT MAX(moment) FROM ("
            " SELECT updated_at AS moment FROM pairing_offers WHERE building_id = ?"
            " UNION ALL SELECT created_at FROM pairing_wishes WHERE building_id = ?"
            " UNION ALL SELECT COALESCE(answered_at, suggested_at) FROM pairings"
            " WHERE building_id = ? AND status IN ('active', 'ended', 'asked_resident')) AS moments",
            (building_id, building_id, building_id),
        )
        return from_db(value) if value else None


async def _remember_decline(tx: Transaction, pairing: Pairing, now: datetime) -> None:
    if pairing.resident_id is None or pairing.helper_id is None:
        return
    low, high = pair_key(pairing.resident_id, pairing.helper_id)
    await tx.execute(
        "INSERT INTO pairing_declines (building_id, user_low, user_high, declined_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", (pairing.building_id, low, high, to_db(now)))


async def _cancel_in_flight(tx: Transaction, user_id: int, now: datetime,
                            building_id: int | None) -> None:
    sql = ("UPDATE pairings SET status = 'cancelled', ended_at = ?"
           f" WHERE status IN {IN_FLIGHT_SQL} AND (resident_id = ? OR helper_id = ?)")
    params: list[object] = [to_db(now), user_id, user_id]
    if building_id is not None:
        sql += " AND building_id = ?"
        params.append(building_id)
    await tx.execute(sql, params)
