"""What this feature keeps about a resident, for the export and erasure of personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.prompts import PromptStore


class PromptPreferences:
    """The kinds of prompt a resident muted (/meldingen), whether they were asked to keep them
    after a quiet spell, and an admin's care contact still waiting to be typed."""

    name = "prompts"

    def __init__(self, store: PromptStore) -> None:
        self._store = store

    async def export(self, user_id: int) -> dict[str, Any]:
        return {"muted_prompts": await self._store.mutes_export(user_id),
                "asked_after_quiet_spell": await self._store.quiet_export(user_id)}

    async def forget(self, user_id: int, now: datetime) -> None:
        await self._store.forget_resident(user_id)

    async def expire(self, before: datetime) -> int:
        return await self._store.expire_drafts(before)
