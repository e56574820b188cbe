"""Reading what the bot said as a resident of one language would: by the fixed words of a text."""

from __future__ import annotations

import html
import re
import string

from bot.i18n import catalogs
from sandbox import SandboxMessage


def chunks(lang: str, key: str) -> list[str]:
    """The fixed words of a text (between its placeholders), as a reader sees them."""
    template = catalogs()[lang][key]
    pieces = [literal for literal, _, _, _ in string.Formatter().parse(template)]
    shown = (html.unescape(re.sub(r"<[^>]+>", "", piece)) for piece in pieces)
    return [line.strip() for piece in shown for line in piece.split("\n") if len(line.strip()) >= 6]


def reads(message: SandboxMessage, lang: str, key: str) -> bool:
    """The message is this catalog text in this language: every fixed part of it is there."""
    parts = chunks(lang, key)
    assert parts, f"{lang} {key} has no fixed words to look for"
    return all(part in message.text for part in parts)
