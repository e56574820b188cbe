"""What the sandbox driver stands on: the world, the Bot API server over it, its lifecycle,
and the one way to wait for something the bot does."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Self, TypeVar

from sandbox.faults import Faults
from sandbox.limits import RateLimiter, Stats
from sandbox.methods import BotApi
from sandbox.models import BotEvent, SandboxChat, SandboxUser
from sandbox.server import SandboxServer
from sandbox.spec import BotApiSpec
from sandbox.world import World

T = TypeVar("T")
ChatLike = SandboxChat | SandboxUser
HandledCheck = Callable[[Sequence[int]], Awaitable[bool]]
SETTLE_POLL = 0.01


def chat_id_of(chat: ChatLike) -> int:
    """A user stands for their private chat with the bot, whose id is the user's id."""
    return chat.id


class SandboxCore:
    """A Telegram Bot API server on loopback over one world, and a log of the bot's calls."""

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

    async def __aenter__(self) -> Self:
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
