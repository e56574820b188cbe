"""Activity rows as domain models, and the card's version: shared by the activity stores."""

from __future__ import annotations

from datetime import datetime

from bot.domain.activities import Activity, ActivityStatus
from bot.domain.activity_series import Repeat, Series
from storage.db import Row, Transaction, from_db, to_db


def activity_from_row(row: Row) -> Activity:
    return Activity(
        id=row["id"],
        building_id=row["building_id"],
        series_id=row["series_id"],
        occurrence=row["occurrence"],
        organiser_id=row["organiser_id"],
        organiser_name=row["organiser_name"],
        title=row["title"],
        description=row["description"],
        place=row["place"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        capacity=row["capacity"],
        repeat=Repeat(row["repeat"]),
        status=ActivityStatus(row["status"]),
        message_id=row["message_id"],
        card_version=row["card_version"],
        card_shown=row["card_shown"],
        came_count=row["came_count"],
        came_confirmed=row["came_confirmed"],
        last_change=row["last_change"],
        idea_id=row["idea_id"],
        created_at=from_db(row["created_at"]),
        removed_at=from_db(row["removed_at"]),
    )


def series_from_row(row: Row) -> Series:
    return Series(
        id=row["id"],
        building_id=row["building_id"],
        organiser_id=row["organiser_id"],
        organiser_name=row["organiser_name"],
        repeat=Repeat(row["repeat"]),
        active=bool(row["active"]),
        fade_noted_at=row["fade_noted_at"],
    )


async def bump_card(tx: Transaction, activity_id: int, now: datetime) -> None:
    """The card shows something new: a newer version than the group message shows."""
    await tx.execute(
        "UPDATE activities SET card_version = card_version + 1, updated_at = ? WHERE id = ?",
        (to_db(now), activity_id),
    )
