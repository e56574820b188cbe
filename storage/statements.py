"""One statement, one trip to the database connection's thread.

aiosqlite's cursor API makes three trips for a statement (run it, read it, close the cursor);
each is a thread switch, and under load they were most of what a statement cost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import aiosqlite

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]


T = TypeVar("T")


async def in_thread(conn: aiosqlite.Connection,
                     work: Callable[[sqlite3.Connection, str, Params], T],
                     sql: str, params: Params) -> T:
    """A whole statement (run, read, close) in one trip to the connection's thread, where
    aiosqlite's cursor API takes three: each trip is a thread switch, and under load they
    were most of what a statement cost."""
    result: T = await conn._execute(work, conn._conn, sql, params)  # type: ignore[no-untyped-call]
    return result


def changed(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def one(conn: sqlite3.Connection, sql: str, params: Params) -> Row | None:
    cursor = conn.execute(sql, params)
    try:
        row: Row | None = cursor.fetchone()
        return row
    finally:
        cursor.close()


def all_rows(conn: sqlite3.Connection, sql: str, params: Params) -> list[Row]:
    cursor = conn.execute(sql, params)
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()

