"""2,000 groups due for their weekly digest, and the real process stopped (SIGTERM) halfway
through the fan-out, restarted, killed (SIGKILL) halfway through the rest, and restarted again:
every group gets exactly one digest, and Telegram never answers 429.

Scaled in time, not in size: at Telegram's 30 messages a second 2,000 sends take 67 s, too long
for the suite. The sandbox's rate windows and the bot's are both made five times shorter (30 in
a fifth of a second overall, 20 in twelve seconds per group), so the bot meets limits exactly as
strict as its own, only faster: 2,000 sends may then take 13 s, and on a busy machine the bot's
own work is what takes longer. The bot runs as `python -m tests.delivery.scaled_bot` (see there):
`python -m bot run` with the shorter windows, its clock on a Sunday evening and one line for
every digest, none of it reachable through the settings.

The kill comes at a known point, not after a pause: from the halfway mark the sandbox holds
every send at Telegram's door (refused once the process is gone), and the kill waits until each
digest Telegram took is marked sent in the bot's database. A send Telegram took in the last
instant before a kill, with no time left to record it, would go out again: Telegram cannot be
asked whether it has a message, so that instant is the one duplicate no outbox can rule out.

The database lies in memory-backed storage (/dev/shm) where the machine has it: a kill of the
process loses nothing the kernel was handed either way (only a power cut would tell the two
apart), and each commit's flush to disk would cost more than the sends themselves.
"""

from __future__ import annotations

import asyncio
import signal
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.community import BuildingSettings
from sandbox import Sandbox, SandboxChat
from sandbox.limits import RateLimiter
from storage.community import BuildingStore
from storage.db import Database
from tests.delivery.process_db import until_committed, value
from tests.delivery.scaled_bot import environment
from tests.harness import BotProcess

GROUPS = 2000
SCALE = 5.0
LINE = "• Zondag soep in de hal"
SUNDAY_EVENING = datetime(2026, 11, 29, 19, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
"""Every group's digest (Sunday 19:00 plus its 0-10 minute offset) is due."""
SCALED_BOT = ("-m", "tests.delivery.scaled_bot")
HELD_SECONDS = 60.0
WAIT = 60.0
SENT_DIGESTS = "SELECT COUNT(*) FROM outbox WHERE key LIKE 'digest:%' AND state = 'sent'"


class Digests:
    """The digests the sandbox delivered so far, counted as the events come in."""

    def __init__(self, sb: Sandbox, groups: list[SandboxChat]) -> None:
        self._sb = sb
        self._ids = {group.id for group in groups}
        self._seen = 0
        self.per_group: Counter[int] = Counter()

    def count(self) -> int:
        events = self._sb.events
        for event in events[self._seen:]:
            if (event.ok and event.method == "sendMessage" and event.chat_id in self._ids
                    and event.message is not None and LINE in event.message.text):
                self.per_group[event.chat_id] += 1
        self._seen = len(events)
        return sum(self.per_group.values())

    async def until(self, count: int, timeout: float = WAIT) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.count() < count:
            if loop.time() > deadline:
                raise TimeoutError(self._sb.dump(f"{self.count()} of {count} digests"))
            await asyncio.sleep(0.01)


@pytest.fixture
def database(tmp_path: Path, database_location: Path | str) -> Iterator[Path | str]:
    """On SQLite a file in memory where there is one (the bot syncs every commit)."""
    if not isinstance(database_location, Path):
        yield database_location
        return
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path / "omzien.sqlite3"
        return
    with tempfile.TemporaryDirectory(dir=shm) as folder:
        yield Path(folder) / "omzien.sqlite3"


@pytest.fixture
async def groups(sandbox: Sandbox, database: Path | str) -> AsyncIterator[list[SandboxChat]]:
    """2,000 groups with the bot in them, active since the day before in the bot's database
    (the digest on, the nudges off)."""
    yield await due_groups(sandbox, database, GROUPS)


async def due_groups(sb: Sandbox, database: Path | str, count: int) -> list[SandboxChat]:
    """`count` groups whose digest is due on SUNDAY_EVENING, in a sandbox whose windows are
    SCALE times shorter."""
    sb.limiter = sb.api.limiter = RateLimiter(lambda: time.time() * SCALE)
    admin = sb.add_user("Marieke", "Jansen", username="marieke", language_code="nl")
    chats = [sb.add_group(f"Flat {n}", members=[admin, sb.bot_user], admins=[admin],
                          supergroup=True) for n in range(count)]
    await active_since_saturday(database, chats)
    return chats


async def active_since_saturday(database: Path | str, chats: list[SandboxChat]) -> None:
    """`chats` active in the bot's database since the day before SUNDAY_EVENING, the digest
    on and the nudges off (nothing else to plan for thousands of groups)."""
    db = await Database.open(database)
    try:
        buildings = BuildingStore(db)
        added = (SUNDAY_EVENING - timedelta(days=1)).astimezone(UTC)
        quiet = BuildingSettings(nudges_enabled=False)
        async with db.unit_of_work():
            for chat in chats:
                await buildings.activate(chat.id, chat.title or "", "nl", added)
                await buildings.save_settings(chat.id, quiet)
    finally:
        await db.close()


def hold_every_send(sb: Sandbox) -> None:
    """From now on each send is held at Telegram's door, then refused: what is in flight when
    the process dies never went out."""
    sb.faults.delay(HELD_SECONDS, GROUPS, method="sendMessage")
    sb.faults.fail(GROUPS, status=502, method="sendMessage")


async def until_recorded(sb: Sandbox, digests: Digests, database: Path | str) -> None:
    """Every call still in flight is a held one, and every digest Telegram took is marked sent
    in the bot's database: a kill now cuts nothing off between the two."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        held = len([e for e in sb.events_since_mark() if e.delayed])
        if sb.server.inflight == held and await value(database, SENT_DIGESTS) == digests.count():
            return
        if loop.time() > deadline:
            raise TimeoutError(sb.dump("the digests sent were not all recorded"))
        await asyncio.sleep(0.01)


@pytest.mark.timeout(180)
async def test_2000_digests_stopped_and_killed_halfway_reach_every_group_once(
    sandbox: Sandbox, groups: list[SandboxChat], database: Path | str, bot_process: BotProcess
) -> None:
    sb = sandbox
    digests = Digests(sb, groups)
    env = environment(SCALE, SUNDAY_EVENING, LINE)
    async with bot_process(sb, database, command=SCALED_BOT, env=env) as process:
        await digests.until(GROUPS // 2)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    stopped_at = digests.count()
    assert stopped_at < GROUPS

    async with bot_process(sb, database, command=SCALED_BOT, env=env) as process:
        await digests.until(stopped_at + (GROUPS - stopped_at) // 2)
        sb.mark()
        hold_every_send(sb)
        await until_recorded(sb, digests, database)
        process.kill()
        await process.wait()
    sb.faults.clear()
    assert digests.count() < GROUPS

    async with bot_process(sb, database, command=SCALED_BOT, env=env) as process:
        await digests.until(GROUPS)
        await until_committed(database, f"SELECT ({SENT_DIGESTS}) = {GROUPS}")
        await sb.settle(timeout=WAIT)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    digests.count()
    assert digests.per_group == Counter({group.id: 1 for group in groups})
    assert sb.stats.too_many_requests == 0
    assert await value(database, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") == 0
