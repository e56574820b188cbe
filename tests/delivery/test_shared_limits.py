"""Telegram's limits shared through PostgreSQL: three limiters, as three processes would have
(each on its own pool of the same database), send into the sandbox at once, and together they
keep to 30 messages a second overall and 20 a minute per group, with no 429 at all.

Scaled in time, not in size, as tests/delivery/test_digest_fanout_process.py is: the sandbox's
windows and the limiters' are made equally shorter, so the limits are exactly as strict, only
quicker to meet. The overall test shortens them five times (30 in a fifth of a second, 150
messages a second: 450 messages in three seconds, a load two shared cores still carry); the
group test twenty times (20 in three seconds), since a group's 21st message must wait a whole
minute, and its few messages put little load on the overall window.

About PostgreSQL (SQLite's one process keeps its windows in memory): the tests with a database
run when OMZIEN_TEST_ENGINE=postgresql, on the session's server.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import closing

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.ratelimit import Result
from bot.shared_limits import ServerClock
from sandbox import Sandbox, SandboxChat
from sandbox.limits import RateLimiter
from storage.db import Database
from storage.dialect import postgresql_script
from storage.send_slots import OVERALL, Answer, Scope, SendSlotStore
from tests import postgres_server
from tests.delivery.scaled_bot import scaled_limiter
from tests.delivery.test_fanout import most_in_window
from tests.harness import TOKEN

WORKERS = 3
Bot = ExtBot[int]


@pytest.fixture
async def databases() -> AsyncIterator[list[Database]]:
    """One database, opened three times: three pools, as three processes would have."""
    if not postgres_server.on_postgresql():
        pytest.skip("the shared windows live in PostgreSQL")
    server = postgres_server.server()
    url = await server.fresh_database()
    opened = [await Database.open(url) for _ in range(WORKERS)]
    try:
        yield opened
    finally:
        for db in opened:
            await db.close()
        await server.drop(url)


def test_a_postgresql_only_part_of_a_migration_is_run_as_written_and_skipped_by_sqlite() -> None:
    script = ("CREATE TABLE t (n INTEGER);\n/* postgresql only\n"
              "CREATE FUNCTION f() RETURNS INTEGER LANGUAGE sql AS $$ SELECT 1 $$;\n*/\n")
    assert postgresql_script(script) == (
        "CREATE TABLE t (n BIGINT);\n"
        "CREATE FUNCTION f() RETURNS INTEGER LANGUAGE sql AS $$ SELECT 1 $$;\n\n"
    )
    with closing(sqlite3.connect(":memory:")) as db:
        db.executescript(script)
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_the_servers_clock_is_bounded_by_the_fastest_recent_round_trip() -> None:
    clock = ServerClock()
    clock.observe(asked=10.0, moment=1000.05, answered=10.2)  # ahead by 989.85 to 990.05
    clock.observe(asked=11.0, moment=1001.0, answered=11.01)  # ahead by 989.99 to 990.0
    assert clock.local(2000.0) == pytest.approx(2000.0 - 989.99)  # passed 2000 for sure
    assert clock.server(12.0) == pytest.approx(12.0 + 990.0)  # shows no more than this
    clock.observe(asked=30.0, moment=1020.0, answered=30.5)  # later: the old bounds expire
    assert clock.local(2000.0) == pytest.approx(2000.0 - 989.5)


async def test_a_slot_is_taken_in_every_window_or_in_none(databases: list[Database]) -> None:
    store = SendSlotStore(databases[0])
    overall, group = Scope(OVERALL, 3, 60.0), Scope("-100", 2, 60.0)
    first = await store.take([overall, group], flight=30.0, ahead=0.0)
    second = await store.take([overall, group], flight=30.0, ahead=0.0)
    assert len(first.slots) == len(second.slots) == 2
    full = await store.take([overall, group], flight=30.0, ahead=0.0)
    assert full.slots == () and full.blocked == "-100"
    assert 59.0 < full.at - full.moment <= 60.0  # under way: a period after leaving, at least
    assert await store.counted(OVERALL) == 2  # nothing was taken for the refused send
    third = await store.take([overall, Scope("-200", 2, 60.0)], flight=30.0, ahead=0.0)
    assert len(third.slots) == 2
    refused = await SendSlotStore(databases[1]).take([overall], flight=30.0, ahead=0.0)
    assert refused.blocked == OVERALL  # another process sees the same window


async def test_an_answered_slot_counts_a_period_from_its_answer(databases: list[Database]) -> None:
    store = SendSlotStore(databases[0])
    window = Scope(OVERALL, 1, 1.0)
    taken = await store.take([window], flight=30.0, ahead=0.0)
    await store.answered([Answer(slot, taken.moment + 0.5) for slot in taken.slots])  # 0.5 s on
    again = await store.take([window], flight=30.0, ahead=0.0)
    assert again.blocked == OVERALL and again.at == pytest.approx(taken.moment + 1.5)
    ahead = await store.take([window], flight=30.0, ahead=2.0)
    assert ahead.slots and ahead.at == again.at  # taken now, to leave once the first expires


async def test_a_private_chat_counts_from_leaving_only(databases: list[Database]) -> None:
    store = SendSlotStore(databases[0])
    overall, private = Scope(OVERALL, 30, 1.0), Scope("42", 1, 60.0, held=False)
    assert (await store.take([overall, private], flight=30.0, ahead=0.0)).slots
    blocked = await store.take([overall, private], flight=30.0, ahead=0.0)
    assert blocked.blocked == "42" and 59.0 < blocked.at - blocked.moment <= 60.0


async def test_a_429_pauses_every_process(databases: list[Database]) -> None:
    await SendSlotStore(databases[0]).pause(2.0)
    other = await SendSlotStore(databases[2]).take([Scope(OVERALL, 30, 1.0)], flight=30.0,
                                                    ahead=0.0)
    assert other.slots == () and other.blocked == "pause"
    assert 1.5 < other.at - other.moment <= 2.0


class PauseWatch(SendSlotStore):
    """Tells when a pause has been stored."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.stored = asyncio.Event()

    async def pause(self, seconds: float) -> None:
        await super().pause(seconds)
        self.stored.set()


async def test_a_429_in_one_limiter_holds_back_the_others(databases: list[Database]) -> None:
    first, second = (scaled_limiter(1.0, messages_per_second=30, group_messages_per_minute=20)
                     for _ in range(2))
    watch = PauseWatch(databases[0])
    first.share(watch)
    second.share(SendSlotStore(databases[1]))
    loop = asyncio.get_running_loop()
    refused_at: list[float] = []
    answered: dict[str, float] = {}

    async def call(name: str) -> bool:
        if name == "first" and not refused_at:
            refused_at.append(loop.time())
            raise RetryAfter(1)
        answered[name] = loop.time()
        return True

    async def once_paused() -> Result:
        await watch.stored.wait()
        return await second.process_request(call, ("second",), {}, "sendMessage",
                                            {"chat_id": -2}, None)

    await asyncio.gather(
        first.process_request(call, ("first",), {}, "sendMessage", {"chat_id": -1}, None),
        once_paused(),
    )
    await first.shutdown()
    await second.shutdown()
    assert set(answered) == {"first", "second"}
    assert all(at - refused_at[0] >= 1.0 for at in answered.values())


async def bots(sb: Sandbox, databases: list[Database], scale: float) -> list[Bot]:
    """A bot for each database, each with its own limiter sharing that database's windows."""
    started = []
    for db in databases:
        limiter = scaled_limiter(scale, messages_per_second=30, group_messages_per_minute=20)
        limiter.share(SendSlotStore(db))
        bot: Bot = ExtBot(TOKEN, base_url=f"{sb.url}/bot", rate_limiter=limiter,
                          request=HTTPXRequest(connection_pool_size=64))
        await bot.initialize()
        started.append(bot)
    return started


async def send_all(bots: list[Bot], chats: list[SandboxChat], each: int) -> None:
    """`each` messages into every chat, at once, spread over the bots in turn."""

    async def send(n: int, chat: SandboxChat) -> None:
        await bots[n % len(bots)].send_message(chat.id, f"Bericht {n}")

    try:
        await asyncio.gather(*(send(n, chat) for n in range(each) for chat in chats))
    finally:
        for bot in bots:
            await bot.shutdown()


def groups(sb: Sandbox, count: int) -> list[SandboxChat]:
    admin = sb.add_user("Marieke", language_code="nl")
    return [sb.add_group(f"Flat {n}", members=[admin, sb.bot_user], admins=[admin],
                         supergroup=True) for n in range(count)]


@pytest.mark.timeout(60)
async def test_three_limiters_keep_to_30_a_second_together(
    sandbox: Sandbox, databases: list[Database]
) -> None:
    scale = 5.0
    sb = sandbox
    sb.limiter = sb.api.limiter = RateLimiter(lambda: time.time() * scale)
    chats = groups(sb, 150)
    sb.mark()
    await send_all(await bots(sb, databases, scale), chats, each=3)

    sends = [e for e in sb.events_since_mark() if e.method == "sendMessage"]
    assert sb.stats.too_many_requests == 0
    assert len(sends) == 450 and all(e.ok for e in sends)
    assert Counter(e.chat_id for e in sends) == Counter({chat.id: 3 for chat in chats})
    assert most_in_window([e.at * scale for e in sends], 1.0) <= 30


@pytest.mark.timeout(60)
async def test_three_limiters_keep_to_20_a_minute_in_each_group_together(
    sandbox: Sandbox, databases: list[Database]
) -> None:
    scale = 20.0
    sb = sandbox
    sb.limiter = sb.api.limiter = RateLimiter(lambda: time.time() * scale)
    chats = groups(sb, 3)
    sb.mark()
    await send_all(await bots(sb, databases, scale), chats, each=26)

    sends = [e for e in sb.events_since_mark() if e.method == "sendMessage"]
    assert sb.stats.too_many_requests == 0
    assert len(sends) == 78 and all(e.ok for e in sends)
    for chat in chats:
        stamps = [e.at * scale for e in sends if e.chat_id == chat.id]
        assert len(stamps) == 26
        assert most_in_window(stamps, 60.0) == 20  # full, and never more
    assert most_in_window([e.at * scale for e in sends], 1.0) <= 30
