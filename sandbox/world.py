"""The sandbox's Telegram: accounts, chats, membership, messages and the bot's update queue.

Plain Python without HTTP, so that the Bot API server and an interactive playground can share
one world. Actions of people (send, join, press a button) are methods here that raise
ValueError/LookupError when the action is impossible; what the bot may do is decided by the
Bot API layer on top.
"""

from __future__ import annotations

import copy
import mimetypes
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sandbox.models import (
    BotEvent,
    CallbackAnswer,
    FileInfo,
    SandboxChat,
    SandboxMessage,
    SandboxUser,
    StoredFile,
)
from sandbox.text_entities import detect_entities

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
ADMIN_STATUSES = frozenset({"creator", "administrator"})
# Update kinds Telegram leaves out unless the bot lists them in allowed_updates.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
FIRST_USER_ID = 7_000_000_001  # above 2**32: real user ids no longer fit 32 bits
FIRST_BASIC_GROUP_ID = -4001
FIRST_SUPERGROUP_ID = -1_002_000_000_001
FIRST_UPDATE_ID = 500_000_001
_COMMAND_AT_START = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@([A-Za-z0-9_]{3,32}))?(?=\s|$)")


def bot_id_from_token(token: str) -> int:
    """Telegram's bot id is the token's number before the colon."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 1


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

    def clear(self) -> None:
        self.pending.clear()

    @property
    def all_delivered(self) -> bool:
        return all(u.delivered for u in self.pending)


class World:
    """Everything the sandbox's Telegram knows; no networking and no asyncio."""

    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_first_name: str,
        clock: Callable[[], float],
    ) -> None:
        self.token = token
        self.clock = clock
        self.bot_user = SandboxUser(
            id=bot_id_from_token(token),
            first_name=bot_first_name,
            username=bot_username,
            is_bot=True,
        )
        self.users: dict[int, SandboxUser] = {}
        self.groups: dict[int, GroupState] = {}
        self.private: dict[int, PrivateState] = {}
        self.messages: dict[int, dict[int, SandboxMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self.updates = UpdateQueue()
        self.allowed_updates: list[str] = []
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (field, language) → text
        self.events: list[BotEvent] = []
        self._listeners: list[Callable[[], None]] = []
        self._next_user_id = FIRST_USER_ID
        self._next_basic_group_id = FIRST_BASIC_GROUP_ID
        self._next_supergroup_id = FIRST_SUPERGROUP_ID
        self._next_query_id = 4_217_000_000_000_000_001
        self._next_file = 1

    # -- change notification -------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every change (new update, event, membership)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def now(self) -> int:
        return int(self.clock())

    def record(self, event: BotEvent) -> None:
        self.events.append(event)
        self.notify()

    # -- people and chats ----------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = "nl",
    ) -> SandboxUser:
        user = SandboxUser(self._next_user_id, first_name, last_name, username, language_code)
        self._next_user_id += 1
        self.users[user.id] = user
        return user

    def _known(self, user: SandboxUser) -> SandboxUser:
        if user.id == self.bot_user.id:
            return self.bot_user
        if user.id not in self.users:
            raise ValueError(f"{user.first_name} was not added to the sandbox")
        return self.users[user.id]

    def user_by_id(self, user_id: int) -> SandboxUser | None:
        if user_id == self.bot_user.id:
            return self.bot_user
        return self.users.get(user_id)

    def add_group(
        self,
        title: str,
        *,
        members: Sequence[SandboxUser] = (),
        admins: Sequence[SandboxUser] = (),
        creator: SandboxUser | None = None,
        supergroup: bool = False,
    ) -> SandboxChat:
        if supergroup:
            chat = SandboxChat(self._next_supergroup_id, "supergroup", title)
            self._next_supergroup_id -= 1
        else:
            chat = SandboxChat(self._next_basic_group_id, "group", title)
            self._next_basic_group_id -= 1
        state = GroupState(chat, creator_id=creator.id if creator else None)
        for user in members:
            state.members[self._known(user).id] = "member"
        for user in admins:
            state.members[self._known(user).id] = "administrator"
        if creator is not None:
            state.members[self._known(creator).id] = "creator"
        self.groups[chat.id] = state
        self.messages[chat.id] = {}
        founder = self._actor(state)
        if not supergroup and founder is not None:
            self._post(self._service(chat.id, founder, group_chat_created=True))
        return chat

    def group(self, chat_id: int) -> GroupState | None:
        return self.groups.get(chat_id)

    def active_group(self, chat: SandboxChat | int) -> GroupState:
        """The group for a person's action; refuses unknown and migrated groups."""
        chat_id = chat if isinstance(chat, int) else chat.id
        state = self.groups.get(chat_id)
        if state is None:
            raise ValueError(f"chat {chat_id} is not a group in this sandbox")
        if state.migrated_to is not None:
            raise ValueError(
                f"{state.chat.title} was upgraded to supergroup {state.migrated_to}; use that chat"
            )
        return state

    def _actor(self, state: GroupState) -> SandboxUser | None:
        """Whoever acts for the group when nobody is named: its creator, else an admin."""
        ranked = sorted(
            (uid for uid, status in state.members.items() if status in MEMBER_STATUSES),
            key=lambda uid: ("creator", "administrator", "member", "restricted").index(state.members[uid]),
        )
        for user_id in ([state.creator_id] if state.creator_id else []) + ranked:
            if user_id != self.bot_user.id and user_id in self.users:
                return self.users[user_id]
        return None

    def chat_dict(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return self.users[chat_id].private_chat_dict()
        return self.groups[chat_id].chat.to_dict()

    def member_dict(self, chat_id: int, user: SandboxUser) -> dict[str, Any]:
        if chat_id > 0:
            status = "member" if user.id in (chat_id, self.bot_user.id) else "left"
            return chat_member_dict(user, status, supergroup=False)
        state = self.groups[chat_id]
        return chat_member_dict(user, state.status(user.id), supergroup=state.is_supergroup)

    def bot_status(self, chat_id: int) -> str:
        state = self.groups.get(chat_id)
        return state.status(self.bot_user.id) if state else "left"

    def private_state(self, user_id: int) -> PrivateState:
        return self.private.setdefault(user_id, PrivateState())

    # -- messages ------------------------------------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def put(self, message: SandboxMessage) -> SandboxMessage:
        """Store `message` as the current version of its message."""
        self.messages.setdefault(message.chat_id, {})[message.message_id] = message
        return message

    def get_message(self, chat_id: int, message_id: int) -> SandboxMessage | None:
        """The current version, deleted or not; None if it never existed."""
        return self.messages.get(chat_id, {}).get(message_id)

    def chat_messages(self, chat_id: int) -> list[SandboxMessage]:
        stored = self.messages.get(chat_id, {})
        return [stored[key] for key in sorted(stored)]

    def new_message(self, chat_id: int, sender: SandboxUser, **fields: Any) -> SandboxMessage:
        return SandboxMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            chat=self.chat_dict(chat_id),
            from_user=sender,
            date=self.now(),
            **fields,
        )

    def _service(self, chat_id: int, sender: SandboxUser, **service: Any) -> SandboxMessage:
        return self.new_message(chat_id, sender, service=service)

    def _bot_reads(self, message: SandboxMessage) -> bool:
        """Whether Telegram hands `message` to the bot (privacy mode on)."""
        if message.from_user.id == self.bot_user.id:
            return False
        if message.chat_id > 0:
            return True
        status = self.bot_status(message.chat_id)
        if status not in MEMBER_STATUSES:
            return False
        if message.is_service or status in ADMIN_STATUSES:
            return True  # privacy mode does not apply to bots that are admins
        command = _COMMAND_AT_START.match(message.text)
        if command is not None:
            target = command.group(1)
            return target is None or target.lower() == (self.bot_user.username or "").lower()
        return message.reply_to is not None and message.reply_to.from_user.id == self.bot_user.id

    def _post(self, message: SandboxMessage) -> SandboxMessage:
        """Store a message from a person and queue it for the bot if the bot may read it."""
        self.put(message)
        if self._bot_reads(message):
            update_id = self.queue_update("message", message.to_dict())
            if update_id is not None:
                message = self.put(replace(message, update_id=update_id))
        return message

    # -- the bot's update queue ----------------------------------------------------------------

    def wants(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED_UPDATES

    def queue_update(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update unless the bot's allowed_updates leave it out (Telegram drops it)."""
        if not self.wants(kind):
            return None
        update_id = self.updates.push({kind: payload})
        self.notify()
        return update_id

    def raw_update(self, payload: dict[str, Any]) -> int:
        body = {k: copy.deepcopy(v) for k, v in payload.items() if k != "update_id"}
        update_id = self.updates.push(body, raw=True)
        self.notify()
        return update_id

    def redeliver(self, update_id: int) -> None:
        self.updates.redeliver(update_id)
        self.notify()

    def _member_update(
        self,
        kind: str,
        chat_id: int,
        actor: SandboxUser,
        user: SandboxUser,
        old: str,
        new: str,
    ) -> None:
        supergroup = chat_id < 0 and self.groups[chat_id].is_supergroup
        self.queue_update(
            kind,
            {
                "chat": self.chat_dict(chat_id),
                "from": actor.to_dict(),
                "date": self.now(),
                "old_chat_member": chat_member_dict(user, old, supergroup=supergroup),
                "new_chat_member": chat_member_dict(user, new, supergroup=supergroup),
            },
        )

    def _member_change(
        self, state: GroupState, actor: SandboxUser, user: SandboxUser, old: str, new: str
    ) -> None:
        """chat_member for others (bot must be admin), my_chat_member for the bot itself."""
        if user.id == self.bot_user.id:
            self._member_update("my_chat_member", state.chat.id, actor, user, old, new)
        elif state.status(self.bot_user.id) in ADMIN_STATUSES:
            self._member_update("chat_member", state.chat.id, actor, user, old, new)

    # -- what people do ------------------------------------------------------------------------

    def add_bot_to_group(self, chat: SandboxChat, by: SandboxUser, *, as_admin: bool) -> None:
        state = self.active_group(chat)
        by = self._known(by)
        if state.status(by.id) not in MEMBER_STATUSES:
            raise ValueError(f"{by.first_name} is not in {chat.title} and cannot add the bot")
        old = state.status(self.bot_user.id)
        if old in MEMBER_STATUSES:
            raise ValueError(f"the bot is already in {chat.title}")
        new = "administrator" if as_admin else "member"
        state.members[self.bot_user.id] = new
        state.bot_was_member = True
        state.bot_added_by = by.id
        self._member_change(state, by, self.bot_user, old, new)
        self._post(self._service(chat.id, by, new_chat_members=[self.bot_user.to_dict()]))

    def remove_bot_from_group(self, chat: SandboxChat, by: SandboxUser, *, kicked: bool) -> None:
        state = self.active_group(chat)
        by = self._known(by)
        if state.status(by.id) not in ADMIN_STATUSES and state.bot_added_by != by.id:
            raise ValueError(f"{by.first_name} is no admin of {chat.title} and cannot remove the bot")
        old = state.status(self.bot_user.id)
        if old not in MEMBER_STATUSES:
            raise ValueError(f"the bot is not in {chat.title}")
        new = "kicked" if kicked else "left"
        state.members[self.bot_user.id] = new
        self._member_change(state, by, self.bot_user, old, new)
        self._post(self._service(chat.id, by, left_chat_member=self.bot_user.to_dict()))

    def join(self, chat: SandboxChat, user: SandboxUser) -> SandboxMessage:
        state = self.active_group(chat)
        user = self._known(user)
        old = state.status(user.id)
        if old in MEMBER_STATUSES:
            raise ValueError(f"{user.first_name} is already in {chat.title}")
        if old == "kicked":
            raise ValueError(f"{user.first_name} is banned from {chat.title}")
        state.members[user.id] = "member"
        message = self._post(self._service(chat.id, user, new_chat_members=[user.to_dict()]))
        self._member_change(state, user, user, old, "member")
        return message

    def leave(self, chat: SandboxChat, user: SandboxUser) -> SandboxMessage:
        state = self.active_group(chat)
        user = self._known(user)
        old = state.status(user.id)
        if old not in MEMBER_STATUSES:
            raise ValueError(f"{user.first_name} is not in {chat.title}")
        state.members[user.id] = "left"
        message = self._post(self._service(chat.id, user, left_chat_member=user.to_dict()))
        self._member_change(state, user, user, old, "left")
        return message

    def set_admin(self, chat: SandboxChat, user: SandboxUser, admin: bool) -> None:
        state = self.active_group(chat)
        user = self._known(user)
        old = state.status(user.id)
        if old not in MEMBER_STATUSES:
            raise ValueError(f"{user.first_name} is not in {chat.title}")
        if old == "creator":
            raise ValueError(f"{user.first_name} created {chat.title}; their rights cannot change")
        new = "administrator" if admin else "member"
        if old == new:
            return
        state.members[user.id] = new
        actor = self._actor(state) or user
        self._member_change(state, actor, user, old, new)

    def user_message(
        self,
        user: SandboxUser,
        chat_id: int,
        text: str,
        *,
        reply_to: SandboxMessage | None = None,
    ) -> SandboxMessage:
        user = self._known(user)
        if not text:
            raise ValueError("Telegram does not send empty messages")
        if chat_id > 0:
            if chat_id != user.id:
                raise ValueError("a user writes to the bot only in their own private chat")
            state = self.private_state(user.id)
            if state.blocked:
                raise ValueError(f"{user.first_name} blocked the bot; unblock it first")
            state.started = True
        else:
            group = self.active_group(chat_id)
            if group.status(user.id) not in MEMBER_STATUSES:
                raise ValueError(f"{user.first_name} is not in {group.chat.title}")
        if reply_to is not None:
            current = self.get_message(chat_id, reply_to.message_id)
            if reply_to.chat_id != chat_id or current is None or current.deleted:
                raise ValueError("a reply needs a message that still exists in the same chat")
            reply_to = current
        message = self.new_message(
            chat_id, user, text=text, entities=detect_entities(text), reply_to=reply_to
        )
        return self._post(message)

    def press(self, user: SandboxUser, message: SandboxMessage, button: str) -> str:
        """Press a callback button on the current version of `message`; the query id."""
        current = self._visible_message(message)
        for row in current.buttons():
            for candidate in row:
                if "callback_data" in candidate and button in (
                    candidate.get("text"),
                    candidate["callback_data"],
                ):
                    return self.callback_query(user, current, str(candidate["callback_data"]))
        raise LookupError(
            f"no callback button {button!r} on message {current.message_id}; "
            f"buttons now: {current.button_texts()}"
        )

    def _visible_message(self, message: SandboxMessage) -> SandboxMessage:
        current = self.get_message(message.chat_id, message.message_id)
        if current is None or current.deleted:
            raise LookupError(f"message {message.message_id} no longer exists")
        return current

    def callback_query(self, user: SandboxUser, message: SandboxMessage, data: str) -> str:
        """A callback query with any data on the current `message`, as a modified client could send."""
        user = self._known(user)
        current = self._visible_message(message)
        if current.chat_id > 0:
            if current.chat_id != user.id:
                raise ValueError(f"{user.first_name} cannot see another user's private chat")
            if self.private_state(user.id).blocked:
                raise ValueError(f"{user.first_name} blocked the bot")
        elif self.groups[current.chat_id].status(user.id) not in MEMBER_STATUSES:
            raise ValueError(f"{user.first_name} is not in that group")
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        self.callback_queries[query_id] = CallbackQueryState(
            query_id, user, current.chat_id, current.message_id, data
        )
        self.queue_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": current.to_dict(),
                "chat_instance": str((current.chat_id * 2_654_435_761) % (2**62)),
                "data": data,
            },
        )
        return query_id

    def block_bot(self, user: SandboxUser) -> None:
        user = self._known(user)
        state = self.private_state(user.id)
        if state.blocked:
            return
        state.blocked = True
        if state.started:
            self._private_member_update(user, "member", "kicked")

    def unblock_bot(self, user: SandboxUser) -> None:
        user = self._known(user)
        state = self.private_state(user.id)
        if not state.blocked:
            return
        state.blocked = False
        if state.started:
            self._private_member_update(user, "kicked", "member")

    def _private_member_update(self, user: SandboxUser, old: str, new: str) -> None:
        self.queue_update(
            "my_chat_member",
            {
                "chat": user.private_chat_dict(),
                "from": user.to_dict(),
                "date": self.now(),
                "old_chat_member": chat_member_dict(self.bot_user, old, supergroup=False),
                "new_chat_member": chat_member_dict(self.bot_user, new, supergroup=False),
            },
        )

    def bot_leaves(self, chat_id: int) -> None:
        """The bot leaves a group on its own (leaveChat)."""
        state = self.groups[chat_id]
        old = state.status(self.bot_user.id)
        state.members[self.bot_user.id] = "left"
        self._member_change(state, self.bot_user, self.bot_user, old, "left")
        self.put(self._service(chat_id, self.bot_user, left_chat_member=self.bot_user.to_dict()))

    def migrate_to_supergroup(self, chat: SandboxChat) -> SandboxChat:
        old = self.active_group(chat)
        if old.is_supergroup:
            raise ValueError(f"{chat.title} is already a supergroup")
        new_chat = SandboxChat(self._next_supergroup_id, "supergroup", old.chat.title)
        self._next_supergroup_id -= 1
        self.groups[new_chat.id] = GroupState(
            new_chat,
            members=dict(old.members),
            creator_id=old.creator_id,
            bot_was_member=old.bot_was_member,
            bot_added_by=old.bot_added_by,
        )
        self.messages[new_chat.id] = {}
        old.migrated_to = new_chat.id
        actor = self._actor(old) or self.bot_user
        self._post(self._service(old.chat.id, actor, migrate_to_chat_id=new_chat.id))
        self._post(self._service(new_chat.id, actor, migrate_from_chat_id=old.chat.id))
        return new_chat

    # -- files ---------------------------------------------------------------------------------

    def store_file(
        self,
        data: bytes,
        *,
        kind: str,
        file_name: str | None,
        mime_type: str | None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        prefix = "AgACAgQAAxkDAA" if kind == "photo" else "BQACAgQAAxkDAA"
        info = FileInfo(
            file_id=f"{prefix}{number:08d}",
            file_unique_id=f"AQAD{number:08d}",
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            file_size=len(data),
            width=width,
            height=height,
        )
        if kind == "photo":
            path = f"photos/file_{number}.jpg"
        else:
            extension = ""
            if file_name and "." in file_name:
                extension = "." + file_name.rsplit(".", 1)[1]
            elif mime_type:
                extension = mimetypes.guess_extension(mime_type) or ""
            path = f"documents/file_{number}{extension}"
        stored = StoredFile(info, data, path)
        self.files[info.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)
