"""Anonymous figures: read-only counts over the other features' tables.

The counting queries only read; they return counts and durations, never an id, a text or a trait
of a resident. The figures of a closed period are stored the first time they are asked for, so
the same week always shows the same figures, whatever happens later (a helper who withdraws, a
resident forgotten). Who may see them is kept in `storage.insight_workers`.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.pairing import LAST_ROUND, LASTING
from bot.domain.periods import Period, PeriodKind, weeks_of
from bot.domain.raw_figures import RawFigures, lasting_helpers, month_figures
from storage.db import Database, from_db, to_db

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
MEMBERS_AT_END = """
    SELECT user_id FROM memberships WHERE building_id = :b AND joined_at < :e
       AND (status != 'left' OR updated_at >= :e)
"""
"""Members of the group at the period's end, as far as the bot knows them."""


class InsightStore:
    """Read-only counts for the anonymous figures, and the stored figures of closed periods."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def residents_ever(self, building_id: int) -> int:
        value = await self._db.fetch_value(
            f"SELECT COUNT(*) FROM ({USERS_EVER}) AS ever WHERE user_id IS NOT NULL", {"b": building_id}
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
                "INSERT INTO insight_snapshots (building_id, period, starts_at, figures,"
                " computed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
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
            f" COUNT(CASE WHEN {HELPED} AND claimed_at < :e THEN 1 END) AS helped,"
            " COUNT(CASE WHEN status = 'expired' AND expired_at < :e THEN 1 END) AS expired,"
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
        group = await self._db.fetch_one(
            f"SELECT (SELECT COUNT(*) FROM ({MEMBERS_AT_END}) AS at_end) AS members,"
            f" (SELECT COUNT(*) FROM ({USERS_IN_PERIOD}) AS active"
            f" WHERE user_id IN ({MEMBERS_AT_END}))"
            " AS participants",
            p,
        )
        assert group is not None
        first_help = {int(r["helper_id"]): _moment(r["first"]) for r in firsts}
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
            lasting_helpers=lasting_helpers(
                first_help, ((int(r["helper_id"]), _moment(r["claimed_at"])) for r in helps)
            ),
            participants=int(group["participants"]),
            members=int(group["members"]),
            pairs_new=pairs[0],
            pairs_lasting=pairs[1],
            pairs_third_cup=pairs[2],
            activities_held=int(life["held"]),
            rsvps=int(life["rsvps"]),
            came=int(life["came"]),
            ideas=int(life["ideas"]),
            ideas_converted=int(life["converted"]),
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

