"""Omzien as a city runs it: three webhook workers (`python -m bot run`, each its own process)
on one PostgreSQL database, behind a load balancer that hands each update to the next worker.

- Presses (the burst of benchmarks/cards.py): the buildings, their cards and their residents
  are set up on one bot in this process, then the three workers take the presses; presses a
  second from the first press to the last answer.
- The Sunday digest fan-out to thousands of groups (as benchmarks/fanout.py, here shared by the
  three workers through the schedule rows they claim and the rate windows in the database), at
  Telegram's own windows: the three together as a share of 30 messages a second, and the 429s.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from benchmarks import cards, fanout
from bot.app import SCHEDULE_POLL_SECONDS
from bot.clock import FakeClock
from sandbox import Sandbox
from sandbox.models import BotEvent
from tests import postgres_server
from tests.activities.test_activities_e2e import open_private, post_prepared
from tests.delivery.scaled_bot import environment
from tests.delivery.test_digest_fanout_process import active_since_saturday
from tests.delivery.test_workers_process import RoundRobin
from tests.delivery.webhook_steps import HOOK_PATH, SECRET, free_port
from tests.harness import TOKEN, World

WORKERS = 3
ROOT = Path(__file__).resolve().parent.parent
SCALED_BOT = ("-m", "tests.delivery.scaled_bot")
"""The bot with a digest line for every group and its clock on a Sunday evening; its rate
windows are Telegram's own (a time scale of 1)."""


@asynccontextmanager
async def _workers(sb: Sandbox, database: str, command: tuple[str, ...],
                   env: Mapping[str, str]) -> AsyncIterator[None]:
    """Three workers in webhook mode behind a round-robin balancer, until they are stopped."""
    ports = [free_port() for _ in range(WORKERS)]
    balancer = web.Application()
    balancer.router.add_post(HOOK_PATH, RoundRobin(ports).handle)
    runner = web.AppRunner(balancer)
    await runner.setup()
    public = free_port()
    await web.TCPSite(runner, "127.0.0.1", public).start()
    processes: list[asyncio.subprocess.Process] = []
    try:
        for port in ports:
            environment_ = {
                **{k: v for k, v in os.environ.items() if not k.startswith("OMZIEN_")},
                "OMZIEN_BOT_TOKEN": TOKEN, "OMZIEN_BOT_API_URL": f"{sb.url}/bot",
                "OMZIEN_DATABASE": database, "OMZIEN_LOG_LEVEL": "WARNING",
                "OMZIEN_WEBHOOK_URL": f"http://127.0.0.1:{public}{HOOK_PATH}",
                "OMZIEN_WEBHOOK_SECRET": SECRET, "OMZIEN_WEBHOOK_LISTEN": "127.0.0.1",
                "OMZIEN_WEBHOOK_PORT": str(port), **env,
            }
            # Warnings and errors reach the benchmark's own output.
            processes.append(await asyncio.create_subprocess_exec(
                sys.executable, *command, cwd=ROOT, env=environment_,
                stdout=asyncio.subprocess.DEVNULL))
        await sb.wait_for(lambda e: e.method == "setWebhook"
                          and sb.stats.calls["setWebhook"] >= WORKERS, timeout=60)
        yield
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await process.wait()
        await runner.cleanup()


async def presses(sb: Sandbox, count: int, residents: int) -> cards.Presses:
    """The burst of benchmarks/cards.py, taken by three workers on a fresh database."""
    server = postgres_server.server()
    url = await server.fresh_database()
    try:
        places = cards.buildings(sb, count, residents, bot_in=False)
        first = places[0]
        world = World(sb=sb, clock=FakeClock(datetime.now(UTC)), database=url,
                      group=first.group, admin=first.organiser, residents=first.residents)
        starts = world.clock.now() + timedelta(days=3)  # the workers run on the real clock
        prepared = []
        async with world.bot(schedule_poll_seconds=SCHEDULE_POLL_SECONDS):
            for building in places:
                await sb.add_bot_to_group(building.group, by=building.organiser)
                await sb.next_message(building.group, timeout=30)
                card = await post_prepared(world, building.organiser, group=building.group,
                                           starts_at=starts, ends_at=starts + timedelta(hours=2))
                prepared.append((building, card))
                for resident in building.residents:
                    await open_private(world, resident, building.group)
            await sb.settle(timeout=60)
        async with _workers(sb, url, ("-m", "bot", "run"), {}):
            return await cards.press_all(sb, prepared, "Ik kom")
    finally:
        await server.drop(url)


def _is_digest(event: BotEvent, ids: set[int]) -> bool:
    return (event.method == "sendMessage" and event.ok and event.chat_id in ids
            and event.message is not None and fanout.LINE in event.message.text)


async def _until_sent(sb: Sandbox, ids: set[int], timeout: float) -> None:
    """Until every group in `ids` had its digest (or `timeout` seconds passed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen, waiting = 0, set(ids)
    while waiting and loop.time() < deadline:
        events = sb.events
        for event in events[seen:]:
            if _is_digest(event, ids):
                waiting.discard(event.chat_id or 0)
        seen = len(events)
        await asyncio.sleep(0.05)


async def fan_out(sb: Sandbox, groups: int) -> fanout.FanOut:
    """Every group's digest due at once, sent by three workers at Telegram's windows."""
    admin = sb.add_user("Marieke", language_code="nl")
    chats = [sb.add_group(f"Flat {n}", members=[admin, sb.bot_user], admins=[admin],
                          supergroup=True) for n in range(groups)]
    ids = {chat.id for chat in chats}
    server = postgres_server.server()
    url = await server.fresh_database()
    try:
        await active_since_saturday(url, chats)
        sb.mark()
        refused_before = sb.stats.too_many_requests
        env = environment(1.0, fanout.SUNDAY_EVENING, f"• {fanout.LINE}")
        async with _workers(sb, url, SCALED_BOT, env):
            # 5,000 messages at 30 a second take at least 167 s.
            await _until_sent(sb, ids, timeout=groups / fanout.TELEGRAM_PER_SECOND * 3)
    finally:
        await server.drop(url)
    sends = [e for e in sb.events_since_mark() if _is_digest(e, ids)]
    stamps = sorted(e.at for e in sends)
    return fanout.FanOut(groups, len(sends), stamps[-1] - stamps[0] if stamps else 0.0,
                         sb.stats.too_many_requests - refused_before)
