"""What the two engines spell differently: the few expressions with no common form.

Stores write portable SQL with `?` (or `:name`) placeholders. Where SQLite and PostgreSQL agree on
no spelling (JSON inside a TEXT column, finding text in text, SQLite's own maintenance) they ask
`db.sql` for the expression instead; everything else is the same text on both engines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def postgresql(self) -> bool:
        return self.name == "postgresql"

    @property
    def for_update(self) -> str:
        """Ends a SELECT whose rows the transaction goes on to change from what it read: on
        PostgreSQL it locks them until the commit, so two transactions deciding from the same
        rows take turns. SQLite runs one writing transaction at a time already."""
        return " FOR UPDATE" if self.postgresql else ""

    @property
    def checkpoint(self) -> str | None:
        """Empties SQLite's write-ahead log into the database file (None: nothing to do)."""
        return None if self.postgresql else "PRAGMA wal_checkpoint(TRUNCATE)"

    def json_remove(self, column: str, *keys: str) -> str:
        """`column` (JSON text) without the top-level `keys`."""
        if self.postgresql:
            return "(" + column + "::jsonb" + "".join(f" - '{key}'" for key in keys) + ")::text"
        return f"json_remove({column}, " + ", ".join(f"'$.{key}'" for key in keys) + ")"

    def json_set_number(self, column: str, key: str) -> str:
        """`column` (JSON text) with the top-level `key` set to the next parameter, a number."""
        if self.postgresql:
            return f"jsonb_set({column}::jsonb, '{{{key}}}', to_jsonb(CAST(? AS BIGINT)))::text"
        return f"json_set({column}, '$.{key}', ?)"

    def json_has(self, column: str, key: str) -> str:
        """Does the JSON text in `column` have a non-null top-level `key`?"""
        if self.postgresql:
            return f"({column}::jsonb -> '{key}') IS NOT NULL AND {column}::jsonb -> '{key}' != 'null'"
        return f"json_extract({column}, '$.{key}') IS NOT NULL"

    def json_only(self, key: str, column: str) -> str:
        """A JSON object holding only `key`, set to `column`."""
        if self.postgresql:
            return f"json_build_object('{key}', {column})::text"
        return f"json_object('{key}', {column})"

    def json_names_number(self, column: str, key: str, parameter: str = "?") -> str:
        """Does any object, at any depth of the JSON text in `column`, hold `key` with the whole
        number given by `parameter`? (A string that looks like the number does not count.)"""
        if self.postgresql:
            return (
                f"jsonb_path_exists({column}::jsonb, 'lax $.**.{key} ? (@ == $n)',"
                f" jsonb_build_object('n', CAST({parameter} AS BIGINT)))"
            )
        return (
            f"CASE WHEN json_valid({column}) THEN EXISTS (SELECT 1 FROM json_tree({column}) AS node"
            f" WHERE node.key = '{key}' AND node.type = 'integer' AND node.atom = {parameter})"
            " ELSE 0 END"
        )

    def schema(self, script: str) -> str:
        """A schema statement written for SQLite, as this engine runs it (see
        `postgresql_script`): the migrations' translation."""
        return postgresql_script(script) if self.postgresql else script

    def position(self, needle: str, haystack: str) -> str:
        """Where `needle` starts in `haystack`, counted from 1; 0 when it is not there."""
        if self.postgresql:
            return f"strpos({haystack}, {needle})"
        return f"instr({haystack}, {needle})"


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|\?|(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=4096)
def numbered(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """The statement with `?` or `:name` placeholders turned into PostgreSQL's `$1, $2, ...`,
    and the names in the order of their numbers (None for `?`). Text in quotes is left alone.
    Cached: stores run the same few hundred statements over and over."""
    names: list[str] = []
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group(0)
        if token == "?":
            count += 1
            return f"${count}"
        name = match.group(1)
        if name is None:
            return token
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text = _TOKENS.sub(number, sql)
    if names and count:
        raise ValueError("a statement mixes ? and :name placeholders")
    return text, tuple(names) if names else None


_ROWID_KEY = re.compile(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b", re.IGNORECASE)
_INTEGER = re.compile(r"\bINTEGER\b", re.IGNORECASE)
_REAL = re.compile(r"\bREAL\b", re.IGNORECASE)
_TEXT_COLUMN = re.compile(r"^(\s*(?:ALTER\s+TABLE\s+\w+\s+ADD\s+COLUMN\s+)?\w+\s+TEXT)\b",
                          re.IGNORECASE | re.MULTILINE)
_JSON_REMOVE = re.compile(r"json_remove\((\w+),((?:\s*'\$\.\w+',?)+)\)")
_POSTGRESQL_ONLY = re.compile(r"/\*\s*postgresql only\s*?\n(.*?)\*/", re.DOTALL)


def postgresql_script(script: str) -> str:
    """A migration written for SQLite, as PostgreSQL runs it. The files are SQLite's dialect
    with these few translations:

    - `id INTEGER PRIMARY KEY` (SQLite's automatic row id) becomes a BIGINT identity column;
    - every other INTEGER becomes BIGINT (Telegram's ids do not fit 32 bits) and REAL becomes
      DOUBLE PRECISION;
    - every TEXT column compares byte by byte (`COLLATE "C"`), as SQLite's do: times are ISO
      text, and a locale's collation that skips punctuation must not decide their order;
    - `json_remove(column, '$.a', '$.b')` becomes jsonb's `-` on the column's text;
    - a comment `/* postgresql only ... */` (a function, say) is run as written, untranslated:
      SQLite skips it as the comment it is.

    SQLite's table rebuilds (CREATE ..._new, INSERT ... SELECT, DROP, ALTER ... RENAME) run as
    they are: PostgreSQL drops the old table's indexes with it, as SQLite does.
    """
    parts = _POSTGRESQL_ONLY.split(script)
    return "".join(part if n % 2 else _translated(part) for n, part in enumerate(parts))


def _translated(script: str) -> str:
    script = _ROWID_KEY.sub("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", script)
    script = _INTEGER.sub("BIGINT", script)
    script = _REAL.sub("DOUBLE PRECISION", script)
    script = _TEXT_COLUMN.sub(r'\1 COLLATE "C"', script)

    def remove(match: re.Match[str]) -> str:
        keys = re.findall(r"'\$\.(\w+)'", match.group(2))
        return POSTGRESQL.json_remove(match.group(1), *keys)

    return _JSON_REMOVE.sub(remove, script)
