"""SQLite: one connection per process behind one lock, WAL, and group commit.

aiosqlite shares one sqlite3 connection between coroutines, and a transaction must not
interleave with another coroutine's statements: a unit of work holds the lock from its first
statement (BEGIN IMMEDIATE) to its end. Commits are synced outside the lock, many at once
(storage/group_commit.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from storage.dialect import SQLITE
from storage.engine import Engine, Params, Row, Transaction
from storage.group_commit import GroupCommit
from storage.statements import all_rows, changed, in_thread, one

BUSY_TIMEOUT_MS = 5000


class SqliteTransaction(Transaction):
    """Statements on the one connection; the engine's lock is held throughout."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection
        self.changes = connection.total_changes
        """The connection's count of changed rows when the transaction began."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await in_thread(self._conn, changed, sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return await in_thread(self._conn, one, sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await in_thread(self._conn, all_rows, sql, params)


class SqliteEngine(Engine):
    dialect = SQLITE

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()
        self.location = path
        self._group = GroupCommit(None if str(path) == ":memory:" else Path(f"{path}-wal"))

    @classmethod
    async def open(cls, path: Path) -> SqliteEngine:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA secure_delete = ON")
        # A commit is on disk before it counts (a message marked sent stays marked after a
        # crash), synced once for many commits outside the lock: see storage/group_commit.py.
        await connection.execute("PRAGMA synchronous = NORMAL")
        return cls(connection, path)

    async def close(self) -> None:
        async with self._lock:
            await self._group.close()
            await self._conn.close()

    async def synced(self) -> None:
        """Whatever was committed so far is on disk (the migrations, when opening)."""
        await self._group.wrote()

    async def begin(self) -> Transaction:
        await self._lock.acquire()
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
            return SqliteTransaction(self._conn)
        except BaseException:
            self._lock.release()
            raise

    async def end(self, transaction: Transaction, *, commit: bool) -> None:
        assert isinstance(transaction, SqliteTransaction)
        try:
            if not commit:
                await self._rollback()
                return
            try:
                await self._conn.execute("COMMIT")
            except BaseException:
                await self._rollback()
                raise
            wrote = self._conn.total_changes != transaction.changes
        finally:
            self._lock.release()
        if wrote:
            await self._group.wrote()

    async def _rollback(self) -> None:
        # No transaction left means the commit went through after all.
        with contextlib.suppress(sqlite3.OperationalError):
            await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            transaction = SqliteTransaction(self._conn)
            yield transaction
            wrote = self._conn.total_changes != transaction.changes
        if wrote:
            await self._group.wrote()

    async def applied_migrations(self) -> set[int]:
        async with self._lock:
            await self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            cursor = await self._conn.execute("SELECT version FROM schema_version")
            rows = await cursor.fetchall()
            await cursor.close()
        return {int(row[0]) for row in rows}

    async def apply_migration(self, version: int, name: str, script: str) -> bool:
        applied_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        async with self._lock:
            try:
                await self._conn.executescript(
                    "BEGIN IMMEDIATE;\n"
                    + script
                    + f"\nINSERT INTO schema_version (version, name, applied_at)"
                    f" VALUES ({version}, '{name}', '{applied_at}');\nCOMMIT;"
                )
            except Exception:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise
        return True

    async def backup(self, target: Path) -> None:
        """SQLite's online backup: a consistent copy while the bot keeps running."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock:
            destination = await aiosqlite.connect(target)
            try:
                await self._conn.backup(destination)
            finally:
                await destination.close()
        os.chmod(target, 0o600)


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite opens it."""
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)
