"""Anonymous figures (read-only counts over the other features' tables) and the group's consent.

The counting queries only read; they return counts and durations, never an id or a text. The
figures of a closed period are stored the first time they are asked for, so the same week always
shows the same figures, whatever happens later (a helper who withdraws, a resident forgotten).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.domain.pairing import LAST_ROUND, LASTING
from bot.domain.periods import Period, PeriodKind, weeks_of
from bot.domain.privacy import erased_stand_in
from bot.domain.raw_figures import RawFigures, language_code, month_figures, returning_helpers
from storage.db import Database, Row, from_db, to_db

HELPED = "status IN ('claimed', 'done')"

USERS_EVER = """
    SELECT requester_id AS user_id FROM requests WHERE building_id = :b
    UNION SELECT helper_id FROM requests WHERE building_id = :b AND claimed_at IS NOT NULL
    UNION SELECT user_id FROM activity_rsvps WHERE building_id = :b
    UNION SELECT organiser_id FROM activities WHERE building_id = :b
    UNION SELECT proposer_id FROM ideas WHERE building_id = :b
    UNION SELECT user_id FROM idea_joins WHERE building_id = :b
    UNION SELECT user_id FROM pairing_offers WHERE building_id = :b
    UNION SELECT user_id FROM pairing_wishes WHERE building_id = :b
    UNION SELECT resident_id FROM pairings WHERE building_id = :b AND paired_at IS NOT NULL
    UNION SELECT helper_id FROM pairings WHERE building_id = :b AND paired_at IS NOT NULL
"""
"""Everyone who ever asked, helped, answered, organised, proposed, joined, offered or paired."""

USERS_IN_PERIOD = f"""
    SELECT requester_id AS user_id FROM requests
     WHERE building_id = :b AND created_at >= :s AND created_at < :e
    UNION SELECT helper_id FROM requests
     WHERE building_id = :b AND {HELPED} AND claimed_at >= :s AND claimed_at < :e
    UNION SELECT user_id FROM activity_rsvps
     WHERE building_id = :b AND responded_at >= :s AND responded_at < :e
    UNION SELECT organiser_id FROM activities
     WHERE building_id = :b AND created_at >= :s AND created_at < :e
    UNION SELECT proposer_id FROM ideas WHERE building_id = :b AND created_at >= :s AND created_at < :e
    UNION SELECT user_id FROM idea_joins WHERE building_id = :b AND joined_at >= :s AND joined_at < :e
    UNION SELECT resident_id FROM pairings
     WHERE building_id = :b AND paired_at >= :s AND paired_at < :e
    UNION SELECT helper_id FROM pairings
     WHERE building_id = :b AND paired_at >= :s AND paired_at < :e
"""


class Consent(BaseModel):
    """A community worker the group lets see its figures."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    worker_id: int
    name: str
    organisation: str
    started_at: datetime
    stopped_at: datetime | None


class WorkerDraft(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: int
    building_id: int
    step: str
    name: str
    started_at: datetime


def _consent(row: Row) -> Consent:
    started = from_db(row["started_at"])
    assert started is not None
    return Consent(id=row["id"], building_id=row["building_id"], worker_id=row["worker_id"],
                   name=row["name"], organisation=row["organisation"], started_at=started,
                   stopped_at=from_db(row["stopped_at"]))


class WorkerStore:
    """Who may see a group's figures, and the flow in which a worker says who they are."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def start_draft(self, user_id: int, building_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO worker_drafts (user_id, building_id, step, name, started_at)"
            " VALUES (?, ?, 'name', '', ?)",
            (user_id, building_id, to_db(now)),
        )

    async def draft(self, user_id: int) -> WorkerDraft | None:
        row = await self._db.fetch_one("SELECT * FROM worker_drafts WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        started = from_db(row["started_at"])
        assert started is not None
        return WorkerDraft(user_id=row["user_id"], building_id=row["building_id"], step=row["step"],
                           name=row["name"], started_at=started)

    async def set_draft_name(self, user_id: int, name: str) -> bool:
        return await self._db.execute(
            "UPDATE worker_drafts SET name = ?, step = 'organisation' WHERE user_id = ? AND step = 'name'",
            (name, user_id),
        ) > 0

    async def drop_draft(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM worker_drafts WHERE user_id = ?", (user_id,)) > 0

    async def finish(self, user_id: int, organisation: str, now: datetime) -> Consent | None:
        """The draft becomes consent (or refreshes the worker's name where it already was), once."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT * FROM worker_drafts WHERE user_id = ? AND step = 'organisation'", (user_id,)
            )
            if row is None:
                return None
            await tx.execute("DELETE FROM worker_drafts WHERE user_id = ?", (user_id,))
            building_id, name = row["building_id"], row["name"]
            existing = await tx.fetch_value(
                "SELECT id FROM worker_consents WHERE building_id = ? AND worker_id = ?"
                " AND stopped_at IS NULL",
                (building_id, user_id),
            )
            if existing is not None:
                await tx.execute(
                    "UPDATE worker_consents SET name = ?, organisation = ? WHERE id = ?",
                    (name, organisation, existing),
                )
                consent_id = int(existing)
            else:
                consent_id = await tx.insert(
                    "INSERT INTO worker_consents (building_id, worker_id, name, organisation,"
                    " started_at) VALUES (?, ?, ?, ?, ?)",
                    (building_id, user_id, name, organisation, to_db(now)),
                )
        return await self.get(consent_id)

    async def get(self, consent_id: int) -> Consent | None:
        row = await self._db.fetch_one("SELECT * FROM worker_consents WHERE id = ?", (consent_id,))
        return None if row is None else _consent(row)

    async def active_in(self, building_id: int) -> list[Consent]:
        rows = await self._db.fetch_all(
            "SELECT * FROM worker_consents WHERE building_id = ? AND stopped_at IS NULL ORDER BY id",
            (building_id,),
        )
        return [_consent(row) for row in rows]

    async def active_of(self, worker_id: int) -> list[Consent]:
        """The buildings this worker may see now (the group still has the bot)."""
        rows = await self._db.fetch_all(
            "SELECT c.* FROM worker_consents c JOIN buildings b ON b.chat_id = c.building_id"
            " WHERE c.worker_id = ? AND c.stopped_at IS NULL AND b.active = 1 ORDER BY c.id",
            (worker_id,),
        )
        return [_consent(row) for row in rows]

    async def stop(self, consent_id: int, building_id: int, now: datetime) -> bool:
        """Only the first stop counts; a stop from another group's chat changes nothing."""
        return await self._db.execute(
            "UPDATE worker_consents SET stopped_at = ? WHERE id = ? AND building_id = ?"
            " AND stopped_at IS NULL",
            (to_db(now), consent_id, building_id),
        ) > 0

    async def export(self, user_id: int) -> dict[str, Any]:
        rows = await self._db.fetch_all(
            "SELECT c.name, c.organisation, c.started_at, c.stopped_at, b.title FROM worker_consents c"
            " JOIN buildings b ON b.chat_id = c.building_id WHERE c.worker_id = ? ORDER BY c.id",
            (user_id,),
        )
        draft = await self.draft(user_id)
        return {
            "figures_shared_with_you": [
                {"group": row["title"], "name": row["name"], "organisation": row["organisation"],
                 "since": row["started_at"], "stopped": row["stopped_at"]}
                for row in rows
            ],
            "invitation_in_progress": None if draft is None else {"name": draft.name},
        }

    async def forget(self, user_id: int, now: datetime) -> list[Consent]:
        """Stop every consent of this worker and erase their name, organisation and id
        everywhere. Returns the consents that were still active (their groups are told)."""
        active = await self.active_of(user_id)
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE worker_consents SET stopped_at = COALESCE(stopped_at, ?), name = '',"
                " organisation = '', worker_id = ? WHERE worker_id = ?",
                (to_db(now), erased_stand_in(), user_id),
            )
            await tx.execute("DELETE FROM worker_drafts WHERE user_id = ?", (user_id,))
        return active

    async def expire(self, before: datetime) -> int:
        """Names of stopped consents and forgotten drafts go after the retention period."""
        erased = await self._db.execute(
            "UPDATE worker_consents SET name = '', organisation = ''"
            " WHERE stopped_at IS NOT NULL AND stopped_at < ? AND (name != '' OR organisation != '')",
            (to_db(before),),
        )
        return erased + await self._db.execute(
            "DELETE FROM worker_drafts WHERE started_at < ?", (to_db(before),)
        )


class InsightStore:
    """Read-only counts for the anonymous figures, and the stored figures of closed periods."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def residents_ever(self, building_id: int) -> int:
        value = await self._db.fetch_value(
            f"SELECT COUNT(*) FROM ({USERS_EVER}) WHERE user_id IS NOT NULL", {"b": building_id}
        )
        return int(value or 0)

    async def figures(self, building_id: int, period: Period, now: datetime) -> RawFigures:
        """The figures of a closed period: stored the first time, the same ever after. A month's
        counts of things are the sum of its weeks' stored figures, so it always adds up to them."""
        if period.end > now:
            raise ValueError("only closed periods have figures")
        key = (building_id, period.kind.value, to_db(period.start))
        stored = await self._snapshot(key)
        if stored is None:
            counted = await self.count(building_id, period.start, period.end)
            await self._db.execute(
                "INSERT OR IGNORE INTO insight_snapshots (building_id, period, starts_at, figures,"
                " computed_at) VALUES (?, ?, ?, ?, ?)",
                (*key, counted.model_dump_json(), to_db(now)),
            )
            stored = await self._snapshot(key) or counted.model_dump_json()
        figures = RawFigures.model_validate_json(stored)
        if period.kind is PeriodKind.WEEK:
            return figures
        weeks = [await self.figures(building_id, week, now) for week in weeks_of(period)]
        return month_figures(figures, weeks)

    async def _snapshot(self, key: tuple[int, str, str | None]) -> str | None:
        stored = await self._db.fetch_value(
            "SELECT figures FROM insight_snapshots WHERE building_id = ? AND period = ?"
            " AND starts_at = ?",
            key,
        )
        return None if stored is None else str(stored)

    async def count(self, building_id: int, start: datetime, end: datetime) -> RawFigures:
        """Count what happened in [start, end); requests are judged as they stood at `end`."""
        p = {"b": building_id, "s": to_db(start), "e": to_db(end)}
        in_period = "building_id = :b AND created_at >= :s AND created_at < :e"
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS asked,"
            f" COALESCE(SUM({HELPED} AND claimed_at < :e), 0) AS helped,"
            " COALESCE(SUM(status = 'expired' AND expired_at < :e), 0) AS expired,"
            " COUNT(DISTINCT requester_id) AS askers"
            f" FROM requests WHERE {in_period}",
            p,
        )
        assert row is not None
        kinds = await self._db.fetch_all(
            f"SELECT kind, COUNT(*) AS n FROM requests WHERE {in_period} GROUP BY kind", p
        )
        waits = await self._db.fetch_all(
            f"SELECT created_at, claimed_at FROM requests WHERE {in_period} AND {HELPED}"
            " AND claimed_at < :e",
            p,
        )
        helps = await self._db.fetch_all(
            f"SELECT helper_id, claimed_at FROM requests WHERE building_id = :b AND {HELPED}"
            " AND helper_id IS NOT NULL AND claimed_at >= :s AND claimed_at < :e",
            p,
        )
        firsts = await self._db.fetch_all(
            f"SELECT helper_id, MIN(claimed_at) AS first FROM requests WHERE building_id = :b"
            f" AND {HELPED} AND helper_id IS NOT NULL AND claimed_at IS NOT NULL GROUP BY helper_id",
            p,
        )
        life = await self._db.fetch_one(
            "SELECT"
            " (SELECT COUNT(*) FROM activities WHERE building_id = :b AND status = 'ended'"
            "  AND starts_at >= :s AND starts_at < :e) AS held,"
            " (SELECT COALESCE(SUM(came_count), 0) FROM activities WHERE building_id = :b"
            "  AND status = 'ended' AND starts_at >= :s AND starts_at < :e) AS came,"
            " (SELECT COUNT(*) FROM activity_rsvps WHERE building_id = :b AND status != 'no'"
            "  AND first_at >= :s AND first_at < :e) AS rsvps,"
            " (SELECT COUNT(*) FROM ideas WHERE building_id = :b AND created_at >= :s"
            "  AND created_at < :e) AS ideas,"
            " (SELECT COUNT(*) FROM ideas WHERE building_id = :b AND converted_at >= :s"
            "  AND converted_at < :e) AS converted",
            p,
        )
        assert life is not None
        pairs = await self._pairs(building_id, start, end)
        languages = await self._db.fetch_all(
            f"SELECT r.telegram_language, r.language FROM ({USERS_IN_PERIOD}) u"
            " JOIN residents r ON r.user_id = u.user_id",
            p,
        )
        first_help = {int(r["helper_id"]): _moment(r["first"]) for r in firsts}
        by_language: dict[str, int] = {}
        for resident in languages:
            code = language_code(resident["telegram_language"], resident["language"])
            by_language[code] = by_language.get(code, 0) + 1
        return RawFigures(
            asked=int(row["asked"]),
            helped=int(row["helped"]),
            expired=int(row["expired"]),
            by_kind={str(r["kind"]): int(r["n"]) for r in kinds},
            wait_minutes=sorted(
                max(0, round((_moment(r["claimed_at"]) - _moment(r["created_at"])).total_seconds() / 60))
                for r in waits
            ),
            askers=int(row["askers"]),
            helpers=len({int(r["helper_id"]) for r in helps}),
            returning_helpers=returning_helpers(
                first_help, ((int(r["helper_id"]), _moment(r["claimed_at"])) for r in helps)
            ),
            pairs_new=pairs[0],
            pairs_lasting=pairs[1],
            pairs_third_cup=pairs[2],
            activities_held=int(life["held"]),
            rsvps=int(life["rsvps"]),
            came=int(life["came"]),
            ideas=int(life["ideas"]),
            ideas_converted=int(life["converted"]),
            languages=by_language,
        )

    async def _pairs(self, building_id: int, start: datetime, end: datetime) -> tuple[int, int, int]:
        """New pairs; and of the pairs whose three months were up in this period, how many still
        went on then and how many had had the third cup of tea."""
        new = await self._db.fetch_value(
            "SELECT COUNT(*) FROM pairings WHERE building_id = ? AND paired_at >= ? AND paired_at < ?",
            (building_id, to_db(start), to_db(end)),
        )
        cohort = await self._db.fetch_all(
            "SELECT paired_at, ended_at, stage FROM pairings WHERE building_id = ?"
            " AND paired_at >= ? AND paired_at < ?",
            (building_id, to_db(start - LASTING), to_db(end - LASTING)),
        )
        lasting = third = 0
        for row in cohort:
            mark = _moment(row["paired_at"]) + LASTING
            ended = from_db(row["ended_at"])
            lasting += ended is None or ended >= mark
            third += int(row["stage"]) >= LAST_ROUND
        return int(new or 0), lasting, third


def _moment(text: str) -> datetime:
    moment = from_db(text)
    assert moment is not None
    return moment

