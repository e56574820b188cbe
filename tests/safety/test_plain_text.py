"""Button labels, press answers and file names are plain text: Telegram shows them as they are,
so they are filled by `plain`, never by the HTML-escaping `t` ("Anne & Piet" would read
"Anne &amp; Piet"). Checked over the source, so a new button cannot slip back."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML_RENDERERS = {"t", "ts"}
TEXT_ARGUMENT = {"button": 0, "link_button": 0, "InlineKeyboardButton": 0, "answer": 1,
                 "document": 1, "photo": 1, "InputFile": None}
"""Call name -> position of its plain-text argument (None: keyword only)."""
TEXT_KEYWORDS = {"text", "filename", "file_name", "url_text"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _html(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in HTML_RENDERERS


def plain_text_fed_by_t(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _name(node.func) not in TEXT_ARGUMENT:
            continue
        position = TEXT_ARGUMENT[_name(node.func) or ""]
        given = [node.args[position]] if position is not None and len(node.args) > position else []
        given += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        if any(_html(value) for value in given):
            lines.append(node.lineno)
    return lines


def test_the_check_sees_a_label_filled_by_t() -> None:
    assert plain_text_fed_by_t('button(t(lang, "x"), "a", 1)') == [1]
    assert plain_text_fed_by_t('await answer(update, t(lang, "x"), show_alert=True)') == [1]
    assert plain_text_fed_by_t('InputFile(data, filename=t(lang, "x"))') == [1]
    assert plain_text_fed_by_t('button(plain(lang, "x"), "a", 1)') == []


def test_no_plain_text_place_is_filled_by_t() -> None:
    found = []
    for package in ("bot", "handlers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for line in plain_text_fed_by_t(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == [], f"labels, answers or file names filled by t(): {found}"
