"""The database every store uses, on SQLite or PostgreSQL, and its units of work.

A unit of work (`async with db.unit_of_work():`) makes everything one task does with the
database one transaction: a handler's state changes, the messages it leaves in the outbox and
the mark that its update was handled are committed together, or not at all. The transaction
begins at the task's first statement (so work that only waits for Telegram holds nothing) and
lasts until the unit ends. Callbacks registered with `after_commit` run once the commit is done
(to wake the delivery worker, for example).

The engine behind it is chosen by the location given to `Database.open`: a file path or
`sqlite:///path` opens SQLite (storage/sqlite_engine.py: one connection behind one lock, so other
tasks wait for a unit to end), `postgresql://...` opens PostgreSQL (storage/postgres_engine.py:
a pooled connection per unit, and row locks instead of one lock).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.dialect import Dialect
from storage.engine import Engine, Params, Row, Transaction

__all__ = ["Database", "Row", "Transaction", "available_migrations", "from_db", "to_db"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
SQLITE_PREFIX = "sqlite:///"
POSTGRESQL_PREFIXES = ("postgresql://", "postgres://")

log = logging.getLogger(__name__)


def is_postgresql(location: Path | str) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRESQL_PREFIXES)


def sqlite_path(location: Path | str) -> Path:
    """The file of a SQLite location: a path, or `sqlite:///relative` / `sqlite:////absolute`."""
    text = str(location)
    return Path(text[len(SQLITE_PREFIX):] if text.startswith(SQLITE_PREFIX) else text)


@dataclass
class _Unit:
    """One task's transaction; `transaction` once its first statement began it."""

    db: Database
    task: asyncio.Task[Any] | None
    transaction: Transaction | None = None
    savepoints: int = 0
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    before_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


_UNIT: ContextVar[_Unit | None] = ContextVar("unit_of_work", default=None)


class Database:
    """An open database. Use `transaction()` for anything that writes more than one statement,
    and `unit_of_work()` around everything one update or scheduled job does."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._finishing = 0

    @classmethod
    async def open(cls, location: Path | str, *, migrate: bool = True) -> Database:
        """`location`: a file path or `sqlite:///path` (SQLite), or `postgresql://...`."""
        engine: Engine
        if is_postgresql(location):
            from storage.postgres_engine import PostgresEngine

            engine = await PostgresEngine.open(str(location))
        else:
            from storage.sqlite_engine import SqliteEngine

            engine = await SqliteEngine.open(sqlite_path(location))
        database = cls(engine)
        if migrate:
            await database.migrate()
        return database

    @property
    def location(self) -> Path | str:
        """The SQLite file, or the PostgreSQL URL."""
        return self._engine.location

    @property
    def sql(self) -> Dialect:
        """The spellings that differ between the engines (storage/dialect.py)."""
        return self._engine.dialect

    async def close(self) -> None:
        await self._engine.close()

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
            await self._end(unit, commit=True)
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

    async def _begin(self, unit: _Unit) -> Transaction:
        if unit.transaction is None:
            unit.transaction = await self._engine.begin()
        return unit.transaction

    async def _end(self, unit: _Unit, *, commit: bool) -> None:
        """COMMIT (on disk when this returns) or ROLLBACK the unit's transaction, if it began."""
        transaction, unit.transaction = unit.transaction, None
        if not commit:
            unit.after_commit.clear()
        if transaction is None:
            return
        try:
            await self._engine.end(transaction, commit=commit)
        except BaseException:
            unit.after_commit.clear()
            raise

    @asynccontextmanager
    async def _statements(self) -> AsyncIterator[Transaction]:
        """Where one statement runs: inside this task's unit of work, or alone."""
        unit = self._unit()
        if unit is not None:
            yield await self._begin(unit)
            return
        async with self._engine.alone() as alone:
            yield alone

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A transaction of its own, or ROLLBACK on any error. Inside a unit of work it is a
        savepoint of that unit's transaction: all or nothing of the block, committed with the
        unit."""
        unit = self._unit()
        if unit is None:
            async with self.unit_of_work():
                unit = self._unit()
                assert unit is not None
                yield await self._begin(unit)
            return
        transaction = await self._begin(unit)
        unit.savepoints += 1
        name = f"tx{unit.savepoints}"
        await transaction.execute(f"SAVEPOINT {name}")
        try:
            yield transaction
        except BaseException:
            await transaction.execute(f"ROLLBACK TO SAVEPOINT {name}")
            await transaction.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            await transaction.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            unit.savepoints -= 1

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one writing statement; returns the number of rows it changed."""
        async with self._statements() as statements:
            return await statements.execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one `INSERT ... RETURNING id`; returns the new row's id."""
        async with self._statements() as statements:
            return await statements.insert(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._statements() as statements:
            return await statements.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._statements() as statements:
            return await statements.fetch_all(sql, params)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        return max(await self.applied_migrations(), default=0)

    async def applied_migrations(self) -> set[int]:
        return await self._engine.applied_migrations()

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
            if await self._engine.apply_migration(version, path.stem, script):
                applied.append(version)
        await self._engine.synced()
        return applied

    async def backup(self, target: Path) -> None:
        """A consistent copy while the bot keeps running: SQLite's online backup (a database
        file), or pg_dump's custom format on PostgreSQL."""
        await self._engine.backup(target)


def available_migrations() -> list[tuple[int, Path]]:
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


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
