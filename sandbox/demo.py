"""`python -m bot demo`: the real bot on the local sandbox, with a seeded building, in a terminal.

No token and no network: the sandbox plays Telegram on loopback. You speak as any resident;
the bot's messages are numbered so you can press their buttons. The bot runs on a clock that
stands still until you move it (`clock +1d`), so a bump, an expiry, a reminder, the weekly
digest and a look-back can be seen in minutes. Answers to presses (pop-ups) are shown, and
files the bot sends are saved in a folder.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from bot.app import build_application
from bot.clock import FakeClock
from bot.config import Settings
from bot.logs import setup_logging
from bot.services import Services
from sandbox import Sandbox
from sandbox.bot_watch import running_watched
from sandbox.demo_clock import clock_target, first_monday_after
from sandbox.demo_session import FILES_DIR, Demo
from sandbox.demo_tour import BUILDING, RESIDENTS, TOUR, USAGE, tour_lines

__all__ = ["TOUR", "Demo", "clock_target", "demo_building", "first_monday_after", "run_demo",
           "tour_lines"]

DEMO_TOKEN = "100200300:DEMO-SANDBOX-TOKEN"


async def _lines(script: Path | None) -> AsyncIterator[str]:
    if script is not None:
        text = await asyncio.to_thread(script.read_text, encoding="utf-8")
        for line in text.splitlines():
            print(f"> {line}")
            yield line
        return
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = await asyncio.to_thread(input, "> " if interactive else "")
        except EOFError:
            return
        if not interactive:
            print(f"> {line}")
        yield line


@asynccontextmanager
async def demo_building(settings: Settings, workdir: Path, *, start: datetime,
                        files: Path = FILES_DIR) -> AsyncIterator[Demo]:
    """The sandbox with the seeded building, and the bot on a clock that starts at `start`
    and moves only when told; the bot has just been added to the group."""
    async with Sandbox(token=DEMO_TOKEN, bot_username="OmzienBot") as sb:
        people = [sb.add_user(first, last, language_code=lang) for first, last, lang in RESIDENTS]
        group = sb.add_group(BUILDING, members=people, admins=people[:1])
        demo_settings = settings.model_copy(
            update={
                "bot_token": SecretStr(DEMO_TOKEN),
                "bot_api_url": f"{sb.url}/bot",
                "database": workdir / "demo.sqlite3",
            }
        )
        clock = FakeClock(start)
        app = build_application(demo_settings, clock=clock, schedule_poll_seconds=5.0)
        async with running_watched(sb, app, poll_timeout=2):
            def services() -> Services:
                found = app.bot_data["services"]
                assert isinstance(found, Services)
                return found

            runner = Demo(sb, group, people, clock=clock, services=services, files=files)
            await sb.add_bot_to_group(group, by=people[0])
            await runner.settle()
            yield runner


async def demo(settings: Settings, script: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="omzien-demo-") as workdir:
        start = first_monday_after(datetime.now(UTC), settings)
        async with demo_building(settings, Path(workdir), start=start) as runner:
            print(USAGE)
            print(TOUR)
            print(f"Files the bot sends are saved in {runner.files}.")
            runner.show_new()
            async for line in _lines(script):
                if not await runner.handle(line):
                    break
    print("Demo stopped. Nothing was kept but the files the bot sent.")


def run_demo(settings: Settings, script: Path | None = None) -> int:
    setup_logging("WARNING", DEMO_TOKEN)
    logging.getLogger("sandbox").setLevel(logging.ERROR)
    try:
        asyncio.run(demo(settings, script))
    except KeyboardInterrupt:
        print("\nDemo stopped.")
    return 0
