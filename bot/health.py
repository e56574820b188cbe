"""A heartbeat file beside the database, touched by the schedule poll, read by `python -m bot health`.

It proves the event loop is alive and the database answers, which is what a container health
check needs to know, without opening a port.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

from storage.db import is_postgresql, sqlite_path

STALE_AFTER_SECONDS = 180.0


def heartbeat_path(database: str) -> Path:
    """Beside a SQLite file; for a PostgreSQL URL, in the temporary folder, named for the URL."""
    if is_postgresql(database):
        digest = hashlib.sha256(database.encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"omzien-{digest}.heartbeat"
    file = sqlite_path(database)
    return file.with_name(file.name + ".heartbeat")


def beat(database: str) -> None:
    path = heartbeat_path(database)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(str(int(time.time())), encoding="ascii")


def is_alive(database: str, *, now: float | None = None) -> bool:
    path = heartbeat_path(database)
    try:
        last = float(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False
    return (now if now is not None else time.time()) - last < STALE_AFTER_SECONDS
