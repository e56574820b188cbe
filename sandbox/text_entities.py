"""Entities Telegram adds by itself (commands, mentions, links) and checks on given entities."""

from __future__ import annotations

import re
from typing import Any

from sandbox.html_text import sort_entities, utf16_len

_BOT_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_URL = re.compile(r"(?<![\w@])https?://[^\s<>\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{2,31}(?![\w])")
_HASHTAG = re.compile(r"(?<![\w#])#(?=\w*[^\W\d])\w{1,256}")
_URL_TRAILING = ".,;:!?)]}'\""
_BLOCKING = frozenset({"pre", "code", "text_link", "text_mention", "url", "email"})

ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
        "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
        "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
    }
)  # fmt: skip


def _utf16_span(text: str, start: int, end: int) -> tuple[int, int]:
    offset = utf16_len(text[:start])
    return offset, utf16_len(text[start:end])


def _overlaps(offset: int, length: int, entities: list[dict[str, Any]]) -> bool:
    return any(offset < e["offset"] + e["length"] and e["offset"] < offset + length for e in entities)


def detect_entities(text: str, existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Add the entities Telegram detects in plain text to `existing` (sorted, no overlaps).

    Detection skips text already inside code, pre or links, as Telegram does.
    """
    entities = [dict(e) for e in existing or []]
    blocked = [e for e in entities if e["type"] in _BLOCKING]
    found: list[dict[str, Any]] = []
    for kind, pattern in (
        ("url", _URL),
        ("email", _EMAIL),
        ("bot_command", _BOT_COMMAND),
        ("mention", _MENTION),
        ("hashtag", _HASHTAG),
    ):
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in _URL_TRAILING:
                    end -= 1
            offset, length = _utf16_span(text, start, end)
            if length == 0 or _overlaps(offset, length, blocked + found):
                continue
            found.append({"type": kind, "offset": offset, "length": length})
    return sort_entities(entities + found)


def check_entities(text: str, given: list[Any]) -> list[dict[str, Any]]:
    """Entities passed by the bot, as Telegram keeps them: valid ones inside the text.

    Raises ValueError for entries that are not MessageEntity objects.
    """
    total = utf16_len(text)
    kept: list[dict[str, Any]] = []
    for entry in given:
        if not isinstance(entry, dict):
            raise ValueError("entity is not an object")
        kind, offset, length = entry.get("type"), entry.get("offset"), entry.get("length")
        if not isinstance(kind, str) or not isinstance(offset, int) or not isinstance(length, int):
            raise ValueError("entity needs type, offset and length")
        if kind not in ENTITY_TYPES or offset < 0 or length <= 0 or offset + length > total:
            continue
        kept.append(dict(entry))
    return sort_entities(kept)
