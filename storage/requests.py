"""Help requests: posting, reading, every change of state, and personal data.

`RequestStore` is made of parts, each in its own module: `request_drafts` (the flow's drafts),
`request_series` (weekly needs) and `request_controls` (which private message has live
buttons). Every change of a request's state is one conditional UPDATE, so when twenty
neighbours press "Ik help" at once exactly one of them gets it, and a press on a closed request
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.dates import DayPart
from bot.domain.privacy import erased_stand_in
from bot.domain.request_timing import When, WhenKind
from bot.domain.requests import DraftStep, HelpRequest, RequestDraft, RequestKind, RequestStatus
from storage.db import Database, Row, from_db, to_db
from storage.request_controls import RequestControlStore
from storage.request_drafts import RequestDraftStore
from storage.request_series import RequestSeriesStore

CLOSED_AT = "COALESCE(done_at, cancelled_at, expired_at, removed_at)"


def _request(row: Row) -> HelpRequest:
    due_at = from_db(row["due_at"])
    assert due_at is not None
    created_at = from_db(row["created_at"])
    assert created_at is not None
    return HelpRequest(
        id=row["id"],
        building_id=row["building_id"],
        requester_id=row["requester_id"],
        helper_id=row["helper_id"],
        kind=RequestKind(row["kind"]),
        description=row["description"],
        when=When(kind=WhenKind(row["when_kind"]), due_at=due_at,
                  part=DayPart(row["when_part"]) if row["when_part"] else None),
        anonymous=bool(row["anonymous"]),
        on_behalf=bool(row["on_behalf"]),
        series_id=row["series_id"],
        status=RequestStatus(row["status"]),
        card_message_id=row["card_message_id"],
        contact=row["contact"],
        created_at=created_at,
        claimed_at=from_db(row["claimed_at"]),
        done_at=from_db(row["done_at"]),
        expired_at=from_db(row["expired_at"]),
        cancelled_at=from_db(row["cancelled_at"]),
        removed_at=from_db(row["removed_at"]),
        thanked_at=from_db(row["thanked_at"]),
        bumped_at=from_db(row["bumped_at"]),
    )


def _part(when: When) -> str | None:
    return when.part.value if when.part is not None else None


class RequestStore(RequestDraftStore, RequestSeriesStore, RequestControlStore):
    """Help requests; the flow's drafts, weekly series and live private buttons are its parts,
    each in its own module."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # Creating -------------------------------------------------------------------------------

    async def post_draft(
        self, draft: RequestDraft, now: datetime, *, series_id: int | None = None
    ) -> HelpRequest | None:
        """Turn a finished draft into a request, once: a second press finds the draft gone."""
        assert draft.kind is not None and draft.when is not None and draft.description is not None
        async with self._db.transaction() as tx:
            # Taking the draft is the claim on it: a second press at the same time waits for
            # this row and then finds it gone (PostgreSQL locks it; SQLite runs one at a time).
            taken = await tx.execute(
                "DELETE FROM request_drafts WHERE user_id = ? AND step = ?",
                (draft.user_id, DraftStep.PREVIEW.value),
            )
            if not taken:
                return None
            if draft.repeat and series_id is None:
                series_id = await tx.insert(
                    "INSERT INTO request_series (building_id, requester_id, created_at)"
                    " VALUES (?, ?, ?) RETURNING id",
                    (draft.building_id, draft.user_id, to_db(now)),
                )
            request_id = await tx.insert(
                "INSERT INTO requests (building_id, requester_id, kind, description, when_kind,"
                " due_at, when_part, anonymous, on_behalf, series_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    draft.building_id, draft.user_id, draft.kind.value, draft.description,
                    draft.when.kind.value, to_db(draft.when.due_at), _part(draft.when),
                    int(bool(draft.anonymous)), int(bool(draft.on_behalf)), series_id, to_db(now),
                ),
            )
        return await self.get(request_id)

    async def copy(
        self, source: HelpRequest, when: When, now: datetime, *,
        series_id: int | None, helper_id: int | None = None,
    ) -> HelpRequest:
        """A new request like `source` at another time: a repost, or the next week of a series
        (already taken when the series has a standing helper)."""
        request_id = await self._db.insert(
            "INSERT INTO requests (building_id, requester_id, helper_id, kind, description,"
            " when_kind, due_at, when_part, anonymous, on_behalf, series_id, status, created_at,"
            " claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                source.building_id, source.requester_id, helper_id, source.kind.value,
                source.description, when.kind.value, to_db(when.due_at), _part(when),
                int(source.anonymous),
                int(source.on_behalf), series_id,
                (RequestStatus.CLAIMED if helper_id else RequestStatus.OPEN).value,
                to_db(now), to_db(now) if helper_id else None,
            ),
        )
        copied = await self.get(request_id)
        assert copied is not None
        return copied

    # Reading -------------------------------------------------------------------------------

    async def get(self, request_id: int) -> HelpRequest | None:
        row = await self._db.fetch_one("SELECT * FROM requests WHERE id = ?", (request_id,))
        return None if row is None else _request(row)

    async def by_card(self, building_id: int, message_id: int) -> HelpRequest | None:
        row = await self._db.fetch_one(
            "SELECT * FROM requests WHERE building_id = ? AND card_message_id = ?",
            (building_id, message_id),
        )
        return None if row is None else _request(row)

    async def unposted(self, created_before: datetime) -> list[HelpRequest]:
        """Open requests saved before `created_before` whose card never reached the group (a stop
        between saving and posting). Newer ones are still being posted by their own flow."""
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE status = 'open' AND card_message_id IS NULL"
            " AND created_at < ? ORDER BY id",
            (to_db(created_before),),
        )
        return [_request(row) for row in rows]

    async def open_in(self, building_id: int) -> list[HelpRequest]:
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE building_id = ? AND status = 'open'"
            " ORDER BY due_at, id",
            (building_id,),
        )
        return [_request(row) for row in rows]

    async def live_without_card(self, building_id: int, now: datetime) -> list[HelpRequest]:
        """Requests still in play (open, or taken and still to come) whose card has no message:
        after the group became a supergroup, these go up there anew."""
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE building_id = ? AND card_message_id IS NULL"
            " AND (status = 'open' OR (status = 'claimed' AND due_at > ?)) ORDER BY id",
            (building_id, to_db(now)),
        )
        return [_request(row) for row in rows]

    async def active_in_series(self, series_id: int) -> list[HelpRequest]:
        """The weeks of a weekly need that are still open or taken (their cards show it)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE series_id = ? AND status IN ('open', 'claimed')"
            " ORDER BY due_at, id",
            (series_id,),
        )
        return [_request(row) for row in rows]

    async def active_count(self, building_id: int, requester_id: int, now: datetime) -> int:
        """Open requests, and taken ones whose time is still to come (a taken request nobody
        marked done does not count against the resident once its time has passed)."""
        value = await self._db.fetch_value(
            "SELECT COUNT(*) FROM requests WHERE building_id = ? AND requester_id = ?"
            " AND (status = 'open' OR (status = 'claimed' AND due_at > ?))",
            (building_id, requester_id, to_db(now)),
        )
        return int(value or 0)

    async def created_since(self, requester_id: int, since: datetime) -> int:
        value = await self._db.fetch_value(
            "SELECT COUNT(*) FROM requests WHERE requester_id = ? AND created_at >= ?",
            (requester_id, to_db(since)),
        )
        return int(value or 0)

    async def helped_since(self, building_id: int, since: datetime, now: datetime) -> int:
        """How often neighbours helped each other: requests marked done since then, and taken
        ones whose time came since then (not everyone taps "Het is gelukt")."""
        value = await self._db.fetch_value(
            "SELECT COUNT(*) FROM requests WHERE building_id = ? AND helper_id IS NOT NULL"
            " AND ((status = 'done' AND done_at >= ?)"
            " OR (status = 'claimed' AND due_at >= ? AND due_at <= ?))",
            (building_id, to_db(since), to_db(since), to_db(now)),
        )
        return int(value or 0)

    async def thanks_since(self, building_id: int, since: datetime) -> int:
        value = await self._db.fetch_value(
            "SELECT COUNT(*) FROM requests WHERE building_id = ? AND thanked_at >= ?",
            (building_id, to_db(since)),
        )
        return int(value or 0)

    async def last_activity(self, building_id: int) -> datetime | None:
        value = await self._db.fetch_value(
            "SELECT CASE WHEN MAX(created_at) >= COALESCE(MAX(claimed_at), '') THEN MAX(created_at)"
            " ELSE MAX(claimed_at) END"
            " FROM requests WHERE building_id = ?",
            (building_id,),
        )
        return from_db(value) if value else None  # pragma: no mutate (from_db(None) is None too)

    # Changing state: one conditional UPDATE each ---------------------------------------------

    async def set_card(self, request_id: int, message_id: int | None) -> None:
        await self._db.execute(
            "UPDATE requests SET card_message_id = ? WHERE id = ?", (message_id, request_id)
        )

    async def claim(self, request_id: int, helper_id: int, now: datetime) -> bool:
        """The first press wins; everyone after finds the request no longer open."""
        changed = await self._db.execute(
            "UPDATE requests SET status = 'claimed', helper_id = ?, claimed_at = ?"
            " WHERE id = ? AND status = 'open' AND requester_id != ? AND due_at > ?",
            (helper_id, to_db(now), request_id, helper_id, to_db(now)),
        )
        return changed > 0

    async def withdraw(self, request_id: int, helper_id: int) -> bool:
        """The helper cannot after all: the request is open again for anyone."""
        changed = await self._db.execute(
            "UPDATE requests SET status = 'open', helper_id = NULL, claimed_at = NULL,"
            " contact = NULL WHERE id = ? AND status = 'claimed' AND helper_id = ?",
            (request_id, helper_id),
        )
        return changed > 0

    async def mark_done(self, request_id: int, now: datetime) -> bool:
        return await self._set_status(request_id, RequestStatus.DONE, now, ("claimed",))

    async def cancel(self, request_id: int, now: datetime) -> bool:
        return await self._set_status(request_id, RequestStatus.CANCELLED, now, ("open", "claimed"))

    async def remove(self, request_id: int, now: datetime) -> bool:
        return await self._set_status(
            request_id, RequestStatus.REMOVED, now, ("open", "claimed", "done", "expired"),
        )

    async def expire(self, request_id: int, now: datetime) -> bool:
        return await self._set_status(request_id, RequestStatus.EXPIRED, now, ("open",))

    async def _set_status(
        self, request_id: int, status: RequestStatus, now: datetime, allowed_from: tuple[str, ...],
    ) -> bool:
        """Close the request, from one of `allowed_from`; the moment goes in `<status>_at`
        (done_at, cancelled_at, removed_at, expired_at)."""
        marks = ", ".join("?" for _ in allowed_from)
        changed = await self._db.execute(
            f"UPDATE requests SET status = ?, {status.value}_at = ? WHERE id = ?"
            f" AND status IN ({marks})",
            (status.value, to_db(now), request_id, *allowed_from),
        )
        return changed > 0

    async def thank(self, request_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE requests SET thanked_at = ? WHERE id = ? AND status = 'done'"
            " AND thanked_at IS NULL",
            (to_db(now), request_id),
        )
        return changed > 0

    async def mark_bumped(self, request_id: int, now: datetime) -> bool:
        """At most one bump per request, whatever the schedule does."""
        changed = await self._db.execute(
            "UPDATE requests SET bumped_at = ? WHERE id = ? AND status = 'open' AND bumped_at IS NULL",
            (to_db(now), request_id),
        )
        return changed > 0

    async def set_description(self, request_id: int, text: str) -> bool:
        changed = await self._db.execute(
            "UPDATE requests SET description = ? WHERE id = ? AND status IN ('open', 'claimed')",
            (text, request_id),
        )
        return changed > 0

    async def set_when(self, request_id: int, when: When) -> bool:
        changed = await self._db.execute(
            "UPDATE requests SET when_kind = ?, due_at = ?, when_part = ? WHERE id = ?"
            " AND status IN ('open', 'claimed')",
            (when.kind.value, to_db(when.due_at), _part(when), request_id),
        )
        return changed > 0

    async def set_contact(self, request_id: int, contact: str) -> bool:
        changed = await self._db.execute(
            "UPDATE requests SET contact = ? WHERE id = ? AND status = 'claimed'",
            (contact, request_id),
        )
        return changed > 0

    # Personal data ---------------------------------------------------------------------------

    async def involving(self, user_id: int) -> list[HelpRequest]:
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE requester_id = ? OR helper_id = ? ORDER BY id",
            (user_id, user_id),
        )
        return [_request(row) for row in rows]

    async def active_of_requester(self, user_id: int) -> list[HelpRequest]:
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE requester_id = ? AND status IN ('open', 'claimed')"
            " ORDER BY id",
            (user_id,),
        )
        return [_request(row) for row in rows]

    async def claimed_by(self, helper_id: int, building_id: int | None = None) -> list[HelpRequest]:
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE helper_id = ? AND status = 'claimed'"
            " AND (CAST(? AS BIGINT) IS NULL OR building_id = ?) ORDER BY id",
            (helper_id, building_id, building_id),
        )
        return [_request(row) for row in rows]

    async def active_of_requester_in(self, user_id: int, building_id: int) -> list[HelpRequest]:
        rows = await self._db.fetch_all(
            "SELECT * FROM requests WHERE requester_id = ? AND building_id = ?"
            " AND status IN ('open', 'claimed') ORDER BY id",
            (user_id, building_id),
        )
        return [_request(row) for row in rows]

    async def erase_resident(self, user_id: int, now: datetime, involved: Sequence[int],
                             name: str) -> None:
        """Their texts and contact details go, their name leaves every card, and their id leaves
        every request and weekly need they asked or helped with. The id is replaced by one
        random stand-in (see `erased_stand_in`), so the figures still count one person. The
        private messages kept for live buttons go for every request they are part of, and
        every one that names them (`name`: the notice that they stepped back, for one); a
        message of someone else that goes too only keeps its buttons (checked when pressed)."""
        stand_in = erased_stand_in()
        marks = ", ".join("?" * len(involved)) or "NULL"
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM request_buttons WHERE user_id = ?"
                f" OR (CAST(? AS TEXT) != '' AND {self._db.sql.position('?', 'text')} > 0)"
                f" OR request_id IN (SELECT id FROM requests WHERE requester_id = ?"
                f" OR helper_id = ? OR id IN ({marks}))",
                (user_id, name, name, user_id, user_id, *involved),
            )
            await tx.execute(
                "UPDATE requests SET description = NULL, contact = NULL, anonymous = 1,"
                " requester_id = ? WHERE requester_id = ?",
                (stand_in, user_id),
            )
            await tx.execute(
                "UPDATE requests SET helper_id = ? WHERE helper_id = ?", (stand_in, user_id)
            )
            await tx.execute(
                "UPDATE request_series SET stopped_at = COALESCE(stopped_at, ?), requester_id = ?"
                " WHERE requester_id = ?",
                (to_db(now), stand_in, user_id),
            )
            await tx.execute(
                "UPDATE request_series SET standing_helper_id = NULL WHERE standing_helper_id = ?",
                (user_id,),
            )
            await tx.execute("DELETE FROM request_drafts WHERE user_id = ?", (user_id,))

    async def erase_closed_before(self, before: datetime) -> int:
        """Texts of requests closed before `before` go; kind, times and counts stay. Drafts
        left alone since then go too."""
        drafts = await self._db.execute(
            "DELETE FROM request_drafts WHERE updated_at < ?", (to_db(before),)
        )
        await self._db.execute(
            f"DELETE FROM request_buttons WHERE request_id IN (SELECT id FROM requests"
            f" WHERE status IN ('done', 'cancelled', 'expired', 'removed') AND {CLOSED_AT} < ?)",
            (to_db(before),),
        )
        return drafts + await self._db.execute(
            f"UPDATE requests SET description = NULL, contact = NULL"
            f" WHERE status IN ('done', 'cancelled', 'expired', 'removed')"
            f" AND {CLOSED_AT} < ? AND (description IS NOT NULL OR contact IS NOT NULL)",
            (to_db(before),),
        )
