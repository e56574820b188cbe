"""The bot's update queue as Telegram keeps it: updates wait until a getUpdates offset
confirms them; a redelivered one survives confirmation until fetched once."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

FIRST_UPDATE_ID = 500_000_001


@dataclass
class QueuedUpdate:
    update_id: int
    body: dict[str, Any]  # the update without update_id: {"message": {...}}
    delivered: bool = False
    sticky: bool = False  # a redelivery: survives confirmation until fetched once
    raw: bool = False  # queued verbatim by a test; may break the spec on purpose

    @property
    def kind(self) -> str:
        return next(iter(self.body), "")

    def to_dict(self) -> dict[str, Any]:
        return {"update_id": self.update_id, **copy.deepcopy(self.body)}


class UpdateQueue:
    """Telegram's per-bot queue: updates wait until a getUpdates offset confirms them."""

    def __init__(self, first_id: int = FIRST_UPDATE_ID) -> None:
        self._next_id = first_id
        self.pending: list[QueuedUpdate] = []
        self.history: dict[int, QueuedUpdate] = {}
        self.delivered: list[int] = []
        """The id of every update handed to the bot, in order (a redelivery appears again)."""

    def push(self, body: dict[str, Any], *, raw: bool = False) -> int:
        update = QueuedUpdate(self._next_id, body, raw=raw)
        self._next_id += 1
        self.pending.append(update)
        self.history[update.update_id] = update
        return update.update_id

    def redeliver(self, update_id: int) -> None:
        original = self.history.get(update_id)
        if original is None:
            raise LookupError(f"no update {update_id} was ever queued")
        again = QueuedUpdate(update_id, copy.deepcopy(original.body), sticky=True, raw=original.raw)
        self.pending.append(again)
        self.pending.sort(key=lambda u: u.update_id)

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset."""
        if offset < 0:
            self.pending = self.pending[offset:]
            return
        self.pending = [u for u in self.pending if u.update_id >= offset or (u.sticky and not u.delivered)]

    def take(self, limit: int) -> list[QueuedUpdate]:
        batch = self.pending[:limit]
        for update in batch:
            update.delivered = True
            update.sticky = False
            self.delivered.append(update.update_id)
        return batch

    def acknowledge(self, update: QueuedUpdate) -> None:
        """A webhook answered 2xx for `update`: it was handed over and leaves the queue."""
        update.delivered = True
        update.sticky = False
        self.delivered.append(update.update_id)
        self.pending = [u for u in self.pending if u is not update]

    def clear(self) -> None:
        self.pending.clear()

    @property
    def all_delivered(self) -> bool:
        return all(u.delivered for u in self.pending)
