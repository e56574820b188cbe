"""What a bot has committed, read beside it (from another process or connection) on either
engine: a SQLite file opened read-only (WAL lets a reader in at any time), or a PostgreSQL
database over its own connection."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import asyncpg

from storage.db import is_postgresql, sqlite_path
from storage.dialect import numbered

NOT_THERE_YET = (sqlite3.Error, asyncpg.PostgresError, OSError)
"""What a read raises while the database, or a table in it, does not exist yet (or is busy)."""


async def read_rows(database: Path | str, sql: str,
                    params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of one query (written with `?` placeholders) on what is committed now."""
    if is_postgresql(database):
        text, _ = numbered(sql)
        connection = await asyncpg.connect(str(database))
        try:
            return [tuple(row) for row in await connection.fetch(text, *params)]
        finally:
            await connection.close()
    uri = f"file:{sqlite_path(database)}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=5)) as db:
        return list(db.execute(sql, params).fetchall())


async def read_value(database: Path | str, sql: str, params: tuple[object, ...] = ()) -> Any:
    rows = await read_rows(database, sql, params)
    return rows[0][0] if rows else None
