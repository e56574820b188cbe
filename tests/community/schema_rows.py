"""The schema as the database itself describes it (sqlite_master, PRAGMA foreign_key_list), and a
row for any table made from that description alone.

Tests that make a promise about every table (a group's move, a resident's erasure) read the
tables from here rather than from a list, so a table added later is covered without anyone
remembering to add it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from itertools import count
from typing import Any

GROUPS_TABLE, GROUPS_KEY = "buildings", "chat_id"


@dataclass(frozen=True)
class ForeignKey:
    column: str
    parent: str
    parent_column: str
    on_update: str


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    has_default: bool
    primary_key: bool


@dataclass
class Table:
    name: str
    sql: str
    columns: list[Column]
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    def parents(self) -> set[str]:
        return {key.parent for key in self.foreign_keys if key.parent != self.name}


def tables(connection: sqlite3.Connection) -> dict[str, Table]:
    """Every table of the schema, SQLite's own tables left out."""
    found: dict[str, Table] = {}
    for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"):
        columns = [Column(row[1], (row[2] or "").upper(), bool(row[3]), row[4] is not None,
                          bool(row[5]))
                   for row in connection.execute(f'PRAGMA table_info("{name}")')]
        keys = [ForeignKey(row[3], row[2], row[4], row[5])
                for row in connection.execute(f'PRAGMA foreign_key_list("{name}")')]
        found[name] = Table(name, sql, columns, keys)
    return found


def in_order(schema: dict[str, Table]) -> list[Table]:
    """Parents before the tables that refer to them."""
    placed: list[Table] = []
    done: set[str] = set()
    while len(placed) < len(schema):
        ready = [t for t in schema.values() if t.name not in done and t.parents() <= done]
        assert ready, "the foreign keys go round in a circle"
        placed += ready
        done |= {t.name for t in ready}
    return placed


def reaches_groups(schema: dict[str, Table], table: Table) -> bool:
    """Whether rows of `table` belong to a group, directly or through a parent's row."""
    return any(key.parent == GROUPS_TABLE or reaches_groups(schema, schema[key.parent])
               for key in table.foreign_keys if key.parent != table.name)


def rows_of_group(schema: dict[str, Table], table: Table, group_id: int) -> tuple[str, list[Any]]:
    """SQL (and its values) selecting the rowids of `table` that belong to the group."""
    terms: list[str] = []
    values: list[Any] = []
    for key in table.foreign_keys:
        if key.parent == GROUPS_TABLE:
            terms.append(f'"{key.column}" = ?')
            values.append(group_id)
        elif key.parent != table.name and reaches_groups(schema, schema[key.parent]):
            inner, inner_values = rows_of_group(schema, schema[key.parent], group_id)
            terms.append(f'"{key.column}" IN (SELECT "{key.parent_column}" FROM "{key.parent}"'
                         f" WHERE rowid IN ({inner}))")
            values += inner_values
    return f'SELECT rowid FROM "{table.name}" WHERE {" OR ".join(terms)}', values


class RowMaker:
    """Rows that satisfy the schema's constraints, told from its text: a value a CHECK allows
    (`IN (...)`, `BETWEEN`), a foreign key pointing at a row made before, and numbers that
    never repeat, so no UNIQUE constraint is hit."""

    def __init__(self, connection: sqlite3.Connection, schema: dict[str, Table], moment: str) -> None:
        self._connection = connection
        self._schema = schema
        self._moment = moment
        self._numbers = count(900_001)

    def add(self, table: Table, group_id: int | None) -> None:
        """One row of `table`, belonging to the group when the table's rows belong to one."""
        row: dict[str, Any] = {}
        for column in table.columns:
            value = self._value(table, column, group_id)
            if value is not None:
                row[column.name] = value
        names = ", ".join(f'"{name}"' for name in row)
        marks = ", ".join("?" for _ in row)
        self._connection.execute(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                                 list(row.values()))

    def _value(self, table: Table, column: Column, group_id: int | None) -> Any:
        key = next((k for k in table.foreign_keys if k.column == column.name), None)
        if key is not None and key.parent == GROUPS_TABLE:
            return group_id
        if key is not None and key.parent != table.name:
            return self._parent_key(key, group_id)
        allowed = self._allowed(table.sql, column.name)
        if allowed is not None:
            return allowed
        if column.has_default or (not column.not_null and not column.primary_key):
            return None
        if "INT" in column.type or "REAL" in column.type:
            return next(self._numbers)
        if column.name.endswith("_at") or column.name.endswith("_after"):
            return self._moment
        if column.name in ("payload", "data") or column.name.endswith("_json"):
            return "{}"
        return f"{table.name}.{column.name}.{next(self._numbers)}"

    def _parent_key(self, key: ForeignKey, group_id: int | None) -> Any:
        """A row of the parent table (of the same group), made earlier: parents come first."""
        parent = self._schema[key.parent]
        where, values = "1", []
        if group_id is not None and reaches_groups(self._schema, parent):
            inner, values = rows_of_group(self._schema, parent, group_id)
            where = f"rowid IN ({inner})"
        found = self._connection.execute(
            f'SELECT "{key.parent_column}" FROM "{key.parent}" WHERE {where} LIMIT 1', values
        ).fetchone()
        assert found is not None, f"no row in {key.parent} to point {key.column} at"
        return found[0]

    @staticmethod
    def _allowed(sql: str, column: str) -> Any:
        listed = re.search(rf"\b{column}\s+IN\s*\(\s*('[^']*'|-?\d+)", sql)
        if listed is not None:
            text = listed.group(1)
            return text.strip("'") if text.startswith("'") else int(text)
        between = re.search(rf"\b{column}\s+BETWEEN\s+(-?\d+)\s+AND", sql)
        return int(between.group(1)) if between is not None else None
