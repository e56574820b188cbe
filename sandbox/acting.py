"""The people in the sandbox act: groups and members change, people write, open links and press
buttons. `say`, `tap` and `open_private` are the resident actions every end-to-end test
shares; the rest are the finer steps they are built on."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.core import ChatLike, SandboxCore, chat_id_of
from sandbox.models import CallbackAnswer, SandboxChat, SandboxMessage, SandboxUser
from sandbox.world import MEMBER_STATUSES

_START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LINK_HOSTS = ("t.me", "www.t.me", "telegram.me", "www.telegram.me")


@dataclass
class CallbackResult:
    """A button press; `answer()` waits for the bot's answerCallbackQuery."""

    query_id: str
    sandbox: Acting = field(repr=False)

    async def answer(self, timeout: float = 10.0) -> CallbackAnswer:
        return await self.sandbox.callback_answer(self.query_id, timeout=timeout)


class Acting(SandboxCore):
    # -- the resident actions end-to-end tests share ---------------------------------------------

    async def say(
        self,
        user: SandboxUser,
        chat: ChatLike,
        text: str,
        *,
        mention: bool | None = None,
        reply_to: SandboxMessage | None = None,
    ) -> SandboxMessage:
        """`user` writes `text` in a group or (with the user as `chat`) their private chat.

        A text that starts with "/" is a command: in a group it is addressed to the bot
        (`/vraag@OmzienBot args`, as Telegram's command menu writes it) unless `mention=False`
        or it already names a bot; otherwise the text goes as typed."""
        if mention is None:
            mention = chat_id_of(chat) < 0
        head, space, rest = text.partition(" ")
        if mention and text.startswith("/") and "@" not in head:
            text = f"{head}@{self.bot_user.username}" + (f"{space}{rest}" if rest else "")
        return await self.send(user, chat, text, reply_to=reply_to)

    async def tap(
        self, user: SandboxUser, message: SandboxMessage, button: str, *, forged: bool = False
    ) -> CallbackResult:
        """`user` taps the button on `message` whose text or callback data is `button`, as the
        message is now (LookupError when it has no such button). `forged=True` sends `button`
        as callback data whatever the message shows, as a tampered client could."""
        if forged:
            return await self.press_data(user, message, button)
        return await self.press(user, message, button)

    async def open_private(
        self, user: SandboxUser, payload_or_link: str | None = None
    ) -> SandboxMessage:
        """`user` opens their private chat with the bot: START (`/start`), with a start payload,
        or by following a deep link (`https://t.me/OmzienBot?start=...`) as Telegram does."""
        if payload_or_link is not None and "://" in payload_or_link:
            return await self.open_link(user, payload_or_link)
        return await self.start_private(user, payload_or_link)

    # -- the finer steps -------------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = "nl",
    ) -> SandboxUser:
        return self.world.add_user(first_name, last_name, username=username, language_code=language_code)

    def add_group(
        self,
        title: str,
        *,
        members: Sequence[SandboxUser] = (),
        admins: Sequence[SandboxUser] = (),
        creator: SandboxUser | None = None,
        supergroup: bool = False,
    ) -> SandboxChat:
        return self.world.add_group(
            title, members=members, admins=admins, creator=creator, supergroup=supergroup
        )

    async def add_bot_to_group(self, chat: SandboxChat, *, by: SandboxUser, as_admin: bool = False) -> None:
        self.world.add_bot_to_group(chat, by, as_admin=as_admin)
        await asyncio.sleep(0)

    async def remove_bot_from_group(self, chat: SandboxChat, *, by: SandboxUser, kicked: bool = True) -> None:
        self.world.remove_bot_from_group(chat, by, kicked=kicked)
        await asyncio.sleep(0)

    async def join(self, chat: SandboxChat, user: SandboxUser) -> None:
        self.world.join(chat, user)
        await asyncio.sleep(0)

    async def leave(self, chat: SandboxChat, user: SandboxUser) -> None:
        self.world.leave(chat, user)
        await asyncio.sleep(0)

    async def set_admin(self, chat: SandboxChat, user: SandboxUser, admin: bool = True) -> None:
        self.world.set_admin(chat, user, admin)
        await asyncio.sleep(0)

    def is_member(self, chat: SandboxChat, user: SandboxUser) -> bool:
        state = self.world.group(chat.id)
        return state is not None and state.status(user.id) in MEMBER_STATUSES

    # -- what people say and press -------------------------------------------------------------

    async def send(
        self,
        user: SandboxUser,
        chat: ChatLike,
        text: str,
        *,
        reply_to: SandboxMessage | None = None,
    ) -> SandboxMessage:
        """`user` writes `text`; a user as `chat` means their private chat with the bot."""
        message = self.world.user_message(user, chat_id_of(chat), text, reply_to=reply_to)
        await asyncio.sleep(0)
        return message

    async def command(
        self,
        user: SandboxUser,
        chat: ChatLike,
        command: str,
        args: str = "",
        *,
        mention: bool | None = None,
    ) -> SandboxMessage:
        """`/command args`; in groups addressed as `/command@Bot` unless `mention=False`."""
        if mention is None:
            mention = chat_id_of(chat) < 0
        text = "/" + command.lstrip("/")
        if mention:
            text += f"@{self.bot_user.username}"
        if args:
            text += f" {args}"
        return await self.send(user, chat, text)

    async def start_private(self, user: SandboxUser, payload: str | None = None) -> SandboxMessage:
        """The user opens the bot (START); from then on the bot may write to them."""
        return await self.send(user, user, f"/start {payload}" if payload else "/start")

    async def open_link(
        self, user: SandboxUser, url: str, *, group: SandboxChat | None = None
    ) -> SandboxMessage:
        """Follow a t.me link to this bot as Telegram does.

        `?start=P` sends "/start P" in the private chat; `?startgroup=P` adds the bot to `group`
        (which the user picks in Telegram) and sends "/start@Bot P" there. Telegram drops a
        payload that is not 1-64 characters of A-Z, a-z, 0-9, _ and -, and so does this.
        """
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.scheme in ("http", "https") and parts.netloc.lower() in _LINK_HOSTS:
            name = parts.path.strip("/")
        elif parts.scheme == "tg" and parts.netloc == "resolve":
            name = query.get("domain", [""])[0]
        else:
            raise ValueError(f"{url!r} is not a Telegram link")
        if name.lower() != (self.bot_user.username or "").lower():
            raise ValueError(f"{url!r} does not open @{self.bot_user.username}")
        if "start" in query:
            payload = query["start"][0]
            return await self.start_private(user, payload if _START_PAYLOAD.match(payload) else None)
        if "startgroup" in query:
            if group is None:
                raise ValueError("a ?startgroup= link needs the group the user picks (group=...)")
            payload = query["startgroup"][0]
            if not self.is_member(group, self.bot_user):
                await self.add_bot_to_group(group, by=user)
            args = payload if _START_PAYLOAD.match(payload) else ""
            return await self.command(user, group, "start", args, mention=True)
        raise ValueError(f"{url!r} is not a start link")

    async def press(self, user: SandboxUser, message: SandboxMessage, button: str) -> CallbackResult:
        """Press a callback button (by text or callback_data) on the message as it is now."""
        query_id = self.world.press(user, message, button)
        await asyncio.sleep(0)
        return CallbackResult(query_id, self)

    async def press_together(
        self, presses: Sequence[tuple[SandboxUser, SandboxMessage, str]]
    ) -> list[CallbackResult]:
        """Several people press at the same moment: the presses are queued together, so the bot
        fetches them in one batch."""
        query_ids = [self.world.press(user, message, button) for user, message, button in presses]
        await asyncio.sleep(0)
        return [CallbackResult(query_id, self) for query_id in query_ids]

    async def press_data(self, user: SandboxUser, message: SandboxMessage, data: str) -> CallbackResult:
        """A callback query with arbitrary `data` on `message`, as a tampered client could send."""
        query_id = self.world.callback_query(user, message, data)
        await asyncio.sleep(0)
        return CallbackResult(query_id, self)

    async def callback_answer(self, query_id: str, *, timeout: float = 10.0) -> CallbackAnswer:
        def answered() -> CallbackAnswer | None:
            state = self.world.callback_queries.get(query_id)
            return state.answer if state is not None else None

        return await self._until(answered, timeout, f"an answer to callback query {query_id}")

    async def block_bot(self, user: SandboxUser) -> None:
        self.world.block_bot(user)
        await asyncio.sleep(0)

    async def unblock_bot(self, user: SandboxUser) -> None:
        self.world.unblock_bot(user)
        await asyncio.sleep(0)

    async def migrate_to_supergroup(self, chat: SandboxChat) -> SandboxChat:
        new_chat = self.world.migrate_to_supergroup(chat)
        await asyncio.sleep(0)
        return new_chat

    async def raw_update(self, payload: dict[str, Any]) -> int:
        """Queue any update as given (update_id filled in); exempt from the spec check."""
        update_id = self.world.raw_update(payload)
        await asyncio.sleep(0)
        return update_id

    async def redeliver(self, update_id: int) -> None:
        """Queue an already delivered update again with the same update_id (as after a crash)."""
        self.world.redeliver(update_id)
        await asyncio.sleep(0)
