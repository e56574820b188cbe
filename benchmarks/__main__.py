"""`python -m benchmarks`: Omzien against a bare python-telegram-bot bot, on the same sandbox.

Each resident sends /help in a private chat, one after another, and we time from the moment the
update is queued in the sandbox until the bot's answer arrives. The bare bot answers with a
fixed text and keeps nothing; Omzien stores each update before confirming it, records it as
handled, looks up the resident and renders the help text from its catalogs. The difference is
the price of "nothing lost" per update.

Then the outbox (see benchmarks/outbox.py): the time from a committed outbox row to its send,
and how many presses a second are handled when everyone presses at once.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from benchmarks import outbox
from bot.app import build_application, running
from bot.config import load_settings
from bot.logs import protect_token
from sandbox import Sandbox
from sandbox.models import SandboxUser

TOKEN = "123456:BENCH-SANDBOX-TOKEN"
T = TypeVar("T")


async def _measure(sb: Sandbox, users: list[SandboxUser]) -> list[float]:
    latencies = []
    for user in users:
        started = time.perf_counter()
        await sb.command(user, user, "help")
        await sb.next_message(user, timeout=30)
        latencies.append(time.perf_counter() - started)
    return latencies


async def _bare(sb: Sandbox, users: list[SandboxUser]) -> list[float]:
    async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("What you can do")

    app = Application.builder().token(TOKEN).base_url(f"{sb.url}/bot").build()
    app.add_handler(CommandHandler("help", help_command))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        return await _measure(sb, users)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def _omzien(sb: Sandbox, users: list[SandboxUser]) -> list[float]:
    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings(
            _env_file=None, bot_token=TOKEN, bot_api_url=f"{sb.url}/bot",
            database=Path(workdir) / "bench.sqlite3",
        )
        async with running(build_application(settings), poll_timeout=1):
            for user in users:
                await sb.next_message(user, timeout=30)  # the answer to their /start
            return await _measure(sb, users)


async def _run(bench: Callable[[Sandbox, list[SandboxUser]], Awaitable[T]], count: int) -> T:
    # Latency, not throughput, is measured here: lift the sandbox's overall rate limit so the bare
    # bot (which has no rate limiter) is not slowed by 429s.
    async with Sandbox(token=TOKEN, strict=False, global_limit_per_second=10_000) as sb:
        users = [sb.add_user(f"Buur{i}") for i in range(count)]
        for user in users:
            await sb.start_private(user)
        sb.mark()
        return await bench(sb, users)


def _percentile(ms: list[float], share: float) -> float:
    return ms[max(0, int(len(ms) * share + 0.5) - 1)]


def _report(name: str, latencies: list[float]) -> str:
    ms = sorted(value * 1000 for value in latencies)
    return (f"{name:8} n={len(ms):4}  median {statistics.median(ms):6.1f} ms  "
            f"p95 {_percentile(ms, 0.95):6.1f} ms  p99 {_percentile(ms, 0.99):6.1f} ms  "
            f"max {ms[-1]:6.1f} ms")


async def main(count: int, sends: int, pressers: int) -> None:
    protect_token(TOKEN)
    bare = await _run(_bare, count)
    omzien = await _run(_omzien, count)
    print(f"/help answered, one update at a time ({count} residents)")
    print(_report("bare PTB", bare))
    print(_report("omzien", omzien))
    print(f"omzien costs {1000 * (statistics.median(omzien) - statistics.median(bare)):.1f} ms "
          "more per update (median): storing, deduplicating and rendering")

    bare = await _run(outbox.bare_commit_to_send, sends)
    omzien = await _run(outbox.omzien_commit_to_send, sends)
    print(f"\nfrom commit to send, nothing limiting it ({sends} messages, paced)")
    print(_report("bare PTB", bare))
    print(_report("omzien", omzien))

    bare_took = await _run(outbox.bare_presses, pressers)
    omzien_took = await _run(outbox.omzien_presses, pressers)
    print(f"\n{pressers} residents press a button at the same moment")
    for name, took in (("bare PTB", bare_took), ("omzien", omzien_took)):
        print(f"{name:8} all answered in {took:5.2f} s: {pressers / took:6.1f} presses a second")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--updates", type=int, default=200, help="how many /help updates to time")
    parser.add_argument("--sends", type=int, default=200,
                        help="how many messages to time from commit to send")
    parser.add_argument("--presses", type=int, default=100,
                        help="how many residents press a button at once")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.updates, arguments.sends, arguments.presses))
