"""Group commit: every commit is on disk before anyone acts on it, with one fsync for many.

`synchronous=FULL` syncs the write-ahead log inside each COMMIT, while the database's lock is
held, so every other chat waits for the disk each time. Here commits run with
`synchronous=NORMAL` (in WAL mode nothing is synced at COMMIT) and then, with the lock already
free, wait for one fsync of the log that covers their commit; commits that end while a sync
runs are covered together by the next one. Whoever committed goes on only once it is on disk
(an update's "handled" mark before Telegram is told, a message before it is sent, a press's
answer after its change): what FULL promises, without holding the lock for the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path


class GroupCommit:
    def __init__(self, wal: Path | None) -> None:
        """`wal`: the database's write-ahead log (None for a database in memory)."""
        self._wal = wal
        self._fd: int | None = None
        self._written = 0
        self._synced = 0
        self._running: asyncio.Future[None] | None = None

    async def wrote(self) -> None:
        """A commit that changed something just ended: return once it is on disk."""
        if self._wal is None:
            return
        self._written += 1
        mark = self._written
        while self._synced < mark:
            if self._running is None:
                self._running = asyncio.ensure_future(self._sync(self._written))
            await asyncio.shield(self._running)

    async def _sync(self, upto: int) -> None:
        try:
            await asyncio.to_thread(self._fsync)
            self._synced = max(self._synced, upto)
        finally:
            self._running = None

    def _fsync(self) -> None:
        # fsync flushes the file itself, whichever descriptor wrote to it (here: SQLite's).
        if self._fd is None:
            assert self._wal is not None
            self._fd = os.open(self._wal, os.O_RDONLY)
        os.fsync(self._fd)

    async def close(self) -> None:
        if self._running is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._running)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
