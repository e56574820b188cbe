"""Who may see a group's figures: the proposals to the group, its objections, the consents, the
number of objections the admins chose, and the private flow in which a worker says who they are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.domain.privacy import erased_stand_in
from bot.domain.worker_consent import LIVE, ConsentStatus, access_from
from storage.db import Database, Row, from_db, to_db

ENDED = (ConsentStatus.DECLINED, ConsentStatus.STOPPED)


class Consent(BaseModel):
    """A community worker proposed to a group, and where that stands."""

    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    worker_id: int
    name: str
    organisation: str
    status: ConsentStatus
    started_at: datetime
    """When the group was asked (or, for consents from before asking, when access began)."""
    access_from: datetime
    threshold: int
    card_message_id: int | None
    stopped_at: datetime | None


class WorkerDraft(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: int
    building_id: int
    step: str
    name: str
    started_at: datetime


def _moment(value: str | None) -> datetime:
    moment = from_db(value)
    assert moment is not None
    return moment


def _consent(row: Row) -> Consent:
    return Consent(id=row["id"], building_id=row["building_id"], worker_id=row["worker_id"],
                   name=row["name"], organisation=row["organisation"],
                   status=ConsentStatus(row["status"]), started_at=_moment(row["started_at"]),
                   access_from=_moment(row["access_from"] or row["started_at"]),
                   threshold=row["threshold"], card_message_id=row["card_message_id"],
                   stopped_at=from_db(row["stopped_at"]))


def _marks(statuses: Sequence[ConsentStatus]) -> str:
    return ", ".join(f"'{status.value}'" for status in statuses)


class WorkerStore:
    """Consents, objections and the worker's typed name and organisation."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- the worker's answers --------------------------------------------------------------------

    async def start_draft(self, user_id: int, building_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO worker_drafts (user_id, building_id, step, name, started_at)"
            " VALUES (?, ?, 'name', '', ?) ON CONFLICT (user_id) DO UPDATE SET"
            " building_id = excluded.building_id, step = excluded.step, name = excluded.name,"
            " started_at = excluded.started_at",
            (user_id, building_id, to_db(now)),
        )

    async def draft(self, user_id: int) -> WorkerDraft | None:
        row = await self._db.fetch_one("SELECT * FROM worker_drafts WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return WorkerDraft(user_id=row["user_id"], building_id=row["building_id"], step=row["step"],
                           name=row["name"], started_at=_moment(row["started_at"]))

    async def set_draft_name(self, user_id: int, name: str) -> bool:
        return await self._db.execute(
            "UPDATE worker_drafts SET name = ?, step = 'organisation' WHERE user_id = ? AND step = 'name'",
            (name, user_id),
        ) > 0

    async def drop_draft(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM worker_drafts WHERE user_id = ?", (user_id,)) > 0

    async def finish(self, user_id: int, organisation: str, now: datetime,
                     threshold: int) -> tuple[Consent, bool] | None:
        """The draft becomes a proposal to the group, once; where this worker is already
        proposed or let in, only their name and organisation are brought up to date. The
        consent, and whether it is new."""
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
                await tx.execute("UPDATE worker_consents SET name = ?, organisation = ? WHERE id = ?",
                                 (name, organisation, existing))
                consent_id, created = int(existing), False
            else:
                consent_id = await tx.insert(
                    "INSERT INTO worker_consents (building_id, worker_id, name, organisation,"
                    " status, started_at, access_from, threshold) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " RETURNING id",
                    (building_id, user_id, name, organisation, ConsentStatus.PROPOSED.value,
                     to_db(now), to_db(access_from(now)), threshold),
                )
                created = True
        consent = await self.get(consent_id)
        assert consent is not None
        return consent, created

    # -- consents --------------------------------------------------------------------------------

    async def get(self, consent_id: int) -> Consent | None:
        row = await self._db.fetch_one("SELECT * FROM worker_consents WHERE id = ?", (consent_id,))
        return None if row is None else _consent(row)

    async def live_in(self, building_id: int) -> list[Consent]:
        """Proposed, let in or paused: what the group should know about."""
        rows = await self._db.fetch_all(
            f"SELECT * FROM worker_consents WHERE building_id = ? AND status IN ({_marks(LIVE)})"
            " ORDER BY id",
            (building_id,),
        )
        return [_consent(row) for row in rows]

    async def active_in(self, building_id: int) -> list[Consent]:
        return [c for c in await self.live_in(building_id) if c.status is ConsentStatus.ACTIVE]

    async def active_of(self, worker_id: int) -> list[Consent]:
        """The buildings this worker may see now (the group agreed and still has the bot)."""
        rows = await self._db.fetch_all(
            "SELECT c.* FROM worker_consents c JOIN buildings b ON b.chat_id = c.building_id"
            " WHERE c.worker_id = ? AND c.status = 'active' AND b.active = 1 ORDER BY c.id",
            (worker_id,),
        )
        return [_consent(row) for row in rows]

    async def live_of(self, worker_id: int) -> list[Consent]:
        rows = await self._db.fetch_all(
            f"SELECT * FROM worker_consents WHERE worker_id = ? AND status IN ({_marks(LIVE)})"
            " ORDER BY id",
            (worker_id,),
        )
        return [_consent(row) for row in rows]

    async def move(self, consent_id: int, before: Sequence[ConsentStatus], after: ConsentStatus,
                   now: datetime, *, building_id: int | None = None) -> bool:
        """From one of `before` to `after`, once (the first of two presses wins); a move asked
        from another group's chat (`building_id`) changes nothing."""
        ended = to_db(now) if after in ENDED else None
        return await self._db.execute(
            f"UPDATE worker_consents SET status = ?, stopped_at = COALESCE(?, stopped_at)"
            f" WHERE id = ? AND status IN ({_marks(before)})"
            " AND (CAST(? AS BIGINT) IS NULL OR building_id = ?)",
            (after.value, ended, consent_id, building_id, building_id),
        ) > 0

    async def stop(self, consent_id: int, building_id: int, now: datetime) -> bool:
        """Only the first stop counts; a stop from another group's chat changes nothing."""
        return await self.move(consent_id, LIVE, ConsentStatus.STOPPED, now, building_id=building_id)

    async def record_card(self, consent_id: int, message_id: int) -> None:
        await self._db.execute("UPDATE worker_consents SET card_message_id = ? WHERE id = ?",
                               (message_id, consent_id))

    # -- objections ------------------------------------------------------------------------------

    async def object(self, consent: Consent, user_id: int, now: datetime) -> bool:
        """False when this resident already objected to this consent."""
        return await self._db.execute(
            "INSERT INTO worker_objections (consent_id, building_id, user_id, objected_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (consent.id, consent.building_id, user_id, to_db(now)),
        ) > 0

    async def objections(self, consent_id: int) -> int:
        value = await self._db.fetch_value(
            "SELECT COUNT(*) FROM worker_objections WHERE consent_id = ?", (consent_id,))
        return int(value or 0)

    async def chosen_threshold(self, building_id: int) -> int | None:
        value = await self._db.fetch_value(
            "SELECT objection_threshold FROM worker_rules WHERE building_id = ?", (building_id,))
        return None if value is None else int(value)

    async def choose_threshold(self, building_id: int, threshold: int | None) -> None:
        await self._db.execute(
            "INSERT INTO worker_rules (building_id, objection_threshold) VALUES (?, ?)"
            " ON CONFLICT (building_id) DO UPDATE SET objection_threshold = excluded.objection_threshold",
            (building_id, threshold),
        )

    # -- personal data ---------------------------------------------------------------------------

    async def export(self, user_id: int) -> dict[str, Any]:
        rows = await self._db.fetch_all(
            "SELECT c.name, c.organisation, c.status, c.started_at, c.access_from, c.stopped_at,"
            " b.title FROM worker_consents c JOIN buildings b ON b.chat_id = c.building_id"
            " WHERE c.worker_id = ? ORDER BY c.id",
            (user_id,),
        )
        objected = await self._db.fetch_all(
            "SELECT c.name, c.organisation, o.objected_at, b.title FROM worker_objections o"
            " JOIN worker_consents c ON c.id = o.consent_id JOIN buildings b"
            " ON b.chat_id = o.building_id WHERE o.user_id = ? ORDER BY o.objected_at",
            (user_id,),
        )
        draft = await self.draft(user_id)
        return {
            "figures_shared_with_you": [
                {"group": row["title"], "name": row["name"], "organisation": row["organisation"],
                 "status": row["status"], "asked": row["started_at"], "since": row["access_from"],
                 "stopped": row["stopped_at"]}
                for row in rows
            ],
            "your_objections": [
                {"group": row["title"], "worker": row["name"], "organisation": row["organisation"],
                 "at": row["objected_at"]}
                for row in objected
            ],
            "invitation_in_progress": None if draft is None else {"name": draft.name},
        }

    async def forget(self, user_id: int, now: datetime) -> list[Consent]:
        """Stop every consent of this worker, erase their name, organisation and id (a random
        stand-in takes its place) everywhere, and this resident's objections. Returns the
        consents that were still live (their groups are told)."""
        live = await self.live_of(user_id)
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE worker_consents SET stopped_at = COALESCE(stopped_at, ?), name = '',"
                f" organisation = '', status = CASE WHEN status IN ({_marks(LIVE)})"
                " THEN 'stopped' ELSE status END, worker_id = ? WHERE worker_id = ?",
                (to_db(now), erased_stand_in(), user_id),
            )
            await tx.execute("DELETE FROM worker_drafts WHERE user_id = ?", (user_id,))
            await tx.execute("DELETE FROM worker_objections WHERE user_id = ?", (user_id,))
        return live

    async def expire(self, before: datetime) -> int:
        """Names of ended consents, their objections and forgotten drafts go after the
        retention period."""
        erased = await self._db.execute(
            "UPDATE worker_consents SET name = '', organisation = ''"
            " WHERE stopped_at IS NOT NULL AND stopped_at < ? AND (name != '' OR organisation != '')",
            (to_db(before),),
        )
        erased += await self._db.execute(
            "DELETE FROM worker_objections WHERE consent_id IN (SELECT id FROM worker_consents"
            " WHERE stopped_at IS NOT NULL AND stopped_at < ?)",
            (to_db(before),),
        )
        return erased + await self._db.execute(
            "DELETE FROM worker_drafts WHERE started_at < ?", (to_db(before),)
        )
