"""The update inbox: every update is stored before Telegram is told it arrived.

PTB confirms a batch to Telegram on its next getUpdates call, before handlers have run. Storing
the batch first means a crash loses nothing (unhandled rows are replayed at start), and
recording `handled_at` means an update delivered twice changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.db import Database, from_db, to_db


class UpdateInbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def store(self, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime) -> None:
        if not updates:
            return
        async with self._db.transaction() as tx:
            await tx.execute_many(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                [(update_id, json.dumps(payload), to_db(now)) for update_id, payload in updates],
            )

    async def store_new(self, update_id: int, payload: dict[str, Any], now: datetime) -> bool:
        """Store one update; False when its id was stored before (a redelivery)."""
        changed = await self._db.execute(
            "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING",
            (update_id, json.dumps(payload), to_db(now)),
        )
        return changed > 0

    async def oldest_unhandled(self) -> datetime | None:
        """When the update waiting longest to be handled came in (None: nothing waits)."""
        return from_db(await self._db.fetch_value(
            "SELECT MIN(received_at) FROM inbox WHERE handled_at IS NULL"
        ))

    async def is_handled(self, update_id: int) -> bool:
        value = await self._db.fetch_value(
            "SELECT handled_at FROM inbox WHERE update_id = ?", (update_id,)
        )
        return value is not None

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO inbox (update_id, payload, received_at, handled_at) VALUES (?, '{}', ?, ?)"
            " ON CONFLICT (update_id) DO UPDATE SET handled_at = excluded.handled_at",
            (update_id, to_db(now), to_db(now)),
        )

    async def unhandled(self) -> list[dict[str, Any]]:
        rows = await self._db.fetch_all(
            "SELECT payload FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
        )
        return [json.loads(row[0]) for row in rows]

    async def prune(self, handled_before: datetime) -> int:
        """Handled updates are kept a while to recognise late redeliveries, then dropped."""
        return await self._db.execute(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?",
            (to_db(handled_before),),
        )

    async def kept_about(self, user_id: int) -> list[dict[str, Any]]:
        """Her part of each stored update that names her: when it came, and what she sent
        (her name as Telegram gave it, the chat, her text or the button she pressed). The rest
        of an update (a bot message under a button, someone else's message) is not about her."""
        rows = await self._db.fetch_all(
            f"SELECT update_id, payload, received_at, handled_at FROM inbox WHERE {_NAMES_USER}"
            " ORDER BY update_id",
            {"user": user_id},
        )
        return [{"update_id": row["update_id"], "received_at": _iso(row["received_at"]),
                 "handled_at": _iso(row["handled_at"]),
                 **her_part(json.loads(row["payload"]), user_id)} for row in rows]

    async def forget(self, user_id: int) -> int:
        """Every stored update that names her keeps only its id (so a redelivery is still
        recognised), handled or not: also the one that asked for this, still being handled."""
        return await self._db.execute(
            f"UPDATE inbox SET payload = json_object('update_id', update_id) WHERE {_NAMES_USER}",
            {"user": user_id},
        )


_NAMES_USER = (
    "CASE WHEN json_valid(inbox.payload) THEN EXISTS (SELECT 1 FROM json_tree(inbox.payload) AS"
    " node WHERE node.key = 'id' AND node.type = 'integer' AND node.atom = :user) ELSE 0 END"
)
"""An update names a person when any `id` in it is theirs: the sender, the private chat, a
member who joined or left, the author of a message replied to."""
_PERSON_FIELDS = ("id", "first_name", "last_name", "username", "language_code")
_KINDS = ("message", "callback_query", "my_chat_member", "chat_member")


def _iso(text: str | None) -> str | None:
    moment = from_db(text)
    return None if moment is None else moment.isoformat()


def _person(value: Any, user_id: int) -> dict[str, Any] | None:
    if not isinstance(value, dict) or value.get("id") != user_id:
        return None
    return {key: value[key] for key in _PERSON_FIELDS if key in value}


def her_part(update: dict[str, Any], user_id: int) -> dict[str, Any]:
    """What one stored update holds about `user_id`, as plain JSON: what she wrote or pressed
    only when she sent it (someone else's message that replies to hers stays theirs)."""
    kind = next((name for name in _KINDS if isinstance(update.get(name), dict)), None)
    if kind is None:
        return {"kind": "other"}
    body: dict[str, Any] = update[kind]
    part: dict[str, Any] = {"kind": kind}
    message = body.get("message") if kind == "callback_query" else body
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict):
        part["chat"] = {key: chat[key] for key in ("id", "type", "title") if key in chat}
    member = body.get("new_chat_member")
    sender = _person(body.get("from"), user_id)
    you = sender or _person(member.get("user") if isinstance(member, dict) else None, user_id)
    if kind == "message":
        joined = [_person(m, user_id) for m in body.get("new_chat_members") or []]
        left = _person(body.get("left_chat_member"), user_id)
        you = you or next((m for m in joined if m), None) or left
        if any(joined) or left:
            part["joined_or_left"] = True
    if you is not None:
        part["you"] = you
    if kind == "message" and sender is not None:
        part.update({key: body[key] for key in ("date", "text", "caption") if key in body})
    elif kind == "callback_query" and sender is not None:
        part["button"] = body.get("data")
    elif isinstance(member, dict):
        part.update({"date": body.get("date"), "status": member.get("status")})
    return part
