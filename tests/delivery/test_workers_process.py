"""Three webhook workers (`python -m bot run`, each its own process) on one PostgreSQL, behind a
load balancer that hands each update to the next worker in turn. A burst of presses and
commands from many groups arrives; one worker is killed with SIGKILL halfway. At the end every
update was handled exactly once, each group's in the order its residents acted, nothing lost.

Scaled to stay quick: 20 groups and 300 updates (15 a group: 12 presses on an activity with two
places and 3 /help commands). The groups' setup runs on one bot in this process first.
"""

from __future__ import annotations

import asyncio
import json
import signal
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import zip_longest

import aiohttp
import pytest
from aiohttp import web

from sandbox import SandboxChat, SandboxMessage, SandboxUser
from tests import postgres_server
from tests.activities.test_activities_e2e import post_prepared
from tests.committed import read_rows
from tests.delivery.webhook_steps import HOOK_PATH, SECRET, free_port
from tests.harness import BotProcess, World

pytestmark = pytest.mark.skipif(
    not postgres_server.on_postgresql(),
    reason="several workers share one PostgreSQL database: runs in the PostgreSQL pass")

WORKERS = 3
GROUPS = 20
PRESSES = 12
"""Residents of each group who press "Ik kom" on its activity (two places: ten wait)."""
COMMANDS = 3
"""/help commands in each group; 15 updates a group, 300 in all. Few: each answer is a message,
and Telegram's 30 messages a second set how long the end of the burst takes."""
CAPACITY = 2
WAIT = 30.0
HELP = "Dit kun je met Omzien doen"
MESSAGES_PER_SECOND = 30
"""Telegram's overall limit, split between the workers (each keeps its own window here)."""


@dataclass
class Building:
    group: SandboxChat
    organiser: SandboxUser
    pressers: list[SandboxUser]
    card: SandboxMessage | None = None


@dataclass
class RoundRobin:
    """A load balancer: each POST goes to the next worker; one that refuses the connection (it
    died) is passed over, as a balancer's health check would."""

    ports: list[int]
    sent: list[int] = field(default_factory=list)
    """How many updates each worker took."""
    _next: int = 0

    def __post_init__(self) -> None:
        self.sent = [0] * len(self.ports)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {name: value for name, value in request.headers.items()
                   if name.lower().startswith("x-telegram") or name.lower() == "content-type"}
        async with aiohttp.ClientSession() as session:
            for _ in self.ports:
                worker = self._next
                self._next = (self._next + 1) % len(self.ports)
                url = f"http://127.0.0.1:{self.ports[worker]}{HOOK_PATH}"
                try:
                    async with session.post(url, data=body, headers=headers) as answer:
                        self.sent[worker] += 1
                        return web.Response(status=answer.status, body=await answer.read())
                except aiohttp.ClientConnectionError:
                    continue
        return web.Response(status=502)


async def set_up(world: World, count: int) -> list[Building]:
    """Groups with the bot and an activity with two places each, on one bot in this process."""
    sb = world.sb
    world.clock.set(datetime.now(UTC))
    starts = world.clock.now() + timedelta(days=3)
    buildings = []
    for number in range(count):
        people = [sb.add_user(f"Buur{number}x{i}", language_code="nl") for i in range(PRESSES + 1)]
        group = sb.add_group(f"Flat {number}", members=people, admins=[people[0]])
        buildings.append(Building(group, people[0], people[1:]))
    async with world.bot():
        for building in buildings:
            await sb.add_bot_to_group(building.group, by=building.organiser)
            await sb.next_message(building.group)
            building.card = await post_prepared(
                world, building.organiser, capacity=CAPACITY, group=building.group,
                starts_at=starts, ends_at=starts + timedelta(hours=2))
        await sb.settle(timeout=WAIT)
    return buildings


async def burst(world: World, buildings: list[Building]) -> None:
    """Each group's residents press and ask for help, the groups' actions interleaved."""
    sb = world.sb
    lanes = []
    for building in buildings:
        assert building.card is not None
        card = building.card
        acts = [(person, card) for person in building.pressers]
        helps = [(building.pressers[n % PRESSES], None) for n in range(COMMANDS)]
        lanes.append([(building.group, who, what) for pair in zip_longest(acts, helps)
                      for item in pair if item is not None for who, what in [item]])
    for step in zip(*lanes, strict=True):
        for group, who, card in step:
            if card is None:
                await sb.say(who, group, "/help")
            else:
                await sb.tap(who, card, "Ik kom")


async def killed_halfway(world: World, victim: asyncio.subprocess.Process, first: int,
                         total: int) -> None:
    """SIGKILL once half the burst reached the workers."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while len([u for u in world.sb.delivered_updates if u > first]) < total // 2:
        assert loop.time() < deadline, "the burst did not reach the workers"
        await asyncio.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    await victim.wait()


@pytest.mark.timeout(120)
async def test_three_workers_one_killed_handle_each_update_once_in_order(
    world: World, bot_process: BotProcess
) -> None:
    sb = world.sb
    buildings = await set_up(world, GROUPS)
    first = max(sb.delivered_updates)
    ports = [free_port() for _ in range(WORKERS)]
    balancer = RoundRobin(ports)
    server = web.Application()
    server.router.add_post(HOOK_PATH, balancer.handle)
    runner = web.AppRunner(server)
    await runner.setup()
    public = free_port()
    await web.TCPSite(runner, "127.0.0.1", public).start()
    try:
        async with AsyncExitStack() as stack:
            workers = [await stack.enter_async_context(bot_process(
                sb, world.database, env={
                    "OMZIEN_WEBHOOK_URL": f"http://127.0.0.1:{public}{HOOK_PATH}",
                    "OMZIEN_WEBHOOK_SECRET": SECRET, "OMZIEN_WEBHOOK_LISTEN": "127.0.0.1",
                    "OMZIEN_WEBHOOK_PORT": str(port),
                    "OMZIEN_MESSAGES_PER_SECOND": str(MESSAGES_PER_SECOND // WORKERS)}))
                for port in ports]
            await sb.wait_for(lambda e: e.method == "setWebhook" and sb.stats.calls[
                "setWebhook"] >= WORKERS, timeout=WAIT)
            sb.mark()
            total = GROUPS * (PRESSES + COMMANDS)
            await asyncio.gather(burst(world, buildings),
                                 killed_halfway(world, workers[1], first, total))
            sent_when_killed = balancer.sent[1]
            await sb.settle(timeout=WAIT)
    finally:
        await runner.cleanup()

    assert sum(balancer.sent) >= total and min(balancer.sent) > 0, balancer.sent
    assert balancer.sent[1] == sent_when_killed, "nothing went to the killed worker"
    rows = await read_rows(world.database, "SELECT update_id, payload, handled_at FROM inbox"
                                           " WHERE update_id > ? ORDER BY update_id", (first,))
    assert len(rows) == total
    assert [update_id for update_id, _, handled in rows if handled is None] == []
    presses = {}
    for update_id, payload, _ in rows:
        query = json.loads(payload).get("callback_query")
        if query is not None:
            presses[update_id] = (query["message"]["chat"]["id"], query["from"]["id"])
    assert len(presses) == GROUPS * PRESSES
    for building in buildings:
        group = building.group
        in_order = [user for _, (chat, user) in sorted(presses.items()) if chat == group.id]
        answers = await read_rows(
            world.database,
            "SELECT r.user_id, r.status FROM activity_rsvps r JOIN activities a"
            " ON a.id = r.activity_id WHERE a.building_id = ? ORDER BY r.id", (group.id,))
        assert [user for user, _ in answers] == in_order, \
            f"{group.title}: answers stored in the order the residents pressed"
        assert [status for _, status in answers] == \
            ["going"] * CAPACITY + ["waiting"] * (PRESSES - CAPACITY)
        replies = await read_rows(
            world.database, "SELECT state FROM outbox WHERE chat_id = ? AND payload LIKE ?",
            (group.id, f"%{HELP}%"))
        assert [state for state, in replies] == ["sent"] * COMMANDS, \
            f"{group.title}: one answer to each /help, sent"
        shown = len([m for m in sb.bot_messages(group) if HELP in m.text])
        assert COMMANDS <= shown <= COMMANDS + 1, \
            f"{group.title}: a send under way when its worker was killed may go out again"
