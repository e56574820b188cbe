"""A group that becomes a supergroup takes every row of every table along, checked against the
schema itself rather than a list: a table added later is covered without anyone remembering it.

Two groups live a little through the sandbox (a request taken, an activity); then every table
that still has no row of a group gets one made from the schema (see tests/community/schema_rows.py), so
every table is filled. One group moves to a supergroup through Telegram's own service message.
Afterwards no column of any table may hold the old chat id, and the other group keeps its rows.

How the rows follow: every table that belongs to a group refers to `buildings(chat_id)` with
ON UPDATE CASCADE, so `BuildingStore.move` renames the building once and SQLite carries the
new id into each of them; schedule refs that spell the id out are renamed by the move itself.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from sandbox import SandboxChat
from storage.db import Database, to_db
from tests.activities.test_activities_e2e import post_prepared
from tests.community.schema_rows import (
    GROUPS_KEY,
    GROUPS_TABLE,
    RowMaker,
    Table,
    in_order,
    reaches_groups,
    rows_of_group,
    tables,
)
from tests.harness import World
from tests.requests.request_steps import ask, started, tap

pytestmark = pytest.mark.sqlite_only(
    reason="reads the schema from SQLite's catalog (sqlite_master, PRAGMA foreign_key_list)")

KEPT_AS_THEY_WERE: dict[str, tuple[str, str]] = {
    "inbox": ("0", "updates are kept as Telegram sent them (the news of the move itself names "
                   "the old chat); the nightly run empties the handled ones"),
    "outbox": ("state = 'pending'", "a message sent, skipped or refused went to the old chat, and "
                                    "says so; a waiting one follows the group when Telegram answers "
                                    "its send with the new id (OutboxStore.move_chat)"),
}
"""Tables whose rows may name the old chat after the move: the rows outside the condition are
a record of what happened there. The rows inside it must not."""

CHAT_ID_NAMES = re.compile(r"(^|_)(building_id|chat_id)$")
"""Columns that by their name hold a group's chat id."""

# Schedule payloads name the rows a job is about by their own ids (a request, an activity, a
# pairing, a consent) or a moment, never the group: the group of a job is its `building_id`,
# carried along like every other, and its `ref`, renamed by the move. The scan below reads the
# payloads too, so a payload that did name the group would fail this test.


def _holding(database: Path, chat_id: int) -> dict[str, int]:
    """`table.column` -> how many rows hold `chat_id`, as a number or spelled out in text
    (a schedule ref, a JSON payload), in every table but the rows kept as they were."""
    spelled = re.compile(rf"(?<![\d-]){chat_id}(?!\d)")
    found: dict[str, int] = {}
    connection = sqlite3.connect(database)
    try:
        for table in tables(connection).values():
            where = KEPT_AS_THEY_WERE.get(table.name, ("1", ""))[0]
            names = [column.name for column in table.columns]
            selected = ", ".join(f'"{name}"' for name in names)
            for row in connection.execute(f'SELECT {selected} FROM "{table.name}" WHERE {where}'):
                for name, value in zip(names, row, strict=True):
                    if value == chat_id or (isinstance(value, str) and spelled.search(value)):
                        key = f"{table.name}.{name}"
                        found[key] = found.get(key, 0) + 1
    finally:
        connection.close()
    return found


def _group_tables(schema: dict[str, Table]) -> list[Table]:
    return [table for table in in_order(schema) if reaches_groups(schema, table)]


def _count(connection: sqlite3.Connection, schema: dict[str, Table], table: Table,
           group_id: int) -> int:
    sql, values = rows_of_group(schema, table, group_id)
    return int(connection.execute(f"SELECT COUNT(*) FROM ({sql})", values).fetchone()[0])


def _rows_per_table(database: Path, group_id: int) -> dict[str, int]:
    connection = sqlite3.connect(database)
    try:
        schema = tables(connection)
        return {table.name: _count(connection, schema, table, group_id)
                for table in _group_tables(schema)}
    finally:
        connection.close()


def _fill_every_table(database: Path, groups: list[int], moment: str) -> dict[str, int]:
    """Every table that has no row of a group yet gets one, every other table that is empty
    gets one; returns the last group's rows per table, to compare after the move."""
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA foreign_keys = ON")
    try:
        schema = tables(connection)
        maker = RowMaker(connection, schema, moment)
        for table in in_order(schema):
            if table.name == GROUPS_TABLE:
                continue
            if reaches_groups(schema, table):
                for group_id in groups:
                    if not _count(connection, schema, table, group_id):
                        maker.add(table, group_id)
            elif connection.execute(f'SELECT COUNT(*) FROM "{table.name}"').fetchone()[0] == 0:
                maker.add(table, None)
        connection.commit()
        for table in schema.values():
            assert connection.execute(f'SELECT COUNT(*) FROM "{table.name}"').fetchone()[0] > 0
    finally:
        connection.close()
    return _rows_per_table(database, groups[-1])


async def test_every_reference_to_a_group_is_carried_along_by_the_database(tmp_path: Path) -> None:
    """The schema half, without the bot: each foreign key to a group renames with it, and a
    column named for a chat id either is such a key or is listed with its reason."""
    database = tmp_path / "schema.sqlite3"
    await (await Database.open(database)).close()
    connection = sqlite3.connect(database)
    try:
        schema = tables(connection)
    finally:
        connection.close()
    lacking = [f"{table.name}.{key.column}" for table in schema.values()
               for key in table.foreign_keys
               if key.parent == GROUPS_TABLE and key.on_update != "CASCADE"]
    assert lacking == [], f"references to a group that stay behind when it moves: {lacking}"
    unlinked = [f"{table.name}.{column.name}" for table in schema.values()
                for column in table.columns if CHAT_ID_NAMES.search(column.name)
                and (table.name, column.name) != (GROUPS_TABLE, GROUPS_KEY)
                and not any(key.column == column.name and key.parent == GROUPS_TABLE
                            for key in table.foreign_keys)
                and table.name not in KEPT_AS_THEY_WERE]
    assert unlinked == [], f"chat ids no foreign key carries along: {unlinked}"
    assert len(_group_tables(schema)) >= 30, "the tables of a group were not found"


async def test_after_the_move_no_column_of_any_table_names_the_old_group(world: World) -> None:
    """One group moves; the other, with a resident in both, stays as it was."""
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    bram = sb.add_user("Bram", "Visser", language_code="nl")
    sanne = sb.add_user("Sanne", "Bos", language_code="nl")
    other: SandboxChat = sb.add_group("Het Anker", members=[bram, sanne, fatma], admins=[bram])
    old_id = world.group.id
    async with world.bot():
        await world.add_bot()
        await sb.add_bot_to_group(other, by=bram)
        await sb.next_message(other)
        await started(world, fatma, kees, bram, sanne)
        posted = await ask(world, fatma)
        await tap(world, kees, posted.card, "Ik help")
        await post_prepared(world, fatma)
        await ask(world, bram, group=other)  # the rest of its tables is filled from the schema
        await sb.settle()
    others_before = _fill_every_table(world.database, [old_id, other.id], to_db(world.clock.now()))
    before = _holding(world.database, old_id)
    connection = sqlite3.connect(world.database)
    naming = [table.name for table in tables(connection).values()
              if any(key.parent == GROUPS_TABLE for key in table.foreign_keys)]
    connection.close()
    for table in naming:
        assert any(key.startswith(f"{table}.") for key in before), f"{table} names no group"
    assert "schedule.ref" in before, "no schedule ref spells out the group: nothing tested"

    async with world.bot():
        supergroup = await sb.migrate_to_supergroup(world.group)
        await sb.settle()
        assert await world.services.buildings.get(supergroup.id) is not None
    assert _holding(world.database, old_id) == {}, "rows that still name the old group"
    assert _holding(world.database, supergroup.id).keys() >= {
        key for key in before if not key.startswith("group_erasures.")}
    assert _rows_per_table(world.database, other.id) == others_before, \
        "the other group's rows are left as they were"
