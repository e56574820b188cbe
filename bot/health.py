"""Is the bot well? For container health checks (`python -m bot health`), without a port.

Two signs, both needed:
- a heartbeat file beside the database, touched by the schedule poll: the event loop is alive
  and the database answers;
- no update stored in the inbox has waited long to be handled: updates are flowing (a bot whose
  scheduler ticks while its handlers hang, or whose database refuses the handlers' commits,
  still beats but lets residents wait).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from storage.db import Database
from storage.inbox import UpdateInbox

STALE_AFTER_SECONDS = 180.0
UPDATE_WAIT_LIMIT_SECONDS = 120.0
"""An update stored longer ago than this and not handled yet means updates are stuck."""


def heartbeat_path(database: Path) -> Path:
    return database.with_name(database.name + ".heartbeat")


def beat(database: Path) -> None:
    path = heartbeat_path(database)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(str(int(time.time())), encoding="ascii")


def is_alive(database: Path, *, now: float | None = None) -> bool:
    path = heartbeat_path(database)
    try:
        last = float(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False
    return (now if now is not None else time.time()) - last < STALE_AFTER_SECONDS


async def oldest_update_wait(database: Path, *, now: datetime | None = None) -> float:
    """Seconds the longest-waiting stored update has waited to be handled (0: none waits)."""
    db = await Database.open(database, migrate=False)
    try:
        oldest = await UpdateInbox(db).oldest_unhandled()
    finally:
        await db.close()
    if oldest is None:
        return 0.0
    return max(0.0, ((now or datetime.now(UTC)) - oldest).total_seconds())


async def check(database: Path) -> str | None:
    """Why the bot is unwell, in one line for the operator; None when it is well."""
    if not is_alive(database):
        return f"no heartbeat in the last {STALE_AFTER_SECONDS:.0f} s"
    waited = await oldest_update_wait(database)
    if waited > UPDATE_WAIT_LIMIT_SECONDS:
        return f"an update has waited {waited:.0f} s to be handled"
    return None
