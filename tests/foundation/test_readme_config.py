"""The README's configuration table names every setting of `bot/config.py`, with the code's default:
an operator reads the table, not the model, so a setting missing there is a setting nobody sets."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import SecretStr

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\s*\|\s*`(?P<name>OMZIEN_[A-Z0-9_]+)`\s*\|(?P<rest>.*)\|\s*$")


def table_rows() -> dict[str, str]:
    """Each configuration row of the README: the variable and its last cell (the default)."""
    rows: dict[str, str] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            cells = re.split(r"(?<!\\)\|", found.group("rest"))
            rows[found.group("name")] = cells[-1].strip()
    return rows


def variable(field: str) -> str:
    prefix = Settings.model_config.get("env_prefix", "")
    return f"{prefix}{field}".upper()


def test_every_setting_is_in_the_readme_table() -> None:
    rows = table_rows()
    missing = [variable(field) for field in Settings.model_fields if variable(field) not in rows]
    assert not missing, f"README.md's configuration table lacks {', '.join(missing)}"


def test_the_table_gives_each_setting_the_default_of_the_code() -> None:
    """Settings that have a value when unset show it, in backticks, in the default column."""
    rows = table_rows()
    checked = 0
    for field, info in Settings.model_fields.items():
        default = info.default
        if default is None or isinstance(default, SecretStr) or variable(field) not in rows:
            continue
        assert f"`{default}`" in rows[variable(field)], (
            f"README.md gives {variable(field)} the default {rows[variable(field)]!r}; the code, {default}"
        )
        checked += 1
    assert checked >= 5, "the defaults of the settings should be found in the table"
