"""End-to-end harness: the real bot, over HTTP, against the local Bot API sandbox.

`world` starts a sandbox with a building group of residents, and a bot on a fresh database with
a test clock. Tests act as residents through the sandbox and wait for what the bot does.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import App, build_application
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.logs import protect_token
from bot.ratelimit import OmzienRateLimiter
from bot.services import Services
from sandbox import Sandbox, SandboxChat, SandboxUser
from sandbox.bot_watch import running_watched
from sandbox.driver import HandledCheck
from tests import postgres_server
from tests.committed import NOT_THERE_YET, read_rows

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:SANDBOX-TOKEN"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Amsterdam
AMS = ZoneInfo("Europe/Amsterdam")
"""The buildings' time zone in every test."""
NEIGHBOURS = [
    ("Fatma", "Yilmaz", "nl"),
    ("Anouk", "de Vries", "nl"),
    ("Youssef", "El Amrani", "nl"),
    ("Agnieszka", "Kowalska", "nl"),
    ("Oksana", "Shevchenko", "nl"),
    ("Kees", "Bakker", "nl"),
    ("John", "Smith", "en"),
    ("Mehmet", "Demir", "nl"),
]
"""The building's residents, with the language their Telegram is set to: Dutch for most, so that
tests can read what the bot says in Dutch; the stories in tests/languages add residents who
speak the other languages."""


def local(*args: int) -> datetime:
    """A moment on the buildings' clocks: `local(2026, 11, 23, 19, 0)`."""
    return datetime(*args, tzinfo=AMS)


STARTING_SECONDS = 60.0
"""How long a bot process may take to start and answer (PostgreSQL, a loaded machine)."""


@dataclass
class World:
    """One building group with residents, a sandbox and (while `bot()` runs) the real bot."""

    sb: Sandbox
    clock: FakeClock
    database: Path | str
    """The SQLite file, or the PostgreSQL URL (OMZIEN_TEST_ENGINE=postgresql)."""
    group: SandboxChat
    admin: SandboxUser
    residents: list[SandboxUser]
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    app: App | None = None

    def settings(self) -> Settings:
        return load_settings(
            _env_file=None,
            bot_token=TOKEN,
            bot_api_url=f"{self.sb.url}/bot",
            database=self.database,
            **self.settings_overrides,
        )

    @asynccontextmanager
    async def bot(self, *, schedule_poll_seconds: float = 0.1,
                  private_per_second: float = 0) -> AsyncIterator[App]:
        """The bot in this event loop. Its schedule is polled every 0.1 s unless told otherwise
        (the product's own 20 s shows what would otherwise wait for the poll).

        Telegram's one message a second into a private chat is not kept here (0): a resident's
        flow of a few messages would mostly wait for it, and the stories would take twice as
        long. Keeping to that pace is the rate limiter's own test (tests/delivery/test_fanout.py,
        the bot processes); a story about it passes 1. Groups keep 20 a minute."""
        settings = self.settings()
        limiter = OmzienRateLimiter(overall_max_rate=settings.messages_per_second,
                                    group_max_rate=settings.group_messages_per_minute,
                                    private_max_rate=private_per_second)
        app = build_application(settings, clock=self.clock, rate_limiter=limiter,
                                schedule_poll_seconds=schedule_poll_seconds)
        async with running_watched(self.sb, app):
            self.app = app
            try:
                yield app
            finally:
                self.app = None

    @property
    def services(self) -> Services:
        assert self.app is not None, "the bot is not running"
        services = self.app.bot_data["services"]
        assert isinstance(services, Services)
        return services

    def pause_schedule_poll(self) -> None:
        """The schedule runs only when the test says so (`run_due`): what reaches a resident
        then came at once from the action that caused it, not from a poll."""
        assert self.app is not None and self.app.job_queue is not None
        for job in self.app.job_queue.jobs():
            if job.name == "schedule":
                job.enabled = False

    async def run_due(self, timeout: float = 10.0) -> int:
        """Run what the schedule has due at the test clock's now, and wait until what it
        sends has left the outbox."""
        count = await self.services.scheduler.run_due()
        await self.delivered(timeout)
        return count

    async def at(self, moment: datetime) -> None:
        """Move the test clock to `moment` and let the schedule run what fell due."""
        self.clock.set(moment)
        await self.run_due()

    async def delivered(self, timeout: float = 10.0) -> None:
        """Wait until the bot has nothing waiting to be sent."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.services.out.busy():
            if loop.time() >= deadline:
                raise TimeoutError(self.sb.dump(f"the outbox did not empty within {timeout} s"))
            await asyncio.sleep(0.01)

    async def add_bot(self) -> None:
        """The admin adds the bot; its welcome in the group. Often the first thing a bot process
        answers, so the wait covers a process still starting on a busy machine."""
        await self.sb.add_bot_to_group(self.group, by=self.admin)
        await self.sb.next_message(self.group, timeout=STARTING_SECONDS)

    def user(self, first_name: str) -> SandboxUser:
        return next(u for u in [self.admin, *self.residents] if u.first_name == first_name)


def inbox_handled(database: Path | str) -> HandledCheck:
    """For a bot in another process: every delivered update is marked handled in the inbox of
    its database (read beside the running bot), and nothing waits in its outbox."""

    async def finished(delivered: Sequence[int]) -> bool:
        if not delivered:
            return True
        try:
            rows = await read_rows(database, "SELECT update_id FROM inbox WHERE handled_at IS NOT NULL")
            waiting = await read_rows(database, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        except NOT_THERE_YET:  # not created yet, or busy: not finished
            return False
        handled = {row[0] for row in rows}
        return set(delivered) <= handled and int(waiting[0][0]) == 0

    return finished


@pytest.fixture
async def database_location(tmp_path: Path) -> AsyncIterator[Path | str]:
    """Where a test's database lives: a file in its folder, or (OMZIEN_TEST_ENGINE=postgresql)
    a fresh database of its own on the session's PostgreSQL server, dropped afterwards."""
    if not postgres_server.on_postgresql():
        yield tmp_path / "omzien.sqlite3"
        return
    server = postgres_server.server()
    url = await server.fresh_database()
    try:
        yield url
    finally:
        await server.drop(url)


async def module_database(folder: Path) -> Path | str:
    """A database for a module's fixture, as `database_location` gives one to a test (on
    PostgreSQL it goes with the server at the session's end)."""
    if not postgres_server.on_postgresql():
        return folder / "omzien.sqlite3"
    return await postgres_server.server().fresh_database()


@pytest.fixture
async def blank_database_location(tmp_path: Path) -> AsyncIterator[Path | str]:
    """Like `database_location`, but with no migration applied yet."""
    if not postgres_server.on_postgresql():
        yield tmp_path / "blank.sqlite3"
        return
    server = postgres_server.server()
    url = await server.fresh_database(template="template0")
    try:
        yield url
    finally:
        await server.drop(url)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    protect_token(TOKEN)
    async with Sandbox(token=TOKEN) as sb:
        yield sb
        assert sb.violations == [], "requests or replies that break the Bot API spec"


@pytest.fixture
async def world(sandbox: Sandbox, database_location: Path | str) -> World:
    admin = sandbox.add_user("Marieke", "Jansen", username="marieke", language_code="nl")
    residents = [
        sandbox.add_user(first, last, language_code=lang) for first, last, lang in NEIGHBOURS
    ]
    group = sandbox.add_group("Flat De Linde", members=[admin, *residents], admins=[admin])
    return World(
        sb=sandbox,
        clock=FakeClock(START),
        database=database_location,
        group=group,
        admin=admin,
        residents=residents,
    )


BotProcess = Callable[..., AbstractAsyncContextManager[asyncio.subprocess.Process]]


@pytest.fixture
def bot_process(tmp_path: Path) -> BotProcess:
    """The bot as its own process (`python -m bot run`), for kill -9 and full-log tests."""

    @asynccontextmanager
    async def start(
        sb: Sandbox, database: Path | str, *, log_level: str = "INFO", log_file: Path | None = None,
        command: Sequence[str] = ("-m", "bot", "run"), env: Mapping[str, str] | None = None,
    ) -> AsyncIterator[asyncio.subprocess.Process]:
        """`command` and `env` (added to the environment): another way to start it."""
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OMZIEN_")},
            "OMZIEN_BOT_TOKEN": TOKEN,
            "OMZIEN_BOT_API_URL": f"{sb.url}/bot",
            "OMZIEN_DATABASE": str(database),
            "OMZIEN_LOG_LEVEL": log_level,
            **(env or {}),
        }
        out = (log_file or tmp_path / "bot.log").open("ab")
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command, cwd=ROOT, env=environment, stdout=out, stderr=out
        )
        finished = inbox_handled(database)
        sb.handled_checks.append(finished)
        try:
            yield process
        finally:
            sb.handled_checks.remove(finished)
            if process.returncode is None:
                process.kill()
                await process.wait()
            out.close()

    return start
