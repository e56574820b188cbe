"""What a bot running in its own process has committed, read beside it from its database (see
tests/committed.py), so a test can act on a commit instead of a guess."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.committed import NOT_THERE_YET, read_value

POLL_SECONDS = 0.005


async def value(database: Path | str, sql: str, params: tuple[object, ...] = ()) -> Any:
    return await read_value(database, sql, params)


async def until_committed(database: Path | str, sql: str, params: tuple[object, ...] = (),
                          timeout: float = 30.0) -> None:
    """Wait until `sql` (one value) reads true in what the bot committed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if await value(database, sql, params):
                return
        except NOT_THERE_YET:  # the database or the table is not there yet
            pass
        if loop.time() > deadline:
            raise TimeoutError(f"not committed within {timeout} s: {sql} {params}")
        await asyncio.sleep(POLL_SECONDS)
