"""What the bot may ask of a chat and do in it: its details, members and admins, pins, chat
actions and leaving."""

from __future__ import annotations

from sandbox.errors import bad_request
from sandbox.methods.base import ApiBase, Reply
from sandbox.params import Params
from sandbox.world import MEMBER_STATUSES, chat_member_dict

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip


class ChatMethods(ApiBase):
    async def get_chat(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        info = self.world.chat_dict(chat_id)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        )
        state = self.world.group(chat_id)
        if state is not None:
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
            }
            live = [
                m
                for mid in state.pinned
                if (m := self.world.get_message(chat_id, mid)) is not None and not m.deleted
            ]
            if live:
                info["pinned_message"] = live[-1].to_dict(with_reply=False)
        return Reply(info, chat_id)

    async def get_chat_member(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        user = self.world.user_by_id(p.need_int("user_id"))
        if user is None:
            raise bad_request("user not found")
        return Reply(self.world.member_dict(chat_id, user), chat_id)

    async def get_chat_administrators(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        state = self.world.group(chat_id)
        if state is None:
            raise bad_request("there are no administrators in the private chat")
        order = ("creator", "administrator")
        admins = sorted(
            (uid for uid, status in state.members.items() if status in order),
            key=lambda uid: order.index(state.members[uid]),
        )
        result = []
        for user_id in admins:
            user = self.world.user_by_id(user_id)
            if user is not None:
                result.append(chat_member_dict(user, state.members[user_id], supergroup=state.is_supergroup))
        return Reply(result, chat_id)

    async def get_chat_member_count(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        state = self.world.group(chat_id)
        if state is None:
            return Reply(2, chat_id)
        count = sum(1 for status in state.members.values() if status in MEMBER_STATUSES)
        return Reply(count, chat_id)

    # -- pins ----------------------------------------------------------------------------------

    def _pin_rights(self, p: Params) -> int:
        chat_id = self._writable_chat(p)
        if not self._is_admin(chat_id):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        return chat_id

    async def pin(self, p: Params) -> Reply:
        chat_id = self._pin_rights(p)
        message = self.world.get_message(chat_id, p.need_int("message_id"))
        if message is None or message.deleted or message.is_service:
            raise bad_request("message to pin not found")
        p.get_bool("disable_notification")
        state = self.world.group(chat_id)
        if state is not None:
            if message.message_id in state.pinned:
                state.pinned.remove(message.message_id)
            state.pinned.append(message.message_id)
        self._bot_message(chat_id, service={"pinned_message": message.to_dict(with_reply=False)})
        return Reply(True, chat_id)

    async def unpin(self, p: Params) -> Reply:
        chat_id = self._pin_rights(p)
        state = self.world.group(chat_id)
        message_id = p.get_int("message_id")
        if message_id is not None and self.world.get_message(chat_id, message_id) is None:
            raise bad_request("message to unpin not found")
        if state is not None and state.pinned:
            if message_id is None:
                state.pinned.pop()
            elif message_id in state.pinned:
                state.pinned.remove(message_id)
        return Reply(True, chat_id)

    async def unpin_all(self, p: Params) -> Reply:
        chat_id = self._pin_rights(p)
        state = self.world.group(chat_id)
        if state is not None:
            state.pinned.clear()
        return Reply(True, chat_id)

    async def send_chat_action(self, p: Params) -> Reply:
        chat_id = self._writable_chat(p)
        p.get_int("message_thread_id")
        if p.need_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return Reply(True, chat_id)

    async def leave_chat(self, p: Params) -> Reply:
        chat_id = self._chat(p)
        if chat_id > 0:
            raise bad_request("chat member status can't be changed in private chats")
        self.world.bot_leaves(chat_id)
        return Reply(True, chat_id)
