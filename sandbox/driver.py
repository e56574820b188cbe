"""`Sandbox`: a local Telegram for end-to-end tests and the demo.

Start it, point the unmodified bot at `f"{sandbox.url}/bot"`, act as people (send, press, join)
and wait for what the bot does (`next_message`, `wait_for`, `settle`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from sandbox.faults import Faults
from sandbox.limits import RateLimiter, Stats
from sandbox.methods import EDIT_METHODS, SEND_METHODS, BotApi, scope_key
from sandbox.models import (
    BotEvent,
    CallbackAnswer,
    SandboxChat,
    SandboxMessage,
    SandboxUser,
)
from sandbox.server import SandboxServer
from sandbox.spec import BotApiSpec
from sandbox.world import MEMBER_STATUSES, World

T = TypeVar("T")
ChatLike = SandboxChat | SandboxUser
HandledCheck = Callable[[Sequence[int]], Awaitable[bool]]
SETTLE_POLL = 0.01
_START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LINK_HOSTS = ("t.me", "www.t.me", "telegram.me", "www.telegram.me")


def _chat_id(chat: ChatLike) -> int:
    """A user stands for their private chat with the bot, whose id is the user's id."""
    return chat.id


@dataclass
class CallbackResult:
    """A button press; `answer()` waits for the bot's answerCallbackQuery."""

    query_id: str
    sandbox: Sandbox = field(repr=False)

    async def answer(self, timeout: float = 10.0) -> CallbackAnswer:
        return await self.sandbox.callback_answer(self.query_id, timeout=timeout)


class Sandbox:
    """A Telegram Bot API server on loopback, with people to act and a log of the bot's calls."""

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX-TOKEN",
        bot_username: str = "OmzienBot",
        bot_first_name: str = "Omzien",
        host: str = "127.0.0.1",
        port: int = 0,
        group_limit_per_minute: int = 20,
        global_limit_per_second: int = 30,
        private_limit_per_second: float | None = None,
        strict: bool | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.url = ""
        self.world = World(token=token, bot_username=bot_username, bot_first_name=bot_first_name, clock=clock)
        self.bot_user = self.world.bot_user
        self.spec = BotApiSpec.load()
        self.strict = self.spec is not None if strict is None else strict
        self.stats = Stats()
        self.faults = Faults()
        self.busy_checks: list[Callable[[], bool]] = []
        """The bot under test may say it still has something to send (see `settle`)."""
        self.handled_checks: list[HandledCheck] = []
        """The bot under test may say whether it has finished with the updates delivered to it
        (given the ids of every update delivered so far, in order; see `settle`)."""
        self.violations: list[str] = []
        self.limiter = RateLimiter(
            clock,
            group_per_minute=group_limit_per_minute,
            global_per_second=global_limit_per_second,
            private_per_second=private_limit_per_second,
        )
        self.api = BotApi(self.world, self.limiter)
        self.server = SandboxServer(
            world=self.world,
            api=self.api,
            spec=self.spec,
            strict=self.strict,
            stats=self.stats,
            faults=self.faults,
            violations=self.violations,
        )
        self._changed = asyncio.Event()
        self._mark = 0
        self._consumed: set[int] = set()
        self.world.subscribe(self._changed.set)

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        self.url = await self.server.start(self.host, self.port)

    async def stop(self) -> None:
        await self.server.stop()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot's getUpdates offset."""
        return len(self.world.updates.pending)

    @property
    def events(self) -> list[BotEvent]:
        return self.world.events

    # -- people and chats ----------------------------------------------------------------------

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
        message = self.world.user_message(user, _chat_id(chat), text, reply_to=reply_to)
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
            mention = _chat_id(chat) < 0
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

    # -- what the bot did ----------------------------------------------------------------------

    def mark(self) -> None:
        """Forget, for the wait helpers, every event so far."""
        self._mark = len(self.world.events)

    def events_since_mark(self) -> list[BotEvent]:
        return self.world.events[self._mark :]

    async def _until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._changed.clear()
            found = check()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self.dump(f"no {what} within {timeout} s"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_for(self, predicate: Callable[[BotEvent], bool], *, timeout: float = 10.0) -> BotEvent:
        """The first event since the last `mark()` (or still to come) that matches."""

        def first() -> BotEvent | None:
            return next((e for e in self.world.events[self._mark :] if predicate(e)), None)

        return await self._until(first, timeout, "matching bot call")

    async def _next(
        self, methods: Sequence[str], chat: ChatLike, containing: str | None, timeout: float
    ) -> SandboxMessage:
        chat_id = _chat_id(chat)

        def first() -> SandboxMessage | None:
            events = self.world.events
            for index in range(self._mark, len(events)):
                event = events[index]
                if (
                    index not in self._consumed
                    and event.ok
                    and event.method in methods
                    and event.chat_id == chat_id
                    and event.message is not None
                    and (containing is None or containing in event.message.text)
                ):
                    self._consumed.add(index)
                    return event.message
            return None

        what = f"{'/'.join(methods)} into chat {chat_id}"
        if containing is not None:
            what += f" containing {containing!r}"
        return await self._until(first, timeout, what)

    async def next_message(
        self, chat: ChatLike, *, containing: str | None = None, timeout: float = 10.0
    ) -> SandboxMessage:
        """The next message the bot sent into `chat`, as sent; each is returned once."""
        return await self._next(SEND_METHODS, chat, containing, timeout)

    async def next_edit(
        self, chat: ChatLike, *, containing: str | None = None, timeout: float = 10.0
    ) -> SandboxMessage:
        """The next edit the bot made in `chat`, as edited; each is returned once."""
        return await self._next(EDIT_METHODS, chat, containing, timeout)

    async def settle(self, *, quiet: float = 0.0, timeout: float = 10.0) -> None:
        """Wait until the bot has finished with everything it was given: it fetched every
        queued update, every `handled_checks` entry says each delivered update is handled, no
        `busy_checks` entry says something waits to be sent, and no call is under way.

        Nothing here waits for a stretch of silence (`quiet`, 0 by default, is for a bot that
        can tell nothing about itself), so "nothing was sent" is judged after the bot finished.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._idle(quiet, loop.time()) and await self._handled() \
                    and self._idle(quiet, loop.time()):
                return
            if loop.time() >= deadline:
                raise TimeoutError(self.dump(f"the bot did not settle within {timeout} s"))
            await asyncio.sleep(SETTLE_POLL)

    async def handled(self, *, timeout: float = 10.0) -> None:
        """Wait until the bot fetched every queued update and each is marked handled, whatever
        still waits to be sent (a group's answers waiting for its rate window, say)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (self.world.updates.all_delivered and await self._handled()):
            if loop.time() >= deadline:
                raise TimeoutError(self.dump(f"the bot did not handle its updates in {timeout} s"))
            await asyncio.sleep(SETTLE_POLL)

    def _idle(self, quiet: float, now: float) -> bool:
        return (self.server.inflight == 0 and self.world.updates.all_delivered
                and now - self.server.last_activity >= quiet
                and not any(busy() for busy in self.busy_checks))

    async def _handled(self) -> bool:
        delivered = tuple(self.world.updates.delivered)
        for check in list(self.handled_checks):
            if not await check(delivered):
                return False
        return True

    @property
    def delivered_updates(self) -> list[int]:
        """The id of every update handed to the bot so far, in order."""
        return list(self.world.updates.delivered)

    def dump(self, headline: str) -> str:
        """A readable account of the bot's recent calls, for failing tests."""
        pending = self.world.updates.pending
        unfetched = sum(1 for u in pending if not u.delivered)
        lines = [
            headline,
            f"updates waiting for the bot: {len(pending)} ({unfetched} not fetched yet)",
            "recent bot calls, oldest first:",
        ]
        recent = self.world.events[-25:]
        lines += [f"  {event.describe()}" for event in recent] or ["  (none)"]
        if self.violations:
            lines.append(f"spec violations: {self.violations[-5:]}")
        return "\n".join(lines)

    # -- current state -------------------------------------------------------------------------

    def messages(self, chat: ChatLike) -> list[SandboxMessage]:
        """Every message in the chat as it is now (edits applied, deleted ones left out)."""
        return [m for m in self.world.chat_messages(_chat_id(chat)) if not m.deleted]

    def bot_messages(self, chat: ChatLike) -> list[SandboxMessage]:
        """The bot's own messages in the chat as they are now (service notices left out)."""
        return [m for m in self.messages(chat) if m.from_user.id == self.bot_user.id and not m.is_service]

    def message(self, chat: ChatLike, message_id: int) -> SandboxMessage | None:
        """The current version of a message, `deleted` set if it was; None if it never was."""
        return self.world.get_message(_chat_id(chat), message_id)

    def file_bytes(self, message: SandboxMessage) -> bytes:
        current = self.world.get_message(message.chat_id, message.message_id) or message
        info = current.document or current.photo
        if info is None:
            raise ValueError(f"message {message.message_id} carries no document or photo")
        return self.world.files[info.file_id].data

    def commands(
        self, *, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The command menu setMyCommands stored for exactly this scope and language."""
        stored = self.world.commands.get((scope_key(scope), language_code), [])
        return [dict(command) for command in stored]
