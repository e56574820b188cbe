"""What a bot running in its own process has committed, read beside it from its database file
(read-only; WAL lets a reader in at any time), so a test can act on a commit instead of a guess."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.005


def read_db(database: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
        return list(db.execute(sql, params).fetchall())


def value(database: Path, sql: str, params: tuple[object, ...] = ()) -> Any:
    rows = read_db(database, sql, params)
    return rows[0][0] if rows else None


async def until_committed(database: Path, sql: str, params: tuple[object, ...] = (),
                          timeout: float = 30.0) -> None:
    """Wait until `sql` (one value) reads true in what the bot committed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if value(database, sql, params):
                return
        except sqlite3.OperationalError:  # the file or the table is not there yet
            pass
        if loop.time() > deadline:
            raise TimeoutError(f"not committed within {timeout} s: {sql} {params}")
        await asyncio.sleep(POLL_SECONDS)
