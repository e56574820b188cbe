"""Telegram's limits shared by three processes on one PostgreSQL database: three rate limiters,
each on its own pool (as three workers have), send messages into many groups at once, each
message spread over them in turn. The rate is taken from the sandbox's own record of the sends
(which answers a 31st message in a second with 429): how close the three together come to 30
messages a second, the most in any one second, and how many 429s they earned.

Telegram's own windows (one second, one minute), not scaled: at 30 a second the time a request
takes to travel weighs as much as it does with Telegram, where a scaled-down window would make
it weigh several times more. The PostgreSQL server is the tests' own (tests/postgres_server.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from benchmarks.fanout import SendRate
from bot.ratelimit import OmzienRateLimiter
from sandbox import Sandbox
from storage.db import Database
from storage.send_slots import SendSlotStore
from tests import postgres_server
from tests.harness import TOKEN

WORKERS = 3


@dataclass(frozen=True)
class SharedRate(SendRate):
    sent: int
    seconds: float
    """From the first send to the last one."""
    most_in_a_second: int
    too_many_requests: int


def most_in_a_second(stamps: list[float]) -> int:
    ordered = sorted(stamps)
    most, start = 0, 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def three_workers(sb: Sandbox, messages: int) -> SharedRate:
    """`messages` messages, four to a group, from three limiters sharing one database."""
    admin = sb.add_user("Marieke", language_code="nl")
    groups = [sb.add_group(f"Flat {n}", members=[admin, sb.bot_user], admins=[admin],
                           supergroup=True) for n in range((messages + 3) // 4)]
    server = postgres_server.server()
    url = await server.fresh_database()
    databases = [await Database.open(url) for _ in range(WORKERS)]
    bots: list[ExtBot[int]] = []
    try:
        for db in databases:
            limiter = OmzienRateLimiter()
            limiter.share(SendSlotStore(db))
            bot: ExtBot[int] = ExtBot(TOKEN, base_url=f"{sb.url}/bot", rate_limiter=limiter,
                                      request=HTTPXRequest(connection_pool_size=64))
            await bot.initialize()
            bots.append(bot)
        sb.mark()
        refused_before = sb.stats.too_many_requests
        await asyncio.gather(*(
            bots[n % WORKERS].send_message(groups[n % len(groups)].id, f"Bericht {n}")
            for n in range(messages)
        ))
        sends = [e for e in sb.events_since_mark() if e.method == "sendMessage" and e.ok]
        refused = sb.stats.too_many_requests - refused_before
    finally:
        for bot in bots:
            await bot.shutdown()
        for db in databases:
            await db.close()
        await server.drop(url)
    stamps = sorted(e.at for e in sends)
    return SharedRate(len(sends), stamps[-1] - stamps[0] if stamps else 0.0,
                      most_in_a_second(stamps), refused)
