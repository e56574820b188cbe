"""A help request being written, or a typed answer the bot waits for: one per resident."""

from __future__ import annotations

from bot.domain.dates import DayPart
from bot.domain.request_timing import When, WhenKind
from bot.domain.requests import DraftStep, RequestDraft, RequestKind
from storage.db import Database, Row, from_db, to_db


def _draft(row: Row) -> RequestDraft:
    due_at = from_db(row["due_at"])
    updated_at = from_db(row["updated_at"])
    assert updated_at is not None
    part = DayPart(row["when_part"]) if row["when_part"] else None
    when = (When(kind=WhenKind(row["when_kind"]), due_at=due_at, part=part)
            if row["when_kind"] and due_at is not None else None)
    return RequestDraft(
        user_id=row["user_id"],
        step=DraftStep(row["step"]),
        building_id=row["building_id"],
        kind=RequestKind(row["kind"]) if row["kind"] else None,
        description=row["description"],
        when=when,
        anonymous=None if row["anonymous"] is None else bool(row["anonymous"]),
        on_behalf=None if row["on_behalf"] is None else bool(row["on_behalf"]),
        repeat=None if row["repeat"] is None else bool(row["repeat"]),
        request_id=row["request_id"],
        updated_at=updated_at,
    )


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


class RequestDraftStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def draft(self, user_id: int) -> RequestDraft | None:
        row = await self._db.fetch_one("SELECT * FROM request_drafts WHERE user_id = ?", (user_id,))
        return None if row is None else _draft(row)

    async def save_draft(self, draft: RequestDraft) -> None:
        """One draft per resident: starting something new replaces what was there."""
        when = draft.when
        await self._db.execute(
            "INSERT INTO request_drafts (user_id, step, building_id, kind, description,"
            " when_kind, due_at, when_part, anonymous, on_behalf, repeat, request_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET step = excluded.step,"
            " building_id = excluded.building_id, kind = excluded.kind,"
            " description = excluded.description, when_kind = excluded.when_kind,"
            " due_at = excluded.due_at, when_part = excluded.when_part,"
            " anonymous = excluded.anonymous, on_behalf = excluded.on_behalf,"
            " repeat = excluded.repeat, request_id = excluded.request_id,"
            " updated_at = excluded.updated_at",
            (
                draft.user_id, draft.step.value, draft.building_id,
                draft.kind.value if draft.kind else None, draft.description,
                when.kind.value if when else None, to_db(when.due_at) if when else None,
                when.part.value if when and when.part else None,
                _flag(draft.anonymous), _flag(draft.on_behalf), _flag(draft.repeat),
                draft.request_id, to_db(draft.updated_at),
            ),
        )

    async def drop_draft(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM request_drafts WHERE user_id = ?", (user_id,)) > 0
