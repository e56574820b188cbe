"""`python -m bot health` fails when updates stop flowing, not only when the scheduler stops."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.health import UPDATE_WAIT_LIMIT_SECONDS, beat, check, heartbeat_path
from storage.db import Database
from storage.inbox import UpdateInbox

ROOT = Path(__file__).resolve().parents[2]


async def store_update(database: Path, update_id: int, *, waited: float) -> None:
    """An update that came in `waited` seconds ago and is not handled yet."""
    db = await Database.open(database)
    try:
        received = datetime.now(UTC) - timedelta(seconds=waited)
        await UpdateInbox(db).store([(update_id, {"update_id": update_id})], received)
    finally:
        await db.close()


async def mark_handled(database: Path, update_id: int) -> None:
    db = await Database.open(database)
    try:
        await UpdateInbox(db).mark_handled(update_id, datetime.now(UTC))
    finally:
        await db.close()


def waited(problem: str | None) -> int:
    """The seconds in "an update has waited N s to be handled" (the stored time has whole
    seconds, and the check runs a moment after the update was stored)."""
    found = re.fullmatch(r"an update has waited (\d+) s to be handled", problem or "")
    assert found is not None, problem
    return int(found.group(1))


def health(database: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMZIEN_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"], cwd=ROOT,
        env={**env, "OMZIEN_DATABASE": str(database)},
        capture_output=True, text=True, timeout=60,
    )


async def test_an_update_waiting_too_long_makes_the_bot_unhealthy(tmp_path: Path) -> None:
    database = tmp_path / "omzien.sqlite3"
    await store_update(database, 1, waited=5)
    beat(database)
    assert await check(database) is None
    await store_update(database, 2, waited=UPDATE_WAIT_LIMIT_SECONDS + 30)
    assert waited(await check(database)) >= UPDATE_WAIT_LIMIT_SECONDS + 30
    result = health(database)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert waited(line.removeprefix("omzien: unhealthy: ")) >= UPDATE_WAIT_LIMIT_SECONDS + 30
    await mark_handled(database, 2)
    assert health(database).returncode == 0


async def test_a_stale_heartbeat_makes_the_bot_unhealthy(tmp_path: Path) -> None:
    database = tmp_path / "omzien.sqlite3"
    assert await check(database) == "no heartbeat in the last 180 s"
    assert not database.exists()
    await store_update(database, 1, waited=0)
    heartbeat_path(database).write_text(str(int(datetime.now(UTC).timestamp()) - 200), "ascii")
    assert await check(database) == "no heartbeat in the last 180 s"
    beat(database)
    assert await check(database) is None
