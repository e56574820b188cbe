"""What the bot did in the sandbox, and what the chats hold now: wait for the bot's next message
or edit, let it settle, read messages, files and command menus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from sandbox.core import SETTLE_POLL, ChatLike, SandboxCore, chat_id_of
from sandbox.methods import EDIT_METHODS, SEND_METHODS, scope_key
from sandbox.models import BotEvent, SandboxMessage


class Watching(SandboxCore):
    def mark(self) -> None:
        """Forget, for the wait helpers, every event so far."""
        self._mark = len(self.world.events)

    def events_since_mark(self) -> list[BotEvent]:
        return self.world.events[self._mark :]

    async def wait_for(self, predicate: Callable[[BotEvent], bool], *, timeout: float = 10.0) -> BotEvent:
        """The first event since the last `mark()` (or still to come) that matches."""

        def first() -> BotEvent | None:
            return next((e for e in self.world.events[self._mark :] if predicate(e)), None)

        return await self._until(first, timeout, "matching bot call")

    async def _next(
        self, methods: Sequence[str], chat: ChatLike, containing: str | None, timeout: float
    ) -> SandboxMessage:
        chat_id = chat_id_of(chat)

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

    async def settle(self, *, timeout: float = 10.0) -> None:
        """Wait until the bot has finished with everything it was given: it fetched every
        queued update, every `handled_checks` entry says each delivered update is handled, no
        `busy_checks` entry says something waits to be sent, and no call is under way.

        Nothing here waits for a stretch of silence, so "nothing was sent" is judged after the
        bot finished.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._idle() and await self._handled() and self._idle():
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

    def _idle(self) -> bool:
        return (self.server.inflight == 0 and self.world.updates.all_delivered
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

    def messages(self, chat: ChatLike) -> list[SandboxMessage]:
        """Every message in the chat as it is now (edits applied, deleted ones left out)."""
        return [m for m in self.world.chat_messages(chat_id_of(chat)) if not m.deleted]

    def bot_messages(self, chat: ChatLike) -> list[SandboxMessage]:
        """The bot's own messages in the chat as they are now (service notices left out)."""
        return [m for m in self.messages(chat) if m.from_user.id == self.bot_user.id and not m.is_service]

    def message(self, chat: ChatLike, message_id: int) -> SandboxMessage | None:
        """The current version of a message, `deleted` set if it was; None if it never was."""
        return self.world.get_message(chat_id_of(chat), message_id)

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

    def bot_text(self, field: str, *, language_code: str = "") -> str:
        """The `description`, `short_description` or `name` set for exactly this language
        (empty when none was)."""
        return self.world.bot_texts.get((field, language_code), "")
