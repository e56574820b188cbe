"""What the outbox costs: the time from a committed row to its send, and concurrent presses.

- Commit to send: Omzien stores a message with `svc.out` (its own commit) and the delivery worker
  sends it; the bare bot calls sendMessage itself. Both are timed until the sandbox has the
  message, one at a time and paced below every rate limit, each into its own private chat, so
  that nothing but the path itself is measured.
- Presses: every resident presses a button at the same moment (Omzien's /taal, the bare bot's
  equivalent); timed from the first press until the last answer edit arrived. Omzien handles
  each press in one transaction with its update's "handled" mark, keeps to Telegram's 30 calls a
  second and handles one chat's updates in order; the bare bot runs with PTB's concurrent
  updates and no rate limiter.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.app import build_application, running
from bot.config import load_settings
from bot.i18n import t
from bot.services import Services
from sandbox import Sandbox
from sandbox.models import SandboxUser

PACE_SECONDS = 0.05
"""One send every 50 ms: 20 a second, under Telegram's (and Omzien's) 30 a second overall."""
Send = Callable[[int, str], Awaitable[None]]


@asynccontextmanager
async def bare_bot(sb: Sandbox) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("English", callback_data="en")]])
        await update.effective_message.reply_text("Choose a language", reply_markup=keyboard)

    async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("Language set")

    app = (Application.builder().token(sb.token).base_url(f"{sb.url}/bot")
           .concurrent_updates(True).build())
    app.add_handler(CommandHandler("taal", ask))
    app.add_handler(CallbackQueryHandler(chosen))
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


async def presses(sb: Sandbox, users: list[SandboxUser], answer: str) -> float:
    """Seconds from the first of everyone's presses until the last answer arrived."""
    choices = []
    for user in users:
        await sb.command(user, user, "taal")
        choices.append(await sb.next_message(user, timeout=30))
    started = time.perf_counter()
    await asyncio.gather(*(sb.press(user, choice, "English")
                           for user, choice in zip(users, choices, strict=True)))
    await asyncio.gather(*(sb.next_edit(user, containing=answer, timeout=60) for user in users))
    return time.perf_counter() - started


async def bare_presses(sb: Sandbox, users: list[SandboxUser]) -> float:
    async with bare_bot(sb):
        return await presses(sb, users, "Language set")


async def omzien_presses(sb: Sandbox, users: list[SandboxUser]) -> float:
    async with omzien_bot(sb, users):
        return await presses(sb, users, t("en", "language.set"))
