"""The last nudge per group, the prompts residents muted, whether a resident who went quiet
was asked to keep getting them, settings text waiting to be typed, and which groups still need
their next digest or nudge planned."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from storage.db import Database, from_db, to_db


class LastNudge(BaseModel):
    model_config = ConfigDict(frozen=True)

    building_id: int
    sent_at: datetime | None
    prompt: str | None


class SettingsDraft(BaseModel):
    """An admin is about to type a setting's text in their private chat."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    building_id: int
    field: str
    started_at: datetime
    expires_at: datetime


class QuietCheck(BaseModel):
    """A resident who went quiet was asked (once) whether to keep getting private messages."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    asked_at: datetime
    kept_at: datetime | None


class PromptStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- planning ------------------------------------------------------------------------------

    async def unplanned(self, kind: str, flag: str) -> list[int]:
        """Active groups with `flag` on (digest_enabled / nudges_enabled) and nothing pending
        of `kind`: their next one must be planned."""
        if flag not in ("digest_enabled", "nudges_enabled"):
            raise ValueError(flag)
        rows = await self._db.fetch_all(
            f"SELECT b.chat_id FROM buildings b WHERE b.active = 1 AND b.{flag} = 1"
            " AND NOT EXISTS (SELECT 1 FROM schedule s WHERE s.building_id = b.chat_id"
            " AND s.kind = ? AND s.state = 'pending') ORDER BY b.chat_id",
            (kind,),
        )
        return [int(row[0]) for row in rows]

    # -- nudges --------------------------------------------------------------------------------

    async def last_nudge(self, building_id: int) -> LastNudge:
        row = await self._db.fetch_one(
            "SELECT last_nudge_at, last_nudge_key FROM building_prompts WHERE building_id = ?",
            (building_id,),
        )
        if row is None:
            return LastNudge(building_id=building_id, sent_at=None, prompt=None)
        return LastNudge(
            building_id=building_id, sent_at=from_db(row["last_nudge_at"]),
            prompt=row["last_nudge_key"],
        )

    async def record_nudge(self, building_id: int, prompt: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO building_prompts (building_id, last_nudge_at, last_nudge_key)"
            " VALUES (?, ?, ?) ON CONFLICT (building_id) DO UPDATE SET"
            " last_nudge_at = excluded.last_nudge_at, last_nudge_key = excluded.last_nudge_key",
            (building_id, to_db(now), prompt),
        )

    # -- residents' mutes ----------------------------------------------------------------------

    async def muted(self, user_id: int) -> set[str]:
        rows = await self._db.fetch_all(
            "SELECT kind FROM resident_mutes WHERE user_id = ?", (user_id,)
        )
        return {str(row[0]) for row in rows}

    async def is_muted(self, user_id: int, kind: str) -> bool:
        value = await self._db.fetch_value(
            "SELECT 1 FROM resident_mutes WHERE user_id = ? AND kind = ?", (user_id, kind)
        )
        return value is not None

    async def set_muted(self, user_id: int, kind: str, muted: bool, now: datetime) -> None:
        if muted:
            await self._db.execute(
                "INSERT INTO resident_mutes (user_id, kind, muted_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, kind) DO NOTHING",
                (user_id, kind, to_db(now)),
            )
        else:
            await self._db.execute(
                "DELETE FROM resident_mutes WHERE user_id = ? AND kind = ?", (user_id, kind)
            )

    async def forget_resident(self, user_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM resident_mutes WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM settings_drafts WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM quiet_checks WHERE user_id = ?", (user_id,))

    # -- residents who went quiet ----------------------------------------------------------------

    async def quiet_check(self, user_id: int) -> QuietCheck | None:
        row = await self._db.fetch_one(
            "SELECT user_id, asked_at, kept_at FROM quiet_checks WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        asked_at = from_db(row["asked_at"])
        assert asked_at is not None
        return QuietCheck(user_id=row["user_id"], asked_at=asked_at,
                          kept_at=from_db(row["kept_at"]))

    async def asked_quiet(self, user_id: int, now: datetime) -> None:
        """The question goes out now (a later quiet spell asks again)."""
        await self._db.execute(
            "INSERT INTO quiet_checks (user_id, asked_at) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET asked_at = excluded.asked_at",
            (user_id, to_db(now)),
        )

    async def keep_prompts(self, user_id: int, now: datetime) -> None:
        """The resident said yes: messages keep coming, however quiet they are."""
        await self._db.execute(
            "INSERT INTO quiet_checks (user_id, asked_at, kept_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET kept_at = excluded.kept_at",
            (user_id, to_db(now), to_db(now)),
        )

    async def quiet_export(self, user_id: int) -> dict[str, str | None] | None:
        check = await self.quiet_check(user_id)
        if check is None:
            return None
        return {"asked_at": to_db(check.asked_at),
                "kept_at": to_db(check.kept_at) if check.kept_at else None}

    async def mutes_export(self, user_id: int) -> list[dict[str, str]]:
        rows = await self._db.fetch_all(
            "SELECT kind, muted_at FROM resident_mutes WHERE user_id = ? ORDER BY kind",
            (user_id,),
        )
        return [{"kind": row["kind"], "muted_at": row["muted_at"]} for row in rows]

    # -- settings typed privately --------------------------------------------------------------

    async def start_draft(
        self, user_id: int, building_id: int, field: str, now: datetime, expires_at: datetime
    ) -> None:
        await self._db.execute(
            "INSERT INTO settings_drafts (user_id, building_id, field, started_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " building_id = excluded.building_id, field = excluded.field,"
            " started_at = excluded.started_at, expires_at = excluded.expires_at",
            (user_id, building_id, field, to_db(now), to_db(expires_at)),
        )

    async def draft(self, user_id: int, now: datetime) -> SettingsDraft | None:
        """The waiting draft, if any and not expired."""
        row = await self._db.fetch_one(
            "SELECT * FROM settings_drafts WHERE user_id = ? AND expires_at > ?",
            (user_id, to_db(now)),
        )
        if row is None:
            return None
        return SettingsDraft(
            user_id=row["user_id"], building_id=row["building_id"], field=row["field"],
            started_at=from_db(row["started_at"]), expires_at=from_db(row["expires_at"]),
        )

    async def end_draft(self, user_id: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM settings_drafts WHERE user_id = ?", (user_id,)
        )
        return changed > 0

    async def expire_drafts(self, before: datetime) -> int:
        return await self._db.execute(
            "DELETE FROM settings_drafts WHERE expires_at <= ?", (to_db(before),)
        )
