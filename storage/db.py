"""The SQLite connection: WAL, foreign keys, a busy timeout, and forward-only migrations.

One connection per process, guarded by a lock, because aiosqlite shares one sqlite3 connection
between coroutines and a transaction must not interleave with another coroutine's statements.

A unit of work (`async with db.unit_of_work():`) makes everything one task does with the
database one transaction: a handler's state changes, the messages it leaves in the outbox and
the mark that its update was handled are committed together, or not at all. The transaction
begins at the task's first statement (so work that only waits for Telegram holds no lock) and
keeps the lock until the unit ends; other tasks wait for it. Callbacks registered with
`after_commit` run once the commit is done (to wake the delivery worker, for example).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.group_commit import GroupCommit
from storage.statements import Params, all_rows, changed, in_thread, inserted, one

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000


Row = sqlite3.Row

log = logging.getLogger(__name__)


@dataclass
class _Unit:
    """One task's transaction; `begun` once its first statement took the lock."""

    db: Database
    task: asyncio.Task[Any] | None
    begun: bool = False
    changes: int = 0
    """The connection's count of changed rows when the unit began."""
    savepoints: int = 0
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    before_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


_UNIT: ContextVar[_Unit | None] = ContextVar("unit_of_work", default=None)


class Database:
    """An open database. Use `transaction()` for anything that writes more than one statement,
    and `unit_of_work()` around everything one update or scheduled job does."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()
        self.path = path
        self._group = GroupCommit(None if str(path) == ":memory:" else Path(f"{path}-wal"))
        self._finishing = 0

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
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
        database = cls(connection, path)
        if migrate:
            await database.migrate()
            await database._group.wrote()
        return database

    async def close(self) -> None:
        async with self._lock:
            await self._group.close()
            await self._conn.close()

    def _unit(self) -> _Unit | None:
        """The unit of work of the running task on this database, if any. A task started from
        inside a unit inherits its context but is not part of it: it waits like any other."""
        unit = _UNIT.get()
        if unit is None or unit.db is not self:
            return None
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return None
        return unit if unit.task is task else None

    @property
    def in_unit_of_work(self) -> bool:
        return self._unit() is not None

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[None]:
        """One transaction for every statement this task makes until the block ends: COMMIT at
        the end, ROLLBACK when an exception escapes. Inside another unit it joins that one."""
        if self._unit() is not None:
            yield
            return
        unit = _Unit(self, asyncio.current_task())
        token = _UNIT.set(unit)
        committed = False
        try:
            try:
                yield
                await self.run_before_commit()
            except BaseException:
                await self._end(unit, commit=False)
                raise
            self._finishing += 1
            committed = True
            if await self._end(unit, commit=True):
                await self._group.wrote()
        finally:
            _UNIT.reset(token)
            if committed:  # outside the unit: a task a callback starts must not inherit it
                self._after_commit(unit)

    def _after_commit(self, unit: _Unit) -> None:
        try:
            for callback in unit.after_commit:
                try:
                    callback()
                except Exception:
                    log.exception("an after-commit callback failed")
        finally:
            self._finishing -= 1

    @property
    def finishing(self) -> bool:
        """Is a unit of work between its COMMIT and its after-commit callbacks? Its changes
        are visible already, while what they set going (a wake of the delivery worker) is not
        under way yet: anyone asking whether the bot is idle must wait for this too."""
        return self._finishing > 0

    async def run_before_commit(self) -> None:
        """Run the current unit's `before_commit` hooks now, and those they add in turn, so that
        what the caller writes next (an update's handled mark) is its unit's last statement."""
        unit = self._unit()
        while unit is not None and unit.before_commit:
            await unit.before_commit.pop(0)()

    def before_commit(self, hook: Callable[[], Awaitable[None]]) -> bool:
        """Run `hook` inside the current unit of work once its block is done, just before the
        commit (so it sees what the whole unit did); False when there is no unit."""
        unit = self._unit()
        if unit is None:
            return False
        unit.before_commit.append(hook)
        return True

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the current unit of work commits (dropped if it rolls back);
        at once when there is none (each statement then commits on its own)."""
        unit = self._unit()
        if unit is None:
            callback()
        else:
            unit.after_commit.append(callback)

    async def _begin(self, unit: _Unit) -> None:
        if unit.begun:
            return
        await self._lock.acquire()
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        unit.begun = True
        unit.changes = self._conn.total_changes

    async def _end(self, unit: _Unit, *, commit: bool) -> bool:
        """True when a commit changed something (it is then still to be synced)."""
        if not unit.begun:
            if not commit:
                unit.after_commit.clear()
            return False
        try:
            if commit:
                try:
                    await self._conn.execute("COMMIT")
                except BaseException:
                    unit.after_commit.clear()
                    await self._rollback()
                    raise
                return self._conn.total_changes != unit.changes
            unit.after_commit.clear()
            await self._rollback()
            return False
        finally:
            unit.begun = False
            self._lock.release()

    async def _rollback(self) -> None:
        # No transaction left means the commit went through after all.
        with contextlib.suppress(sqlite3.OperationalError):
            await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection for one statement: inside this task's unit of work, or alone."""
        unit = self._unit()
        if unit is not None:
            await self._begin(unit)
            yield self._conn
            return
        async with self._lock:
            changes = self._conn.total_changes
            yield self._conn
            changed = self._conn.total_changes != changes
        if changed:
            await self._group.wrote()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error. Inside a unit of work it is a
        savepoint of that unit's transaction: all or nothing of the block, committed with the
        unit."""
        unit = self._unit()
        if unit is None:
            async with self.unit_of_work():
                unit = self._unit()
                assert unit is not None
                await self._begin(unit)
                yield Transaction(self._conn)
            return
        await self._begin(unit)
        unit.savepoints += 1
        name = f"tx{unit.savepoints}"
        await self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield Transaction(self._conn)
        except BaseException:
            await self._conn.execute(f"ROLLBACK TO {name}")
            await self._conn.execute(f"RELEASE {name}")
            raise
        else:
            await self._conn.execute(f"RELEASE {name}")
        finally:
            unit.savepoints -= 1

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one writing statement; returns the number of rows it changed."""
        async with self._connection() as conn:
            return await in_thread(conn, changed, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; returns the new row id."""
        async with self._connection() as conn:
            return await in_thread(conn, inserted, sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._connection() as conn:
            return await in_thread(conn, one, sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._connection() as conn:
            return await in_thread(conn, all_rows, sql, params)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        return max(await self.applied_migrations(), default=0)

    async def applied_migrations(self) -> set[int]:
        async with self._lock:
            await _ensure_version_table(self._conn)
            cursor = await self._conn.execute("SELECT version FROM schema_version")
            rows = await cursor.fetchall()
            await cursor.close()
        return {int(row[0]) for row in rows}

    async def migrate(self) -> list[int]:
        """Apply, in order, every migration not yet recorded, each in its own transaction.

        Not just those above the highest recorded number: a migration numbered lower but added
        later (features land in any order) is applied too.
        """
        applied: list[int] = []
        done = await self.applied_migrations()
        for version, path in available_migrations():
            if version in done:
                continue
            script = path.read_text(encoding="utf-8")
            async with self._lock:
                try:
                    await self._conn.executescript(
                        "BEGIN IMMEDIATE;\n"
                        + script
                        + f"\nINSERT INTO schema_version (version, name, applied_at)"
                        f" VALUES ({version}, '{path.stem}', datetime('now'));\nCOMMIT;"
                    )
                except Exception:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise
            applied.append(version)
        return applied

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


class Transaction:
    """Statements inside one BEGIN IMMEDIATE; the database lock is held throughout."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await in_thread(self._conn, changed, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        return await in_thread(self._conn, inserted, sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return await in_thread(self._conn, one, sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await in_thread(self._conn, all_rows, sql, params)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


def available_migrations() -> list[tuple[int, Path]]:
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


async def _ensure_version_table(connection: aiosqlite.Connection) -> None:
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite opens it."""
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def to_db(moment: datetime | None) -> str | None:
    """Moments are stored as ISO-8601 text in UTC, so they sort and compare as text."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
