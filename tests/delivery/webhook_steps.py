"""Running the bot in webhook mode against the sandbox, and reading what it kept."""

from __future__ import annotations

import socket
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp

from storage.db import is_postgresql
from tests.committed import read_rows
from tests.harness import World

SECRET = "building-secret_42"
HOOK_PATH = "/telegram/updates"


def free_port() -> int:
    """A port nothing listens on now, for the bot's own HTTP server."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_mode(world: World) -> str:
    """Make `world.bot()` take updates on a webhook; returns the bot server's base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    world.settings_overrides.update(
        webhook_url=base + HOOK_PATH, webhook_secret=SECRET, webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    return base


async def every_table(database: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that something changed nothing."""
    names_sql = ("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
                 if is_postgresql(database)
                 else "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    names = [row[0] for row in await read_rows(database, names_sql)]
    return {name: sorted(await read_rows(database, f'SELECT * FROM "{name}"'), key=repr)
            for name in names}


async def metrics(base: str) -> dict[str, float]:
    """The bot's /metrics as sample name (with labels) → value."""
    async with aiohttp.ClientSession() as session, session.get(base + "/metrics") as answer:
        assert answer.status == 200
        assert answer.content_type == "text/plain"
        text = await answer.text()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, number = line.rpartition(" ")
            samples[name] = float(number)
    return samples
