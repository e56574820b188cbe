"""What people do in the sandbox's Telegram: add and remove the bot, join and leave, write,
press buttons, block the bot, upgrade a group. Each raises ValueError or LookupError when the
action is impossible."""

from __future__ import annotations

from sandbox.chat_state import (
    ADMIN_STATUSES,
    MEMBER_STATUSES,
    CallbackQueryState,
    GroupState,
    chat_member_dict,
)
from sandbox.models import (
    SandboxChat,
    SandboxMessage,
    SandboxUser,
)
from sandbox.text_entities import detect_entities
from sandbox.world_state import WorldState


class PeopleActions(WorldState):
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
