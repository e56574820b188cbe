"""Buttons. Labels are plain text (Telegram shows them as typed), so they are never HTML-escaped:
use `bot.i18n.plain` for a label with a resident's name in it."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import plain

CALLBACK_DATA_LIMIT = 64
ID_DIGITS = 18
"""An id in button data has at most this many digits: every Telegram id and every row id fits,
and so does SQLite's 64-bit integer (2**63 - 1 has 19)."""
REPORT = "rep"
"""Callback prefix of the "Meld" button: `rep:<card kind>:<item id>` (handled in
handlers.privacy.reports)."""


def callback_data(*parts: object) -> str:
    """Button data: short, colon-separated ids that are checked again when pressed."""
    data = ":".join(str(part) for part in parts)
    if not 0 < len(data.encode()) <= CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data must be 1-64 bytes, got {data!r}")
    return data


def parse_id(raw: str | None, *, signed: bool = False) -> int | None:
    """An id taken from button data, or None when it is not one. Button data can be forged, so
    every press handler reads its ids through here: 1 to 18 ASCII digits (a minus sign first only
    where a chat id is meant). Anything else gets the handler's stale-button answer and never
    reaches the database."""
    if raw is None:
        return None
    digits = raw[1:] if signed and raw.startswith("-") else raw
    if not (0 < len(digits) <= ID_DIGITS and digits.isascii() and digits.isdigit()):
        return None
    return int(raw)


def button(label: str, *parts: object) -> InlineKeyboardButton:
    """A button that comes back to the bot as `parts` joined by colons."""
    return InlineKeyboardButton(label, callback_data=callback_data(*parts))


def link_button(label: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, url=url)


def keyboard(*rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def column(buttons: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """One button a row."""
    return InlineKeyboardMarkup([[b] for b in buttons])


def report_button(lang: str, kind: str, item_id: int) -> InlineKeyboardButton:
    """The "Meld" button a feature puts on its group cards; the feature registers
    `svc.reportables[kind]` so the report can be described and the card hidden."""
    return button(plain(lang, "report.button"), REPORT, kind, item_id)
