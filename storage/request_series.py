"""Weekly needs: a series of requests, with the neighbour who helps each week, until stopped."""

from __future__ import annotations

from datetime import datetime

from bot.domain.requests import RequestSeries
from storage.db import Database, Row, from_db, to_db


def _series(row: Row) -> RequestSeries:
    created_at = from_db(row["created_at"])
    assert created_at is not None
    return RequestSeries(
        id=row["id"],
        building_id=row["building_id"],
        requester_id=row["requester_id"],
        standing_helper_id=row["standing_helper_id"],
        created_at=created_at,
        stopped_at=from_db(row["stopped_at"]),
    )


class RequestSeriesStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def series(self, series_id: int) -> RequestSeries | None:
        row = await self._db.fetch_one("SELECT * FROM request_series WHERE id = ?", (series_id,))
        return None if row is None else _series(row)

    async def set_standing_helper(self, series_id: int, helper_id: int) -> bool:
        changed = await self._db.execute(
            "UPDATE request_series SET standing_helper_id = ? WHERE id = ?"
            " AND standing_helper_id IS NULL AND stopped_at IS NULL",
            (helper_id, series_id),
        )
        return changed > 0

    async def drop_standing_helper(self, series_id: int, helper_id: int) -> bool:
        changed = await self._db.execute(
            "UPDATE request_series SET standing_helper_id = NULL WHERE id = ?"
            " AND standing_helper_id = ?",
            (series_id, helper_id),
        )
        return changed > 0

    async def stop_series(self, series_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE request_series SET stopped_at = ? WHERE id = ? AND stopped_at IS NULL",
            (to_db(now), series_id),
        )
        return changed > 0

    async def series_of(self, user_id: int) -> list[RequestSeries]:
        rows = await self._db.fetch_all(
            "SELECT * FROM request_series WHERE requester_id = ? OR standing_helper_id = ?"
            " ORDER BY id",
            (user_id, user_id),
        )
        return [_series(row) for row in rows]
