"""PostgreSQL through an asyncpg pool: each unit of work is a transaction on a pooled connection.

No lock of our own: PostgreSQL locks the rows a transaction changes, so units of work of
different tasks (and of different processes) run side by side and wait only where they touch
the same rows. Stores write `?` placeholders; they are numbered here (`$1, $2, ...`), once per
statement text.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from storage.dialect import POSTGRESQL, numbered, postgresql_script
from storage.engine import Engine, Params, Row, Transaction

POOL_SIZE = 10
CLOSE_SECONDS = 10.0
MIGRATION_LOCK = 0x6F6D7A69656E
"""The advisory lock that lets one process at a time migrate ("omzien" in hex)."""


def _arguments(sql: str, params: Params) -> tuple[str, list[Any]]:
    text, names = numbered(sql)
    if names is None:
        assert not isinstance(params, dict), "named values for a statement with ? placeholders"
        return text, list(params)
    assert isinstance(params, dict), "a statement with :name placeholders needs named values"
    return text, [params[name] for name in names]


def _count(status: str) -> int:
    """The number of rows from a command tag such as `UPDATE 3` or `INSERT 0 1`."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresTransaction(Transaction):
    def __init__(self, connection: asyncpg.Connection[Any], transaction: Any = None) -> None:
        self.connection = connection
        self.transaction = transaction
        """asyncpg's transaction of a unit of work (None for a statement on its own)."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, args = _arguments(sql, params)
        return _count(await self.connection.execute(text, *args))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        batch = [_arguments(sql, params) for params in rows]
        if batch:
            await self.connection.executemany(batch[0][0], [args for _, args in batch])

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        text, args = _arguments(sql, params)
        return await self.connection.fetchrow(text, *args)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = _arguments(sql, params)
        return list(await self.connection.fetch(text, *args))


class PostgresEngine(Engine):
    dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool[Any], url: str) -> None:
        self._pool = pool
        self.location = url

    @classmethod
    async def open(cls, url: str) -> PostgresEngine:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE)
        return cls(pool, url)

    async def close(self) -> None:
        """Waits a while for units of work still running, then cuts their connections."""
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_SECONDS)
        except TimeoutError:
            self._pool.terminate()

    async def begin(self) -> Transaction:
        connection = await self._pool.acquire()
        try:
            transaction = connection.transaction()
            await transaction.start()
        except BaseException:
            await self._pool.release(connection)
            raise
        return PostgresTransaction(connection, transaction)

    async def end(self, transaction: Transaction, *, commit: bool) -> None:
        assert isinstance(transaction, PostgresTransaction)
        connection = transaction.connection
        try:
            if commit:
                await transaction.transaction.commit()
            else:
                await transaction.transaction.rollback()
        finally:  # the pool rolls back whatever a failed COMMIT left open
            await self._pool.release(connection)

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[Transaction]:
        async with self._pool.acquire() as connection:
            yield PostgresTransaction(connection)

    async def applied_migrations(self) -> set[int]:
        async with self._pool.acquire() as connection:
            await _ensure_version_table(connection)
            rows = await connection.fetch("SELECT version FROM schema_version")
        return {int(row[0]) for row in rows}

    async def apply_migration(self, version: int, name: str, script: str) -> bool:
        applied_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            done = await connection.fetchval(
                "SELECT 1 FROM schema_version WHERE version = $1", version
            )
            if done is not None:
                return False
            await connection.execute(postgresql_script(script))
            await connection.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                version, name, applied_at,
            )
        return True

    async def backup(self, target: Path) -> None:
        """pg_dump's consistent snapshot, in its custom format (restore with pg_restore)."""
        installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
        pg_dump = shutil.which("pg_dump") or (installed[-1] if installed else None)
        if pg_dump is None:
            raise RuntimeError("pg_dump is not installed: PostgreSQL is backed up with pg_dump")
        target.parent.mkdir(parents=True, exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            pg_dump, "--format=custom", f"--file={target}", f"--dbname={self.location}",
            stderr=asyncio.subprocess.PIPE,
        )
        _, error = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {error.decode(errors='replace').strip()}")
        os.chmod(target, 0o600)


async def _ensure_version_table(connection: asyncpg.Connection[Any]) -> None:
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
