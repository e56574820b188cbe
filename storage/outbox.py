"""The outbox table: what the bot is to say, stored with the change that caused it.

Rows of one chat are sent in id order. A row that failed for a while (attempts > 0) holds the
rows behind it, so a chat never sees its messages out of order; a card edit that is only
settling (waiting for more presses on the same card) does not. `not_before` is real time
(seconds since the epoch): settling and backing off are about Telegram, not the bot's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Row, from_db, to_db

EDIT_TEXT = "editMessageText"
"""The method whose pending rows for one card are replaced by a newer one (latest wins)."""


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    method: str
    card_key: str | None
    payload: str
    """The `Outgoing` as JSON."""
    attempts: int
    not_before: float


def _row(row: Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"], chat_id=row["chat_id"], method=row["method"], card_key=row["card_key"],
        payload=row["payload"], attempts=row["attempts"], not_before=row["not_before"],
    )


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        chat_id: int,
        method: str,
        payload: str,
        not_before: float,
        now: datetime,
        key: str | None = None,
        card_key: str | None = None,
    ) -> int | None:
        """Store one row; None when a row with `key` exists already. A card's text edit replaces
        the card's edits still waiting and keeps the earliest of their send times, so a burst of
        presses becomes one edit that is not put off by every new press."""
        async with self._db.transaction() as tx:
            if card_key is not None and method == EDIT_TEXT:
                earliest = await tx.fetch_value(
                    "SELECT MIN(not_before) FROM outbox"
                    " WHERE card_key = ? AND method = ? AND state = 'pending'",
                    (card_key, method),
                )
                if earliest is not None:
                    not_before = min(not_before, float(earliest))
                    await tx.execute(
                        "DELETE FROM outbox WHERE card_key = ? AND method = ? AND state = 'pending'",
                        (card_key, method),
                    )
            changed = await tx.execute(
                "INSERT OR IGNORE INTO outbox (chat_id, key, card_key, method, payload, not_before,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (chat_id, key, card_key, method, payload, not_before, to_db(now)),
            )
            if changed == 0:
                return None
            return int(await tx.fetch_value("SELECT last_insert_rowid()"))

    async def chats_with_pending(self) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT chat_id FROM outbox WHERE state = 'pending' GROUP BY chat_id ORDER BY MIN(id)"
        )
        return [row[0] for row in rows]

    async def next_for(self, chat_id: int, now: float) -> tuple[OutboxRow | None, float | None]:
        """The chat's next row to send (its `not_before` may still lie ahead when it is backing
        off), else None and when the earliest settling row falls due (None: nothing pending)."""
        row = await self._db.fetch_one(
            "SELECT * FROM outbox WHERE chat_id = ? AND state = 'pending'"
            " AND (attempts > 0 OR not_before <= ?) ORDER BY id LIMIT 1",
            (chat_id, now),
        )
        if row is not None:
            return _row(row), None
        earliest = await self._db.fetch_value(
            "SELECT MIN(not_before) FROM outbox WHERE chat_id = ? AND state = 'pending'",
            (chat_id,),
        )
        return None, None if earliest is None else float(earliest)

    async def get(self, row_id: int) -> OutboxRow | None:
        row = await self._db.fetch_one("SELECT * FROM outbox WHERE id = ?", (row_id,))
        return None if row is None else _row(row)

    async def mark_sent(self, row_id: int, now: datetime) -> bool:
        """Telegram accepted the row. A file's bytes are not kept once it went out."""
        changed = await self._db.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, error = NULL,"
            " payload = json_remove(payload, '$.file_b64') WHERE id = ? AND state = 'pending'",
            (to_db(now), row_id),
        )
        return changed > 0

    async def settle(self, row_id: int, state: str, error: str | None) -> None:
        """Done with for good without being sent: refused, skipped or failed."""
        await self._db.execute(
            "UPDATE outbox SET state = ?, error = ?, sent_at = NULL, attempts = attempts + 1,"
            " payload = json_remove(payload, '$.file_b64') WHERE id = ? AND state = 'pending'",
            (state, error, row_id),
        )

    async def retry_later(self, row_id: int, not_before: float, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, error = ?"
            " WHERE id = ? AND state = 'pending'",
            (not_before, error, row_id),
        )

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """The group became a supergroup: its waiting rows follow it. A message id is a number
        within one chat, so a row that names a message of the old group (an edit or deletion of
        it) stays behind, skipped, and a reply to one goes out as a plain message: in the
        supergroup the same number is another message. A card's edit names no number (it is
        looked up when sent) and follows."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET state = 'skipped', error = 'its message stayed in the old group'"
                " WHERE chat_id = ? AND state = 'pending'"
                " AND json_extract(payload, '$.message_id') IS NOT NULL",
                (old_chat_id,),
            )
            return await tx.execute(
                "UPDATE outbox SET chat_id = ?,"
                " payload = json_remove(json_set(payload, '$.chat_id', ?), '$.reply_to')"
                " WHERE chat_id = ? AND state = 'pending'",
                (new_chat_id, new_chat_id, old_chat_id),
            )

    async def pending_count(self, chat_id: int | None = None) -> int:
        return int(await self._db.fetch_value(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND (? IS NULL OR chat_id = ?)",
            (chat_id, chat_id),
        ))

    async def oldest_pending(self) -> datetime | None:
        """When the row waiting longest to be sent was stored (None: nothing waits)."""
        return from_db(await self._db.fetch_value(
            "SELECT MIN(created_at) FROM outbox WHERE state = 'pending'"
        ))

    async def prune(self, created_before: datetime) -> int:
        """Settled rows are kept a while to recognise a repeated key, then dropped."""
        return await self._db.execute(
            "DELETE FROM outbox WHERE state != 'pending' AND created_at < ?",
            (to_db(created_before),),
        )
