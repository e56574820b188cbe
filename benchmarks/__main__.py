"""`python -m benchmarks`: Omzien against a bare python-telegram-bot bot, on the same sandbox,
as one table with each goal and whether it was met.

- Presses on real cards (benchmarks/cards.py): residents of several buildings press an
  activity card's button at the same moment; presses a second, and each press's time to its
  answer. Omzien stores every press durably (on disk before it is answered: a group commit with
  the guarantee of `synchronous=FULL`); the bare bot keeps nothing.
- Commit to send (benchmarks/outbox.py): the time from a committed outbox row to its send,
  nothing limiting it, against a direct send by the bare bot.
- /help round trips, one resident after another: the price of storing, deduplicating and
  rendering each update.
- The Sunday digest fan-out (benchmarks/fanout.py): thousands of groups due at once, as a share
  of Telegram's 30 messages a second, and how many 429s that earned.
- The same presses with the bot on PostgreSQL (a server of its own, as the tests start one).
- The same presses taken by three webhook workers on one PostgreSQL (benchmarks/workers.py),
  beside one worker on SQLite and one on PostgreSQL: presses handled a second by each.
- The digest fan-out by those three workers, at Telegram's own windows.
- Telegram's limits shared by three workers on one PostgreSQL database
  (benchmarks/shared_limits.py): their rate together, as a share of 30 messages a second.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from benchmarks import cards, fanout, outbox, shared_limits, workers
from bot.app import build_application, running
from bot.config import load_settings
from bot.logs import protect_token
from sandbox import Sandbox
from sandbox.models import SandboxUser
from tests import postgres_server
from tests.harness import TOKEN

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
        users = [sb.add_user(f"Buur{i}", language_code="nl") for i in range(count)]
        for user in users:
            await sb.start_private(user)
        sb.mark()
        return await bench(sb, users)


def _percentile(ms: list[float], share: float) -> float:
    return ms[max(0, int(len(ms) * share + 0.5) - 1)]


@dataclass(frozen=True)
class Row:
    measure: str
    bare: str
    omzien: str
    goal: str = ""
    met: bool | None = None


def _ms(values: list[float], share: float) -> str:
    return f"{_percentile(sorted(v * 1000 for v in values), share):.1f} ms"


def _table(rows: list[Row]) -> str:
    header = Row("measure", "bare PTB", "omzien", "goal", None)
    cells = [(r.measure, r.bare, r.omzien, r.goal,
              "" if r.met is None else "met" if r.met else "NOT MET") for r in [header, *rows]]
    cells[0] = (*cells[0][:4], "met?")
    widths = [max(len(row[i]) for row in cells) for i in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


async def _presses(bench: Callable[[Sandbox, int, int], Awaitable[cards.Presses]],
                   buildings: int, residents: int) -> cards.Presses:
    # Throughput of the bots, not of Telegram: the overall limit is lifted for both, so the
    # bare bot (no rate limiter) is not slowed by 429s; a group's 20 a minute still holds.
    async with Sandbox(token=TOKEN, strict=False, global_limit_per_second=10_000) as sb:
        return await bench(sb, buildings, residents)


async def _presses_on_postgresql(buildings: int, residents: int) -> cards.Presses:
    server = postgres_server.server()
    url = await server.fresh_database()
    try:
        async with Sandbox(token=TOKEN, strict=False, global_limit_per_second=10_000) as sb:
            return await cards.omzien_presses(sb, buildings, residents, database=url)
    finally:
        await server.drop(url)


async def _workers_presses(buildings: int, residents: int) -> cards.Presses:
    async with Sandbox(token=TOKEN, strict=False, global_limit_per_second=10_000) as sb:
        return await workers.presses(sb, buildings, residents)


async def _workers_fanout(groups: int) -> fanout.FanOut:
    async with Sandbox(token=TOKEN, strict=False) as sb:  # Telegram's 30 a second, with 429s
        return await workers.fan_out(sb, groups)


async def _shared(messages: int) -> shared_limits.SharedRate:
    async with Sandbox(token=TOKEN, strict=False) as sb:  # Telegram's 30 a second, with 429s
        return await shared_limits.three_workers(sb, messages)


async def _fanout(groups: int) -> fanout.FanOut:
    async with Sandbox(token=TOKEN, strict=False) as sb:  # Telegram's 30 a second, with 429s
        return await fanout.omzien_fanout(sb, groups)


async def main(count: int, sends: int, buildings: int, residents: int, groups: int,
               shared_messages: int, workers_groups: int) -> None:
    protect_token(TOKEN)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # a poll skipped while one runs
    rows: list[Row] = []
    bare_press = await _presses(cards.bare_presses, buildings, residents)
    omzien_press = await _presses(cards.omzien_presses, buildings, residents)
    ratio = omzien_press.per_second / bare_press.per_second
    presses = buildings * residents
    rows += [
        Row(f"presses on real cards, {presses} at once", f"{bare_press.per_second:.1f}/s",
            f"{omzien_press.per_second:.1f}/s = {ratio:.2f}x", ">= 0.8x bare", ratio >= 0.8),
        Row("  press to answer, p50", _ms(bare_press.latencies, 0.5),
            _ms(omzien_press.latencies, 0.5)),
        Row("  press to answer, p99", _ms(bare_press.latencies, 0.99),
            _ms(omzien_press.latencies, 0.99)),
    ]

    bare = await _run(outbox.bare_commit_to_send, sends)
    omzien = await _run(outbox.omzien_commit_to_send, sends)
    p99 = _percentile(sorted(omzien), 0.99)
    rows += [
        Row(f"commit to send, nothing limiting ({sends}), p50", _ms(bare, 0.5), _ms(omzien, 0.5)),
        Row("  p99", _ms(bare, 0.99), _ms(omzien, 0.99), "< 100 ms", p99 < 0.1),
    ]

    bare = await _run(_bare, count)
    omzien = await _run(_omzien, count)
    rows += [
        Row(f"/help round trip, one at a time ({count}), p50", _ms(bare, 0.5), _ms(omzien, 0.5)),
        Row("  p99", _ms(bare, 0.99), _ms(omzien, 0.99)),
    ]

    fan = await _fanout(groups)
    rows += [
        Row(f"digest fan-out to {groups:,} groups", "",
            f"{fan.per_second:.1f}/s = {100 * fan.share:.1f} %", ">= 95 % of 30/s",
            fan.share >= 0.95 and fan.sent == groups),
        Row("  digests sent", "", f"{fan.sent:,} in {fan.seconds:.0f} s", f"{groups:,}",
            fan.sent == groups),
        Row("  429 answers", "", str(fan.too_many_requests), "0", fan.too_many_requests == 0),
    ]

    on_postgresql = await _presses_on_postgresql(buildings, residents)
    rows += [
        Row(f"presses, {presses} at once, one worker on PostgreSQL", "",
            f"{on_postgresql.per_second:.1f}/s"),
        Row("  press to answer, p50", "", _ms(on_postgresql.latencies, 0.5)),
    ]
    three = await _workers_presses(buildings, residents)
    rows += [
        Row(f"presses, {presses} at once, three webhook workers on PostgreSQL", "",
            f"{three.per_second:.1f}/s"),
        Row("  press to answer, p50", "", _ms(three.latencies, 0.5)),
        Row("  handled a second: SQLite | PostgreSQL | 3 workers", "",
            f"{omzien_press.per_second:.0f} | {on_postgresql.per_second:.0f}"
            f" | {three.per_second:.0f}"),
    ]
    fan3 = await _workers_fanout(workers_groups)
    rows += [
        Row(f"digest fan-out to {workers_groups:,} groups, three workers", "",
            f"{fan3.per_second:.1f}/s = {100 * fan3.share:.1f} %", ">= 95 % of 30/s",
            fan3.share >= 0.95 and fan3.sent == workers_groups),
        Row("  digests sent", "", f"{fan3.sent:,} in {fan3.seconds:.0f} s",
            f"{workers_groups:,}", fan3.sent == workers_groups),
        Row("  429 answers", "", str(fan3.too_many_requests), "0", fan3.too_many_requests == 0),
    ]
    shared = await _shared(shared_messages)
    rows += [
        Row(f"three workers on one PostgreSQL, {shared_messages} messages", "",
            f"{shared.per_second:.1f}/s = {100 * shared.share:.1f} %", ">= 95 % of 30/s",
            shared.share >= 0.95 and shared.sent == shared_messages),
        Row("  most in any second", "", str(shared.most_in_a_second), "<= 30",
            shared.most_in_a_second <= 30),
        Row("  429 answers", "", str(shared.too_many_requests), "0",
            shared.too_many_requests == 0),
    ]
    postgres_server.stop()
    print(_table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--updates", type=int, default=100, help="how many /help updates to time")
    parser.add_argument("--sends", type=int, default=200,
                        help="how many messages to time from commit to send")
    parser.add_argument("--buildings", type=int, default=10,
                        help="how many groups with a card whose residents press at once")
    parser.add_argument("--residents", type=int, default=10,
                        help="how many residents of each group press its card")
    parser.add_argument("--groups", type=int, default=5000,
                        help="how many groups get their digest on one Sunday evening")
    parser.add_argument("--shared-messages", type=int, default=600,
                        help="how many messages three workers on PostgreSQL send together")
    parser.add_argument("--workers-groups", type=int, default=5000,
                        help="how many groups three workers on PostgreSQL send the digest to")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.updates, arguments.sends, arguments.buildings,
                     arguments.residents, arguments.groups, arguments.shared_messages,
                     arguments.workers_groups))
