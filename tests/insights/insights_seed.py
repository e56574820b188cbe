"""Test helper: put a building's life straight into the database (residents, requests,
activities, RSVPs, ideas, pairs), as the features' own stores would leave it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storage.db import Database, Transaction, to_db


@dataclass
class Resident:
    user_id: int
    name: str
    telegram_language: str = "nl"


@dataclass
class Request:
    requester: int
    created_at: datetime
    kind: str = "groceries"
    text: str = "boodschappen"
    helper: int | None = None
    claimed_after: timedelta = timedelta(hours=1)
    status: str = "open"  # open, claimed, done, expired, cancelled
    expired_after: timedelta = timedelta(days=1)


@dataclass
class Activity:
    organiser: int
    organiser_name: str
    title: str
    starts_at: datetime
    going: list[int] = field(default_factory=list)
    place: str = ""
    description: str = ""


@dataclass
class Idea:
    proposer: int
    proposer_name: str
    text: str
    created_at: datetime
    joiners: list[int] = field(default_factory=list)


@dataclass
class Pair:
    resident: int
    helper: int
    paired_at: datetime
    stage: int = 1
    ended_at: datetime | None = None


@dataclass
class Life:
    residents: list[Resident] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    ideas: list[Idea] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)


async def ensure_building(db: Database, building_id: int, title: str, now: datetime) -> None:
    await db.execute(
        "INSERT INTO buildings (chat_id, title, language, active, added_at)"
        " VALUES (?, ?, 'nl', 1, ?) ON CONFLICT DO NOTHING",
        (building_id, title, to_db(now)),
    )


async def seed(db: Database, building_id: int, life: Life, now: datetime) -> None:
    async with db.transaction() as tx:
        await _seed(tx, building_id, life, now)


async def _seed(db: Transaction, building_id: int, life: Life, now: datetime) -> None:
    for r in life.residents:
        await db.execute(
            "INSERT INTO residents (user_id, first_name, telegram_language, created_at,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (r.user_id, r.name, r.telegram_language, to_db(now), to_db(now)),
        )
        await db.execute(
            "INSERT INTO memberships (building_id, user_id, status, joined_at, updated_at)"
            " VALUES (?, ?, 'member', ?, ?) ON CONFLICT DO NOTHING",
            (building_id, r.user_id, to_db(now), to_db(now)),
        )
    for q in life.requests:
        claimed = q.status in ("claimed", "done") and q.helper is not None
        claimed_at = q.created_at + q.claimed_after if claimed else None
        expired_at = q.created_at + q.expired_after if q.status == "expired" else None
        await db.insert(
            "INSERT INTO requests (building_id, requester_id, helper_id, kind, description, when_kind,"
            " due_at, status, contact, created_at, claimed_at, expired_at, done_at)"
            " VALUES (?, ?, ?, ?, ?, 'day', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (building_id, q.requester, q.helper if claimed else None, q.kind, q.text,
             to_db(q.created_at + timedelta(days=1)), q.status, f"contact {q.text}",
             to_db(q.created_at), to_db(claimed_at), to_db(expired_at),
             to_db(claimed_at + timedelta(hours=2)) if claimed_at and q.status == "done" else None),
        )
    for a in life.activities:
        activity_id = await db.insert(
            "INSERT INTO activities (building_id, organiser_id, organiser_name, title, description,"
            " place, starts_at, status, came_count, rsvp_count, created_at, updated_at, ended_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'ended', ?, ?, ?, ?, ?) RETURNING id",
            (building_id, a.organiser, a.organiser_name, a.title, a.description, a.place,
             to_db(a.starts_at), len(a.going), len(a.going), to_db(a.starts_at - timedelta(days=2)),
             to_db(a.starts_at), to_db(a.starts_at + timedelta(hours=2))),
        )
        for user_id in a.going:
            moment = to_db(a.starts_at - timedelta(days=1))
            await db.execute(
                "INSERT INTO activity_rsvps (activity_id, building_id, user_id, status, first_at,"
                " responded_at) VALUES (?, ?, ?, 'going', ?, ?)",
                (activity_id, building_id, user_id, moment, moment),
            )
    for i in life.ideas:
        idea_id = await db.insert(
            "INSERT INTO ideas (building_id, proposer_id, proposer_name, text, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (building_id, i.proposer, i.proposer_name, i.text, to_db(i.created_at)),
        )
        for user_id in i.joiners:
            await db.execute(
                "INSERT INTO idea_joins (idea_id, building_id, user_id, joined_at) VALUES (?, ?, ?, ?)",
                (idea_id, building_id, user_id, to_db(i.created_at + timedelta(hours=3))),
            )
    for p in life.pairs:
        await db.execute(
            "INSERT INTO pairings (building_id, resident_id, helper_id, kind, status, stage,"
            " suggested_at, answered_at, paired_at, ended_at)"
            " VALUES (?, ?, ?, 'company', ?, ?, ?, ?, ?, ?)",
            (building_id, p.resident, p.helper, "ended" if p.ended_at else "active", p.stage,
             to_db(p.paired_at - timedelta(days=1)), to_db(p.paired_at), to_db(p.paired_at),
             to_db(p.ended_at)),
        )


def busy_week(first_id: int, start: datetime, *, residents: int = 12) -> Life:
    """A building where `residents` neighbours asked and helped each other in the week from
    `start`: enough to show figures."""
    people = [Resident(first_id + n, f"Buur{n}", ("nl", "tr", "pl")[n % 3]) for n in range(residents)]
    requests = [
        Request(requester=people[n].user_id, created_at=start + timedelta(hours=10 + 7 * n),
                kind=("groceries", "transport")[n % 2], helper=people[(n + 1) % residents].user_id,
                status="done" if n % 4 else "expired")
        for n in range(residents)
    ]
    return Life(residents=people, requests=requests)
