"""Buildings, residents and memberships."""

from __future__ import annotations

from datetime import datetime, time

from bot.domain.community import (
    Building,
    BuildingSettings,
    Membership,
    MemberStatus,
    Resident,
    valid_username,
)
from bot.domain.quiet_hours import QuietHours
from bot.domain.text import display_name
from storage.db import Database, Row, from_db, to_db

MESSAGE_IDS = (
    ("requests", "card_message_id"),
    ("activities", "message_id"),
    ("activity_host_offers", "message_id"),
    ("ideas", "message_id"),
)
"""(table, column) of every message id kept of a building's group messages: the cards."""


def _building(row: Row) -> Building:
    return Building(
        chat_id=row["chat_id"],
        title=row["title"],
        language=row["language"],
        active=bool(row["active"]),
        added_at=from_db(row["added_at"]),
        removed_at=from_db(row["removed_at"]),
        settings=BuildingSettings(
            quiet_hours=QuietHours(
                start=time.fromisoformat(row["quiet_start"]),
                end=time.fromisoformat(row["quiet_end"]),
            ),
            bump_hours_before=row["bump_hours_before"],
            max_open_requests=row["max_open_requests"],
            digest_enabled=bool(row["digest_enabled"]),
            digest_weekday=row["digest_weekday"],
            digest_hour=row["digest_hour"],
            nudges_enabled=bool(row["nudges_enabled"]),
            nudge_after_days=row["nudge_after_days"],
            care_contact=row["care_contact"],
        ),
    )


def _resident(row: Row) -> Resident:
    return Resident(
        user_id=row["user_id"],
        first_name=row["first_name"],
        telegram_language=row["telegram_language"],
        language=row["language"],
        started_at=from_db(row["started_at"]),
        blocked=bool(row["blocked"]),
        created_at=from_db(row["created_at"]),
        last_seen_at=from_db(row["last_seen_at"]),
        username=row["username"],
    )


def _membership(row: Row) -> Membership:
    return Membership(
        building_id=row["building_id"],
        user_id=row["user_id"],
        status=MemberStatus(row["status"]),
        joined_at=from_db(row["joined_at"]),
        updated_at=from_db(row["updated_at"]),
        confirmed_at=from_db(row["confirmed_at"]),
    )


class BuildingStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def activate(self, chat_id: int, title: str, language: str, now: datetime) -> Building:
        """Register the group, or wake it up again when the bot is re-added. The title is kept
        as it will be shown (see `display_name`)."""
        await self._db.execute(
            "INSERT INTO buildings (chat_id, title, language, active, added_at)"
            " VALUES (?, ?, ?, 1, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title, active = 1,"
            " removed_at = NULL",
            (chat_id, display_name(title), language, to_db(now)),
        )
        building = await self.get(chat_id)
        assert building is not None
        return building

    async def deactivate(self, chat_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE buildings SET active = 0, removed_at = ? WHERE chat_id = ? AND active = 1",
            (to_db(now), chat_id),
        )
        return changed > 0

    async def get(self, chat_id: int) -> Building | None:
        row = await self._db.fetch_one("SELECT * FROM buildings WHERE chat_id = ?", (chat_id,))
        return None if row is None else _building(row)

    async def active(self) -> list[Building]:
        rows = await self._db.fetch_all("SELECT * FROM buildings WHERE active = 1 ORDER BY chat_id")
        return [_building(row) for row in rows]

    async def set_language(self, chat_id: int, language: str) -> None:
        await self._db.execute(
            "UPDATE buildings SET language = ? WHERE chat_id = ?", (language, chat_id)
        )

    async def save_settings(self, chat_id: int, settings: BuildingSettings) -> None:
        await self._db.execute(
            "UPDATE buildings SET quiet_start = ?, quiet_end = ?, bump_hours_before = ?,"
            " max_open_requests = ?, digest_enabled = ?, digest_weekday = ?, digest_hour = ?,"
            " nudges_enabled = ?, nudge_after_days = ?, care_contact = ? WHERE chat_id = ?",
            (
                settings.quiet_hours.start.strftime("%H:%M"),
                settings.quiet_hours.end.strftime("%H:%M"),
                settings.bump_hours_before,
                settings.max_open_requests,
                int(settings.digest_enabled),
                settings.digest_weekday,
                settings.digest_hour,
                int(settings.nudges_enabled),
                settings.nudge_after_days,
                settings.care_contact,
                chat_id,
            ),
        )

    async def move(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: everything of the building follows it, in one step.

        Rows keyed by the building follow by ON UPDATE CASCADE; schedule refs that name the group
        by its id are renamed (a digest or nudge planned under the old id must still count as
        that day's one). A message id is a number within one chat, so none from the old chat is
        kept: those messages can no longer be changed, and the same number names another message
        in the supergroup. The cards that lose their message are posted anew by their features
        (`Services.run_move_hooks`); a pending /wisgroep confirmation, a message in the old chat,
        is dropped. Idempotent: Telegram sends the news to both the old and the new chat.
        """
        async with self._db.transaction() as tx:
            # Locked: the news in the other chat, handled at the same time, waits for this move
            # and then finds the building gone.
            old = await tx.fetch_value(
                "SELECT 1 FROM buildings WHERE chat_id = ?" + self._db.sql.for_update, (old_chat_id,)
            )
            if old is None:
                return False
            new = await tx.fetch_value("SELECT 1 FROM buildings WHERE chat_id = ?", (new_chat_id,))
            if new is not None:
                await tx.execute("DELETE FROM buildings WHERE chat_id = ?", (new_chat_id,))
            await tx.execute(
                "UPDATE buildings SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )
            for table, column in MESSAGE_IDS:
                await tx.execute(
                    f"UPDATE {table} SET {column} = NULL WHERE building_id = ?", (new_chat_id,)
                )
            await tx.execute("DELETE FROM group_erasures WHERE building_id = ?", (new_chat_id,))
            # The ref with the old chat id swapped for the new one; a row whose new ref is
            # taken already stays as it is (the new group's own item wins).
            old, new = f":{old_chat_id}:", f":{new_chat_id}:"
            moved = ("substr(replace(':' || schedule.ref || ':', ?, ?), 2,"
                     " length(replace(':' || schedule.ref || ':', ?, ?)) - 2)")
            found = self._db.sql.position("?", "':' || schedule.ref || ':'")
            await tx.execute(
                f"UPDATE schedule SET ref = {moved} WHERE building_id = ? AND {found} > 0"
                f" AND NOT EXISTS (SELECT 1 FROM schedule AS taken WHERE taken.kind = schedule.kind"
                f" AND taken.ref = {moved})",
                (old, new, old, new, new_chat_id, old, old, new, old, new),
            )
        return True


class ResidentStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def seen(
        self, user_id: int, first_name: str, telegram_language: str | None, now: datetime,
        username: str | None = None,
    ) -> Resident:
        """Record that we met this person now; keeps name, username and Telegram language up to
        date. The name is kept as it will be shown (see `display_name`); a username is only
        ever the current one (an old one may belong to someone else by now)."""
        await self._db.execute(
            "INSERT INTO residents (user_id, first_name, telegram_language, created_at,"
            " last_seen_at, username) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,"
            " telegram_language = COALESCE(excluded.telegram_language, residents.telegram_language),"
            " last_seen_at = excluded.last_seen_at, username = excluded.username",
            (user_id, display_name(first_name), telegram_language, to_db(now), to_db(now),
             valid_username(username)),
        )
        resident = await self.get(user_id)
        assert resident is not None
        return resident

    async def get(self, user_id: int) -> Resident | None:
        row = await self._db.fetch_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        return None if row is None else _resident(row)

    async def mark_started(self, user_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE residents SET started_at = COALESCE(started_at, ?), blocked = 0"
            " WHERE user_id = ?",
            (to_db(now), user_id),
        )

    async def mark_unreachable(self, user_id: int) -> None:
        """Telegram said 403: the resident never opened the bot, or blocked it."""
        await self._db.execute(
            "UPDATE residents SET started_at = NULL WHERE user_id = ?", (user_id,)
        )

    async def set_language(self, user_id: int, language: str) -> None:
        await self._db.execute(
            "UPDATE residents SET language = ? WHERE user_id = ?", (language, user_id)
        )


class MembershipStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_status(
        self, building_id: int, user_id: int, status: MemberStatus, now: datetime
    ) -> None:
        """What Telegram just told: also the moment it was last confirmed."""
        await self._db.execute(
            "INSERT INTO memberships"
            " (building_id, user_id, status, joined_at, updated_at, confirmed_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (building_id, user_id) DO UPDATE SET status = excluded.status,"
            " updated_at = excluded.updated_at, confirmed_at = excluded.confirmed_at,"
            " joined_at = CASE WHEN memberships.status = 'left' AND excluded.status != 'left'"
            " THEN excluded.joined_at ELSE memberships.joined_at END",
            (building_id, user_id, status.value, to_db(now), to_db(now), to_db(now)),
        )

    async def confirm(self, building_id: int, user_id: int, now: datetime) -> None:
        """Telegram showed this person where the record says they are (they wrote in the group)."""
        await self._db.execute(
            "UPDATE memberships SET confirmed_at = ? WHERE building_id = ? AND user_id = ?",
            (to_db(now), building_id, user_id),
        )

    async def unconfirm_all(self, building_id: int) -> int:
        """The bot was away from the group: whatever happened meanwhile was not seen, so every
        record there is asked of Telegram again before it counts."""
        return await self._db.execute(
            "UPDATE memberships SET confirmed_at = NULL WHERE building_id = ?", (building_id,)
        )

    async def get(self, building_id: int, user_id: int) -> Membership | None:
        row = await self._db.fetch_one(
            "SELECT * FROM memberships WHERE building_id = ? AND user_id = ?",
            (building_id, user_id),
        )
        return None if row is None else _membership(row)

    async def buildings_of(self, user_id: int) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT m.building_id FROM memberships m JOIN buildings b ON b.chat_id = m.building_id"
            " WHERE m.user_id = ? AND m.status != 'left' AND b.active = 1 ORDER BY m.joined_at",
            (user_id,),
        )
        return [int(row[0]) for row in rows]

    async def count_current(self, building_id: int) -> int:
        value = await self._db.fetch_value(
            "SELECT COUNT(*) FROM memberships WHERE building_id = ? AND status != 'left'",
            (building_id,),
        )
        return int(value or 0)
