"""Deep links: `https://t.me/<bot>?start=<payload>` opens a private chat carrying a payload.

Telegram allows at most 64 characters of `A-Z a-z 0-9 _ -`. Ours are `<kind>-<token>` where the
token points to a database row, so a link never carries data itself and can expire or be used once.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from pydantic import BaseModel, ConfigDict

PAYLOAD_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TOKEN_BYTES = 9  # 12 url-safe characters


class DeepLink(BaseModel):
    model_config = ConfigDict(frozen=True)

    token: str
    kind: str
    building_id: int | None
    target: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime | None
    single_use: bool
    used_at: datetime | None
    for_user: int | None = None
    """Only this resident may open it (a link in the group meant for one person)."""

    def opens_for(self, user_id: int) -> bool:
        return self.for_user is None or self.for_user == user_id

    def usable_at(self, now: datetime) -> bool:
        if self.expires_at is not None and now >= self.expires_at:
            return False
        return not (self.single_use and self.used_at is not None)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_valid_payload(payload: str) -> bool:
    return bool(PAYLOAD_PATTERN.match(payload))


def link_url(bot_username: str, payload: str) -> str:
    if not is_valid_payload(payload):
        raise ValueError("deep-link payload must be 1-64 of A-Z a-z 0-9 _ -")
    return f"https://t.me/{bot_username}?start={payload}"
