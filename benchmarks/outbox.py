"""What the outbox costs: the time from a committed row to its send.

- Commit to send: Omzien stores a message with `svc.out` (its own commit) and the delivery worker
  sends it; the bare bot calls sendMessage itself. Both are timed until the sandbox has the
  message, one at a time and paced below every rate limit, each into its own private chat, so
  that nothing but the path itself is measured.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Bot
from telegram.ext import Application

from bot.app import build_application, running
from bot.config import load_settings
from bot.services import Services
from sandbox import Sandbox
from sandbox.models import SandboxUser

PACE_SECONDS = 0.05
"""One send every 50 ms: 20 a second, under Telegram's (and Omzien's) 30 a second overall."""
Send = Callable[[int, str], Awaitable[None]]


@asynccontextmanager
async def bare_bot(sb: Sandbox) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A bot that sends where it is told and keeps nothing."""
    app = Application.builder().token(sb.token).base_url(f"{sb.url}/bot").build()
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@asynccontextmanager
async def omzien_bot(sb: Sandbox, users: list[SandboxUser]) -> AsyncIterator[Services]:
    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings(
            _env_file=None, bot_token=sb.token, bot_api_url=f"{sb.url}/bot",
            database=Path(workdir) / "bench.sqlite3",
        )
        async with running(build_application(settings), poll_timeout=1) as app:
            for user in users:
                await sb.next_message(user, timeout=30)  # the answer to their /start
            services = app.bot_data["services"]
            assert isinstance(services, Services)
            yield services


async def commit_to_send(sb: Sandbox, users: list[SandboxUser], send: Send) -> list[float]:
    latencies = []
    for n, user in enumerate(users):
        text = f"Bench {n}"
        started = time.perf_counter()
        await send(user.id, text)
        await sb.next_message(user, containing=text, timeout=30)
        took = time.perf_counter() - started
        latencies.append(took)
        await asyncio.sleep(max(0.0, PACE_SECONDS - took))
    return latencies


async def bare_commit_to_send(sb: Sandbox, users: list[SandboxUser]) -> list[float]:
    async with bare_bot(sb) as app:
        bot: Bot = app.bot

        async def send(chat_id: int, text: str) -> None:
            await bot.send_message(chat_id, text)

        return await commit_to_send(sb, users, send)


async def omzien_commit_to_send(sb: Sandbox, users: list[SandboxUser]) -> list[float]:
    async with omzien_bot(sb, users) as svc:
        return await commit_to_send(sb, users, svc.out.message)
