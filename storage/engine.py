"""What each database engine provides to `storage.db.Database`: transactions, migrations, backup.

`Database` keeps the units of work (one per task, their before- and after-commit hooks); an
engine only begins and ends transactions and runs statements on a `Transaction`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from storage.dialect import Dialect

Params = Sequence[Any] | dict[str, Any]
Row = Any
"""A row read by name (`row["title"]`) or by position (`row[0]`); `dict(row)` gives its columns:
sqlite3.Row on SQLite, asyncpg.Record on PostgreSQL."""


class Transaction(ABC):
    """Statements inside one transaction of one connection."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one writing statement; returns the number of rows it changed."""

    @abstractmethod
    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None: ...

    @abstractmethod
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one `INSERT ... RETURNING id`; returns the new row's id."""
        return int(await self.fetch_value(sql, params))

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


class Engine(ABC):
    dialect: Dialect
    location: Path | str
    """The file (SQLite) or the URL (PostgreSQL) the engine was opened on."""

    @abstractmethod
    async def begin(self) -> Transaction:
        """A transaction of its own, for one unit of work, until `end`."""

    @abstractmethod
    async def end(self, transaction: Transaction, *, commit: bool) -> None:
        """COMMIT (durable when this returns) or ROLLBACK, and give the connection back."""

    @abstractmethod
    def alone(self) -> AbstractAsyncContextManager[Transaction]:
        """A connection for one statement outside any unit of work, committed on its own."""

    @abstractmethod
    async def applied_migrations(self) -> set[int]: ...

    @abstractmethod
    async def apply_migration(self, version: int, name: str, script: str) -> bool:
        """Run one migration and record it, in one transaction; False when it was recorded
        already (another process applied it first)."""

    async def synced(self) -> None:
        """Whatever was committed so far is on disk (a PostgreSQL COMMIT is, when it returns)."""
        return None

    @abstractmethod
    async def backup(self, target: Path) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...
