"""Buttons. Labels are plain text (Telegram shows them as typed), so they are never HTML-escaped:
use `bot.i18n.plain` for a label with a resident's name in it."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import plain

CALLBACK_DATA_LIMIT = 64
REPORT = "rep"
"""Callback prefix of the "Meld" button: `rep:<card kind>:<item id>` (handled in
handlers.privacy.reports)."""


def callback_data(*parts: object) -> str:
    """Button data: short, colon-separated ids that are checked again when pressed."""
    data = ":".join(str(part) for part in parts)
    if not 0 < len(data.encode()) <= CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data must be 1-64 bytes, got {data!r}")
    return data


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
