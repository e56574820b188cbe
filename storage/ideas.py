"""Ideas, who joined them, and the one-line draft of a resident typing an idea."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.domain.ideas import Idea, IdeaStatus, JoinOutcome, decide_join, reached
from storage.db import Database, Row, from_db, to_db

_SELECT = (
    "SELECT i.*, (SELECT COUNT(*) FROM idea_joins j WHERE j.idea_id = i.id) AS joined FROM ideas i"
)


def _idea(row: Row) -> Idea:
    return Idea(
        id=row["id"],
        building_id=row["building_id"],
        proposer_id=row["proposer_id"],
        proposer_name=row["proposer_name"],
        text=row["text"],
        message_id=row["message_id"],
        status=IdeaStatus(row["status"]),
        joined=row["joined"],
        activity_id=row["activity_id"],
        card_version=row["card_version"],
        card_shown=row["card_shown"],
        created_at=from_db(row["created_at"]),
        ready_at=from_db(row["ready_at"]),
        converted_at=from_db(row["converted_at"]),
        removed_at=from_db(row["removed_at"]),
    )


class JoinResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    idea: Idea
    outcome: JoinOutcome
    became_ready: bool = False
    """True for exactly one press: the one that brought the idea to enough neighbours."""


class IdeaStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, building_id: int, proposer_id: int, proposer_name: str, text: str, now: datetime
    ) -> Idea:
        idea_id = await self._db.insert(
            "INSERT INTO ideas (building_id, proposer_id, proposer_name, text, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (building_id, proposer_id, proposer_name, text, to_db(now)),
        )
        await self._db.execute("DELETE FROM idea_drafts WHERE user_id = ?", (proposer_id,))
        idea = await self.get(idea_id)
        assert idea is not None
        return idea

    async def get(self, idea_id: int) -> Idea | None:
        row = await self._db.fetch_one(_SELECT + " WHERE i.id = ?", (idea_id,))
        return None if row is None else _idea(row)

    async def set_message(self, idea_id: int, message_id: int, version: int) -> None:
        await self._db.execute(
            "UPDATE ideas SET message_id = ?,"
            " card_shown = CASE WHEN card_shown > ? THEN card_shown ELSE ? END WHERE id = ?",
            (message_id, version, version, idea_id),
        )

    async def open_without_card(self, building_id: int) -> list[Idea]:
        """Open ideas of the building whose card has no message: after the group became a
        supergroup, these go up there anew."""
        rows = await self._db.fetch_all(
            _SELECT + " WHERE i.building_id = ? AND i.message_id IS NULL AND i.status = 'open'"
            " AND i.removed_at IS NULL ORDER BY i.id",
            (building_id,),
        )
        return [_idea(row) for row in rows]

    async def mark_shown(self, idea_id: int, version: int) -> None:
        await self._db.execute(
            "UPDATE ideas SET card_shown = CASE WHEN card_shown > ? THEN card_shown ELSE ? END"
            " WHERE id = ?", (version, version, idea_id)
        )

    async def dirty(self) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT id FROM ideas WHERE card_version > card_shown AND message_id IS NOT NULL"
        )
        return [int(row[0]) for row in rows]

    async def join(self, idea_id: int, user_id: int, joining: bool, now: datetime, *,
                   name_shown: bool = False) -> JoinResult | None:
        """Join or leave. `name_shown`: the joiner was told the proposer will see their name."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(_SELECT + " WHERE i.id = ?", (idea_id,))
            if row is None:
                return None
            idea = _idea(row)
            already = await tx.fetch_value(
                "SELECT 1 FROM idea_joins WHERE idea_id = ? AND user_id = ?", (idea_id, user_id)
            ) is not None
            outcome = decide_join(idea, user_id, already, joining)
            if outcome is JoinOutcome.JOINED:
                await tx.execute(
                    "INSERT INTO idea_joins (idea_id, building_id, user_id, joined_at, name_shown)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (idea_id, idea.building_id, user_id, to_db(now), int(name_shown)),
                )
            elif outcome is JoinOutcome.LEFT:
                await tx.execute(
                    "DELETE FROM idea_joins WHERE idea_id = ? AND user_id = ?", (idea_id, user_id)
                )
            became_ready = False
            if outcome in (JoinOutcome.JOINED, JoinOutcome.LEFT):
                await tx.execute(
                    "UPDATE ideas SET card_version = card_version + 1 WHERE id = ?", (idea_id,)
                )
                joined = await tx.fetch_value(
                    "SELECT COUNT(*) FROM idea_joins WHERE idea_id = ?", (idea_id,)
                )
                if reached(int(joined)) and idea.ready_at is None:
                    became_ready = await tx.execute(
                        "UPDATE ideas SET ready_at = ? WHERE id = ? AND ready_at IS NULL",
                        (to_db(now), idea_id),
                    ) > 0
            row = await tx.fetch_one(_SELECT + " WHERE i.id = ?", (idea_id,))
        assert row is not None
        return JoinResult(idea=_idea(row), outcome=outcome, became_ready=became_ready)

    async def joiners(self, idea_id: int, *, named: bool = False) -> list[int]:
        """Who joined; `named`: only those who were told the proposer would see their name."""
        rows = await self._db.fetch_all(
            "SELECT user_id FROM idea_joins WHERE idea_id = ? AND user_id IS NOT NULL"
            " AND (? = 0 OR name_shown = 1) ORDER BY joined_at, id",
            (idea_id, int(named)),
        )
        return [int(row[0]) for row in rows]

    async def convert(self, idea_id: int, activity_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE ideas SET status = 'converted', activity_id = ?, converted_at = ?,"
            " card_version = card_version + 1 WHERE id = ? AND status = 'open' AND removed_at IS NULL",
            (activity_id, to_db(now), idea_id),
        )
        return changed > 0

    async def remove(self, idea_id: int, now: datetime) -> bool:
        """A group admin hid the reported card. It is being deleted, so it counts as shown."""
        changed = await self._db.execute(
            "UPDATE ideas SET removed_at = ?, card_shown = card_version"
            " WHERE id = ? AND removed_at IS NULL",
            (to_db(now), idea_id),
        )
        return changed > 0

    async def last_idea_in(self, building_id: int) -> datetime | None:
        value = await self._db.fetch_value(
            "SELECT MAX(at) FROM (SELECT MAX(created_at) AS at FROM ideas WHERE building_id = ?"
            " UNION ALL SELECT MAX(joined_at) FROM idea_joins WHERE building_id = ?) AS moments",
            (building_id, building_id),
        )
        return from_db(value) if value else None

    # --- the typing step --------------------------------------------------------------------

    async def draft_building(self, user_id: int) -> int | None:
        value = await self._db.fetch_value(
            "SELECT building_id FROM idea_drafts WHERE user_id = ?", (user_id,)
        )
        return None if value is None else int(value)

    async def start_draft(self, user_id: int, building_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO idea_drafts (user_id, building_id, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET building_id = excluded.building_id,"
            " updated_at = excluded.updated_at",
            (user_id, building_id, to_db(now)),
        )

    async def delete_draft(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM idea_drafts WHERE user_id = ?", (user_id,)) > 0

    # --- leaving, forgetting, expiring ------------------------------------------------------

    async def leave_open(self, user_id: int, building_id: int | None = None) -> list[int]:
        """Take the resident off ideas that are still open; returns the ideas whose card changes."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT j.idea_id FROM idea_joins j JOIN ideas i ON i.id = j.idea_id"
                " WHERE j.user_id = ? AND i.status = 'open'"
                " AND (CAST(? AS BIGINT) IS NULL OR i.building_id = ?)",
                (user_id, building_id, building_id),
            )
            ids = [int(row[0]) for row in rows]
            for idea_id in ids:
                await tx.execute(
                    "DELETE FROM idea_joins WHERE idea_id = ? AND user_id = ?", (idea_id, user_id)
                )
                await tx.execute(
                    "UPDATE ideas SET card_version = card_version + 1 WHERE id = ?", (idea_id,)
                )
        return ids

    async def export(self, user_id: int) -> dict[str, Any]:
        proposed = await self._db.fetch_all(
            "SELECT text, CASE WHEN removed_at IS NULL THEN status ELSE 'removed' END AS status,"
            " created_at, converted_at FROM ideas WHERE proposer_id = ?"
            " ORDER BY created_at",
            (user_id,),
        )
        joined = await self._db.fetch_all(
            "SELECT i.text, j.joined_at FROM idea_joins j JOIN ideas i ON i.id = j.idea_id"
            " WHERE j.user_id = ? ORDER BY j.joined_at",
            (user_id,),
        )
        return {
            "ideas_proposed": [dict(row) for row in proposed],
            "ideas_joined": [dict(row) for row in joined],
        }

    async def forget(self, user_id: int, now: datetime) -> list[int]:
        """Erase the texts of the resident's ideas and unlink their joins; counts stay."""
        left = await self.leave_open(user_id)
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all("SELECT id FROM ideas WHERE proposer_id = ?", (user_id,))
            erased = [int(row[0]) for row in rows]
            await tx.execute(
                "UPDATE ideas SET text = '', proposer_id = NULL, proposer_name = '',"
                " text_erased_at = ?, card_version = card_version + 1 WHERE proposer_id = ?",
                (to_db(now), user_id),
            )
            await tx.execute("UPDATE idea_joins SET user_id = NULL WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM idea_drafts WHERE user_id = ?", (user_id,))
        return sorted({*left, *erased})

    async def expire(self, before: datetime) -> int:
        """Ideas that became an activity, or were taken down, before `before` need their text
        no longer."""
        return await self._db.execute(
            "UPDATE ideas SET text = '', text_erased_at = ? WHERE text_erased_at IS NULL"
            " AND ((status = 'converted' AND converted_at < ?) OR removed_at < ?)",
            (to_db(before), to_db(before), to_db(before)),
        )
