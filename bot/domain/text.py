"""What residents type, made safe to show once, where it enters: every typed text (a request,
an activity's title or place, an idea, a contact, a worker's name) and every name from Telegram.

Two tricks are taken out here. Bidi controls (U+202A-202E, U+2066-2069, U+200E/F, U+061C) turn
the rest of a line around, so a card or an introduction could read other than was meant: they
are removed. Text made only of invisible characters (zero-width spaces, joiners, fillers) looks
like nothing at all: it counts as empty, so the resident is asked to type some words.
Joiners inside visible text stay (emoji sequences and some scripts need them).
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # marks
)
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad\u034f\u2061\u2062\u2063\u2064"
    "\u115f\u1160\u3164\uffa0\u2800"
)
"""Characters that show as nothing (or as blank space) though they are not spaces."""
_DROPPED = frozenset("\u200b\u2060\ufeff\u180e\u00ad") | BIDI_CONTROLS
"""Removed wherever they are: they never carry meaning in what residents type here."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than tab and line feed."""


def _visible(char: str) -> bool:
    if char in INVISIBLE or char.isspace():
        return False
    return unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


def has_visible(text: str) -> bool:
    """Is there anything a reader would see?"""
    return any(_visible(char) for char in text)


def normalise(text: str) -> str:
    """Composed form, without bidi controls, stray zero-width characters and control
    characters; tabs become spaces, and the ends are trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(char for char in text if char not in _DROPPED)
    text = _CONTROL.sub("", text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()


def typed_text(text: str) -> str:
    """A resident's typed text as it may be stored and shown; "" when nothing visible is left
    (the caller then asks for some words, as for an empty message)."""
    cleaned = normalise(text)
    return cleaned if has_visible(cleaned) else ""


def one_line(text: str) -> str:
    """`typed_text` on a single line, with runs of white space made one space."""
    return " ".join(typed_text(text).split())


def display_name(name: str | None) -> str:
    """A name from Telegram as the bot shows it: one line, no bidi tricks; "" when nothing
    visible is left (callers show their neutral word instead)."""
    return one_line(name or "")
