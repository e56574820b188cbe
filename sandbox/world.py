"""The sandbox's Telegram: accounts, chats, membership, messages and the bot's update queue.

Plain Python without HTTP, so that the Bot API server and an interactive playground can share
one world. Actions of people (send, join, press a button) are methods here that raise
ValueError/LookupError when the action is impossible; what the bot may do is decided by the
Bot API layer on top.
"""

from __future__ import annotations

from sandbox.chat_state import (
    ADMIN_STATUSES,
    MEMBER_STATUSES,
    CallbackQueryState,
    GroupState,
    PrivateState,
    chat_member_dict,
)
from sandbox.people import PeopleActions
from sandbox.update_queue import QueuedUpdate, UpdateQueue
from sandbox.world_state import bot_id_from_token

__all__ = [
    "ADMIN_STATUSES",
    "MEMBER_STATUSES",
    "CallbackQueryState",
    "GroupState",
    "PrivateState",
    "QueuedUpdate",
    "UpdateQueue",
    "World",
    "bot_id_from_token",
    "chat_member_dict",
]


class World(PeopleActions):
    """Everything the sandbox's Telegram knows and what people do in it; no networking and no
    asyncio."""
