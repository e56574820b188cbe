"""The tables and columns of a test's database, as the engine itself describes them."""

from __future__ import annotations

from storage.db import Database


async def table_names(db: Database) -> list[str]:
    """Every table of ours, by name (SQLite's own bookkeeping tables left out)."""
    if db.sql.postgresql:
        sql = ("SELECT table_name FROM information_schema.tables"
               " WHERE table_schema = current_schema() ORDER BY table_name")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return [str(row[0]) for row in await db.fetch_all(sql)]


async def column_names(db: Database, table: str) -> list[str]:
    if db.sql.postgresql:
        rows = await db.fetch_all(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [str(row[0]) for row in rows]
    return [str(row[1]) for row in await db.fetch_all(f'PRAGMA table_info("{table}")')]
