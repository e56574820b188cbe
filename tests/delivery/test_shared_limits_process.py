"""The bot's own process on PostgreSQL shares Telegram's limits with other senders: while
`python -m bot run` fans out 200 digests, two more limiters, on their own pools of the same
database (as two more workers would), send 100 messages into other groups. Together they keep to
30 messages a second, and the sandbox answers none of them with 429.

Scaled as tests/delivery/test_digest_fanout_process.py is (and with its scaled bot): the
sandbox's windows and every sender's are five times shorter, so the limits are exactly as strict
and 300 messages take two seconds instead of ten (more on a busy machine: a request's round trip
weighs five times more against the shorter windows).

About PostgreSQL: runs when OMZIEN_TEST_ENGINE=postgresql, on the session's server.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, timedelta

import pytest

from bot.domain.community import BuildingSettings
from sandbox import Sandbox
from sandbox.limits import RateLimiter
from storage.community import BuildingStore
from storage.db import Database
from tests import postgres_server
from tests.delivery.process_db import until_committed
from tests.delivery.scaled_bot import environment
from tests.delivery.test_digest_fanout_process import (
    LINE,
    SCALE,
    SCALED_BOT,
    SENT_DIGESTS,
    SUNDAY_EVENING,
    Digests,
)
from tests.delivery.test_fanout import most_in_window
from tests.delivery.test_shared_limits import bots, groups, send_all
from tests.harness import BotProcess

DIGEST_GROUPS = 200
OTHER_GROUPS = 50
OTHER_EACH = 2


@pytest.fixture
async def database() -> AsyncIterator[str]:
    if not postgres_server.on_postgresql():
        pytest.skip("the shared windows live in PostgreSQL")
    server = postgres_server.server()
    url = await server.fresh_database()
    try:
        yield url
    finally:
        await server.drop(url)


@pytest.mark.timeout(120)
async def test_a_bot_process_and_two_more_senders_keep_to_30_a_second_together(
    sandbox: Sandbox, database: str, bot_process: BotProcess
) -> None:
    sb = sandbox
    sb.limiter = sb.api.limiter = RateLimiter(lambda: time.time() * SCALE)
    due, others = groups(sb, DIGEST_GROUPS), groups(sb, OTHER_GROUPS)
    db = await Database.open(database)
    try:
        buildings = BuildingStore(db)
        added = (SUNDAY_EVENING - timedelta(days=1)).astimezone(UTC)
        async with db.unit_of_work():
            for chat in due:
                await buildings.activate(chat.id, chat.title or "", "nl", added)
                await buildings.save_settings(chat.id, BuildingSettings(nudges_enabled=False))
    finally:
        await db.close()
    digests = Digests(sb, due)
    workers = [await Database.open(database) for _ in range(2)]
    try:
        env = environment(SCALE, SUNDAY_EVENING, LINE)
        async with bot_process(sb, database, command=SCALED_BOT, env=env) as process:
            await digests.until(1)
            await send_all(await bots(sb, workers, SCALE), others, each=OTHER_EACH)
            await digests.until(DIGEST_GROUPS)
            await until_committed(database, f"SELECT ({SENT_DIGESTS}) = {DIGEST_GROUPS}")
            process.terminate()
            assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    finally:
        for worker in workers:
            await worker.close()

    digests.count()
    assert digests.per_group == Counter({chat.id: 1 for chat in due})
    other_ids = {chat.id for chat in others}
    sent = [e for e in sb.events if e.method == "sendMessage" and e.ok]
    assert Counter(e.chat_id for e in sent if e.chat_id in other_ids) == Counter(
        {chat.id: OTHER_EACH for chat in others})
    assert sb.stats.too_many_requests == 0
    assert most_in_window([e.at * SCALE for e in sent], 1.0) <= 30
    first_other = min(e.at for e in sent if e.chat_id in other_ids)
    due_ids = {chat.id for chat in due}
    assert any(e.at > first_other for e in sent if e.chat_id in due_ids)  # they overlapped
