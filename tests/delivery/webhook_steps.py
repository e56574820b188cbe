"""Running the bot in webhook mode against the sandbox, and reading what it kept."""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp

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


def every_table(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that something changed nothing."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        names = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
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
