"""Buildings, residents and who belongs where."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.quiet_hours import QuietHours

MEMBERSHIP_TRUSTED_FOR = timedelta(days=30)
"""How long what the bot last heard about someone's place in a group is trusted for an action
there. Telegram does not always tell (the bot may be away, or not an admin, when someone leaves);
after this long, or when nothing is known, Telegram is asked again."""


class MemberStatus(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
    LEFT = "left"


class BuildingSettings(BaseModel):
    """What a group's admins can change in /instellingen."""

    model_config = ConfigDict(frozen=True)

    quiet_hours: QuietHours = QuietHours()
    bump_hours_before: int = Field(default=3, ge=0, le=72)
    max_open_requests: int = Field(default=3, ge=1, le=20)
    digest_enabled: bool = True
    digest_weekday: int = Field(default=6, ge=0, le=6)
    digest_hour: int = Field(default=19, ge=0, le=23)
    nudges_enabled: bool = True
    nudge_after_days: int = Field(default=10, ge=1, le=90)
    care_contact: str = Field(default="", max_length=500)


class Building(BaseModel):
    """One Telegram group: a building, or part of one."""

    model_config = ConfigDict(frozen=True)

    chat_id: int
    title: str
    language: str
    active: bool
    added_at: datetime
    removed_at: datetime | None = None
    settings: BuildingSettings = BuildingSettings()


class Resident(BaseModel):
    """Someone the bot has met, in a group or in a private chat."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    first_name: str
    telegram_language: str | None = None
    language: str | None = None
    started_at: datetime | None = None
    blocked: bool = False
    created_at: datetime
    last_seen_at: datetime
    username: str | None = None
    """As Telegram last showed it; a link to them works whatever their privacy settings."""

    @property
    def can_be_messaged(self) -> bool:
        """Telegram refuses a first private message to someone who never opened the bot."""
        return self.started_at is not None and not self.blocked


_USERNAME = re.compile(r"^[A-Za-z0-9_]{4,32}$")


def valid_username(username: str | None) -> str | None:
    """A Telegram username fit for a t.me link, or None."""
    return username if username is not None and _USERNAME.match(username) else None


class Membership(BaseModel):
    model_config = ConfigDict(frozen=True)

    building_id: int
    user_id: int
    status: MemberStatus
    joined_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None = None
    """When Telegram last told us where this person stands here; None when that is unknown."""

    @property
    def is_current(self) -> bool:
        return self.status is not MemberStatus.LEFT

    def needs_check(self, now: datetime) -> bool:
        """Ask Telegram before trusting this record for an action."""
        return self.confirmed_at is None or now - self.confirmed_at > MEMBERSHIP_TRUSTED_FOR
