"""Three webhook workers (`python -m bot run`, each its own process) on one PostgreSQL fan out
the weekly digest to 500 groups due at once: every group gets exactly one digest, and the
sandbox answers none of the sends with 429, though no worker knows what the others send except
through the database (the schedule rows they claim, the shared rate windows).

Scaled in time, not in size, as tests/delivery/test_digest_fanout_process.py is (and with its
scaled bot): at Telegram's 30 messages a second 5,000 sends take 167 s, far too long for the
suite. The sandbox's windows and every worker's are made five times shorter (30 messages in a
fifth of a second overall), so the limits are exactly as strict, only faster. Scaled, the
windows no longer set the pace: the three workers' own work does (each send claims its slot in
the shared windows in a transaction of its own), and on two cores shared with other work they
managed 20 to 30 sends a second, so 5,000 groups would still take three to four minutes. Hence
500 groups: some 25 s on a busy machine. The full 5,000, at Telegram's real windows, and the
rate the three reach there, are in `make bench`.

About PostgreSQL: runs when OMZIEN_TEST_ENGINE=postgresql, on the session's server.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from sandbox import Sandbox, SandboxChat
from tests import postgres_server
from tests.delivery.process_db import until_committed, value
from tests.delivery.scaled_bot import environment
from tests.delivery.test_digest_fanout_process import (
    LINE,
    SCALE,
    SCALED_BOT,
    SENT_DIGESTS,
    SUNDAY_EVENING,
    Digests,
    due_groups,
)
from tests.delivery.webhook_steps import HOOK_PATH, SECRET, free_port
from tests.harness import BotProcess

pytestmark = pytest.mark.skipif(
    not postgres_server.on_postgresql(),
    reason="several workers share one PostgreSQL database: runs in the PostgreSQL pass")

WORKERS = 3
GROUPS = 500
WAIT = 60.0


@pytest.fixture
async def groups(sandbox: Sandbox, database_location: Path | str) -> list[SandboxChat]:
    """500 groups with the bot in them, active since the day before in the shared database
    (the digest on, the nudges off)."""
    return await due_groups(sandbox, database_location, GROUPS)


@pytest.mark.timeout(180)
async def test_three_workers_fan_out_500_digests_once_each_without_a_429(
    sandbox: Sandbox, groups: list[SandboxChat], database_location: Path | str,
    bot_process: BotProcess
) -> None:
    sb, database = sandbox, database_location
    digests = Digests(sb, groups)
    scaled = environment(SCALE, SUNDAY_EVENING, LINE)
    ports = [free_port() for _ in range(WORKERS)]
    # No update arrives here: each worker only registers the first one's address as the webhook.
    async with AsyncExitStack() as stack:
        workers = [await stack.enter_async_context(bot_process(
            sb, database, command=SCALED_BOT, env={
                **scaled,
                "OMZIEN_WEBHOOK_URL": f"http://127.0.0.1:{ports[0]}{HOOK_PATH}",
                "OMZIEN_WEBHOOK_SECRET": SECRET, "OMZIEN_WEBHOOK_LISTEN": "127.0.0.1",
                "OMZIEN_WEBHOOK_PORT": str(port)}))
            for port in ports]
        await digests.until(GROUPS, timeout=WAIT)
        await until_committed(database, f"SELECT ({SENT_DIGESTS}) = {GROUPS}", timeout=WAIT)
        await sb.settle(timeout=WAIT)
        for worker in workers:
            worker.terminate()
        for worker in workers:
            assert await asyncio.wait_for(worker.wait(), timeout=10) == 0
    digests.count()
    assert digests.per_group == Counter({group.id: 1 for group in groups})
    assert sb.stats.too_many_requests == 0
    assert await value(database, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") == 0
