"""Series of activities: the next date, stopping, the history that shows a series fading, and
a new host."""

from __future__ import annotations

from datetime import datetime

from bot.domain.activities import Activity
from bot.domain.activity_series import Series
from storage.activity_rows import activity_from_row, bump_card, series_from_row
from storage.db import Database, Transaction, to_db


class ActivitySeriesStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_occurrence(
        self, previous: Activity, series: Series, starts_at: datetime, ends_at: datetime | None,
        now: datetime,
    ) -> Activity:
        """The next date of a series; made once however often this is called."""
        occurrence = previous.occurrence + 1
        await self._db.execute(
            "INSERT INTO activities (building_id, series_id, occurrence, organiser_id, organiser_name,"
            " title, description, place, starts_at, ends_at, capacity, repeat, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (series_id, occurrence) DO NOTHING",
            (previous.building_id, series.id, occurrence, series.organiser_id, series.organiser_name,
             previous.title, previous.description, previous.place, to_db(starts_at),
             to_db(ends_at), previous.capacity, series.repeat.value, to_db(now), to_db(now)),
        )
        row = await self._db.fetch_one(
            "SELECT * FROM activities WHERE series_id = ? AND occurrence = ?", (series.id, occurrence)
        )
        assert row is not None
        return activity_from_row(row)

    async def series(self, series_id: int) -> Series | None:
        row = await self._db.fetch_one("SELECT * FROM activity_series WHERE id = ?", (series_id,))
        return None if row is None else series_from_row(row)

    async def stop_series(self, series_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE activity_series SET active = 0, stopped_at = ? WHERE id = ? AND active = 1",
            (to_db(now), series_id),
        )
        return changed > 0

    async def history(self, series_id: int) -> list[tuple[int, int]]:
        """(occurrence, people who came) of the series' held dates, oldest first: as they said
        afterwards, or as they had answered where nobody said yet."""
        rows = await self._db.fetch_all(
            "SELECT occurrence, COALESCE(came_confirmed, came_count) FROM activities"
            " WHERE series_id = ? AND status = 'ended' AND came_count IS NOT NULL"
            " ORDER BY occurrence",
            (series_id,),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def note_fade(self, series_id: int, occurrence: int) -> None:
        await self._db.execute(
            "UPDATE activity_series SET fade_noted_at = ? WHERE id = ?", (occurrence, series_id)
        )

    async def hand_over(self, series_id: int, user_id: int, name: str, now: datetime) -> list[int]:
        """A new host for the series and its coming dates; returns the dates whose card changes."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE activity_series SET organiser_id = ?, organiser_name = ? WHERE id = ?",
                (user_id, name, series_id),
            )
            rows = await tx.fetch_all(
                "SELECT id FROM activities WHERE series_id = ? AND status = 'open' AND starts_at > ?",
                (series_id, to_db(now)),
            )
            ids = [int(row[0]) for row in rows]
            for activity_id in ids:
                await _host(tx, activity_id, user_id, name, now)
        return ids

    async def hand_over_next(self, series_id: int, user_id: int, name: str,
                             now: datetime) -> list[int]:
        """A host for the next date of the series only; the series keeps its organiser."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT id FROM activities WHERE series_id = ? AND status = 'open' AND starts_at > ?"
                " ORDER BY starts_at LIMIT 1",
                (series_id, to_db(now)),
            )
            if row is None:
                return []
            await _host(tx, int(row[0]), user_id, name, now)
        return [int(row[0])]

    async def hand_over_activity(self, activity_id: int, user_id: int, name: str,
                                 now: datetime) -> list[int]:
        """A new host for one activity that has not begun."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT id FROM activities WHERE id = ? AND status = 'open' AND starts_at > ?",
                (activity_id, to_db(now)),
            )
            if row is None:
                return []
            await _host(tx, activity_id, user_id, name, now)
        return [activity_id]


async def _host(tx: Transaction, activity_id: int, user_id: int, name: str, now: datetime) -> None:
    await tx.execute(
        "UPDATE activities SET organiser_id = ?, organiser_name = ? WHERE id = ?",
        (user_id, name, activity_id),
    )
    await bump_card(tx, activity_id, now)
