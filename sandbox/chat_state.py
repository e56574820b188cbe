"""What the sandbox's Telegram keeps about a chat: a group's members and their roles, a
private chat's state, a pressed button, and the ChatMember object Telegram sends for a role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.models import CallbackAnswer, SandboxChat, SandboxUser

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
ADMIN_STATUSES = frozenset({"creator", "administrator"})


def chat_member_dict(user: SandboxUser, status: str, *, supergroup: bool) -> dict[str, Any]:
    """A ChatMember object with every field its status requires."""
    data: dict[str, Any] = {"status": status, "user": user.to_dict()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
        if supergroup:
            data["can_manage_topics"] = False
    elif status == "kicked":
        data["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown member status {status!r}")
    return data


@dataclass
class GroupState:
    """A group as Telegram knows it: who is in it and in what role."""

    chat: SandboxChat
    members: dict[int, str] = field(default_factory=dict)  # user id → status
    creator_id: int | None = None
    bot_was_member: bool = False
    bot_added_by: int | None = None
    migrated_to: int | None = None
    pinned: list[int] = field(default_factory=list)

    @property
    def is_supergroup(self) -> bool:
        return self.chat.type == "supergroup"

    def status(self, user_id: int) -> str:
        return self.members.get(user_id, "left")


@dataclass
class PrivateState:
    """A user's private chat with the bot."""

    started: bool = False  # the user wrote first, so the bot may write to them
    blocked: bool = False


@dataclass
class CallbackQueryState:
    query_id: str
    user: SandboxUser
    chat_id: int
    message_id: int
    data: str
    answer: CallbackAnswer | None = None
