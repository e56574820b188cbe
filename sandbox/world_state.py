"""The sandbox's Telegram as state: accounts, chats, membership, messages, files and the bot's
update queue, with the rules for what the bot reads and which updates it is sent."""

from __future__ import annotations

import copy
import mimetypes
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sandbox.chat_state import (
    ADMIN_STATUSES,
    MEMBER_STATUSES,
    CallbackQueryState,
    GroupState,
    PrivateState,
    chat_member_dict,
)
from sandbox.models import (
    BotEvent,
    FileInfo,
    SandboxChat,
    SandboxMessage,
    SandboxUser,
    StoredFile,
)
from sandbox.update_queue import UpdateQueue

DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
FIRST_USER_ID = 7_000_000_001  # above 2**32: real user ids no longer fit 32 bits
FIRST_BASIC_GROUP_ID = -4001
FIRST_SUPERGROUP_ID = -1_002_000_000_001
_COMMAND_AT_START = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@([A-Za-z0-9_]{3,32}))?(?=\s|$)")


def bot_id_from_token(token: str) -> int:
    """Telegram's bot id is the token's number before the colon."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 1


class WorldState:
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
