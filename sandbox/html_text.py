"""Telegram's HTML parse mode: plain text plus MessageEntity objects with UTF-16 offsets.

It follows Telegram's own parser closely (supported tags, attribute rules, the four named
entities, byte offsets and the exact error wording) so that HTML the sandbox accepts is HTML
Telegram accepts, and a mistake fails here the way it would fail in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "tg-time", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler",
}  # fmt: skip
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACES = frozenset(b" \t\r\n\v\f\x00")
_TRIMMED = " \t\r\n"
_LT, _GT, _AMP, _SLASH, _EQ = (ord(c) for c in "<>&/=")


class EntityParseError(ValueError):
    """HTML that Telegram refuses; the message is Telegram's wording."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    utf16_offset: int
    byte_offset: int
    argument: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


class _Parser:
    def __init__(self, source: str) -> None:
        self.data = source.encode("utf-8")
        self.out = bytearray()
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0

    def is_space(self, i: int) -> bool:
        return self.at(i) in _SPACES

    def decode_entity(self, pos: int) -> tuple[str, int] | None:
        """A character reference at `pos`, or None when Telegram would keep the `&` as text."""
        end = pos + 1
        value = 0
        if self.at(end) == ord("#"):
            end += 1
            if self.at(end) == ord("x"):
                end += 1
                while chr(self.at(end)) in "0123456789abcdefABCDEF" and self.at(end):
                    value = value * 16 + int(chr(self.at(end)), 16)
                    end += 1
                    if value >= 0x10FFFF:
                        return None
            else:
                while ord("0") <= self.at(end) <= ord("9"):
                    value = value * 10 + self.at(end) - ord("0")
                    end += 1
                    if value >= 0x10FFFF:
                        return None
            if value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
                return None
            char = chr(value)
        else:
            while chr(self.at(end)).isascii() and chr(self.at(end)).isalpha() and self.at(end):
                end += 1
            named = _NAMED_ENTITIES.get(self.data[pos + 1 : end])
            if named is None:
                return None
            char = named
        if self.at(end) == ord(";"):
            end += 1
        return char, end

    def append_char(self, char: str) -> None:
        self.out += char.encode("utf-8")
        self.utf16 += 2 if ord(char) > 0xFFFF else 1

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        i = 0
        size = len(self.data)
        while i < size:
            c = self.data[i]
            if c == _AMP:
                decoded = self.decode_entity(i)
                if decoded is not None:
                    self.append_char(decoded[0])
                    i = decoded[1]
                    continue
            if c != _LT:
                if c & 0xC0 != 0x80:
                    self.utf16 += 2 if c >= 0xF0 else 1
                self.out.append(c)
                i += 1
                continue
            i = self.start_tag(i) if self.at(i + 1) != _SLASH else self.end_tag(i)
            i += 1
        if self.stack:
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        return self.out.decode("utf-8"), self.entities

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while not self.is_space(i) and self.at(i) != _GT:
            i += 1
        if self.at(i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        tag = self.data[begin + 1 : i].decode("utf-8", "replace").lower()
        if tag not in SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        opened = _Open(tag, self.utf16, len(self.out))
        while self.at(i) != _GT:
            while self.at(i) != 0 and self.is_space(i):
                i += 1
            if self.at(i) == _GT:
                break
            name_begin = i
            while not self.is_space(i) and self.at(i) not in (_EQ, _GT):
                i += 1
            name = self.data[name_begin:i].decode("utf-8", "replace")
            if not name:
                raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
            while self.at(i) != 0 and self.is_space(i):
                i += 1
            if self.at(i) != _EQ:
                if tag == "blockquote" and name == "expandable":
                    opened.argument = "1"
                    continue
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin}'
                )
            i += 1
            while self.at(i) != 0 and self.is_space(i):
                i += 1
            if self.at(i) == 0:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self.attribute_value(i)
            self.apply_attribute(opened, name, value)
        if tag == "span" and opened.argument != "spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(opened)
        return i

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in (ord("'"), ord('"')):
            token_begin = i
            while chr(self.at(i)).isascii() and (
                chr(self.at(i)).isalnum() or self.at(i) in (ord("."), ord("-"))
            ):
                i += 1
            if not self.is_space(i) and self.at(i) != _GT:
                raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
            return self.data[token_begin:i].decode("utf-8", "replace").lower(), i
        i += 1
        value_begin = i
        value = bytearray()
        while self.at(i) != quote and self.at(i) != 0:
            if self.at(i) == _AMP:
                decoded = self.decode_entity(i)
                if decoded is not None:
                    value += decoded[0].encode("utf-8")
                    i = decoded[1]
                    continue
            value.append(self.at(i))
            i += 1
        if self.at(i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {value_begin}")
        return value.decode("utf-8", "replace"), i + 1

    @staticmethod
    def apply_attribute(opened: _Open, name: str, value: str) -> None:
        tag = opened.tag
        if tag == "a" and name == "href":
            opened.argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            opened.argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            opened.argument = value[len("tg-") :]
        elif tag == "tg-emoji" and name == "emoji-id":
            opened.argument = value
        elif tag == "blockquote" and name == "expandable":
            opened.argument = "1"
        elif tag == "tg-time" and name in ("unix", "format"):
            opened.attributes[name] = value

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 1
        while not self.is_space(i) and self.at(i) != _GT:
            i += 1
        end_name = self.data[begin + 2 : i].decode("utf-8", "replace")
        while self.is_space(i) and self.at(i) != 0:
            i += 1
        if self.at(i) != _GT:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        opened = self.stack[-1]
        if end_name and end_name != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", found "</{end_name}>"'
            )
        if self.utf16 > opened.utf16_offset:
            self.close_entity(opened, self.utf16 - opened.utf16_offset)
        self.stack.pop()
        return i

    def close_entity(self, opened: _Open, length: int) -> None:
        offset = opened.utf16_offset
        tag = opened.tag
        entity: dict[str, Any] | None = None
        if tag in _SIMPLE_TYPES:
            entity = {"type": _SIMPLE_TYPES[tag], "offset": offset, "length": length}
        elif tag == "span":
            entity = {"type": "spoiler", "offset": offset, "length": length}
        elif tag == "tg-emoji":
            if opened.argument.isdigit():
                entity = {
                    "type": "custom_emoji", "offset": offset, "length": length,
                    "custom_emoji_id": opened.argument,
                }  # fmt: skip
        elif tag == "tg-time":
            unix = opened.attributes.get("unix", "")
            if unix.isdigit():
                entity = {
                    "type": "date_time", "offset": offset, "length": length,
                    "unix_time": int(unix),
                }  # fmt: skip
                if opened.attributes.get("format"):
                    entity["date_time_format"] = opened.attributes["format"]
        elif tag == "a":
            url = opened.argument or self.out[opened.byte_offset :].decode("utf-8", "replace")
            entity = _link_entity(url, offset, length)
        elif tag == "blockquote":
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            entity = {"type": kind, "offset": offset, "length": length}
        elif tag == "pre":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "code"
                and (last["offset"], last["length"]) == (offset, length)
                and last.get("language")
            ):
                last["type"] = "pre"
                return
            entity = {"type": "pre", "offset": offset, "length": length}
        elif tag == "code":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "pre"
                and (last["offset"], last["length"]) == (offset, length)
                and opened.argument
            ):
                last["language"] = opened.argument
                return
            entity = {"type": "code", "offset": offset, "length": length}
            if opened.argument:
                entity["language"] = opened.argument
        if entity is not None:
            self.entities.append(entity)


_USER_LINK = re.compile(r"^tg://user\?id=(\d{1,15})$", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _link_entity(url: str, offset: int, length: int) -> dict[str, Any] | None:
    """A text_link (or text_mention) entity; Telegram silently drops links it cannot use."""
    url = url.strip()
    user = _USER_LINK.match(url)
    if user:
        return {
            "type": "text_mention", "offset": offset, "length": length,
            "user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""},
        }  # fmt: skip
    normalized = normalize_url(url)
    if normalized is None:
        return None
    return {"type": "text_link", "offset": offset, "length": length, "url": normalized}


def normalize_url(url: str) -> str | None:
    """The URL as Telegram stores it, or None when Telegram would reject it."""
    if not url or any(ch.isspace() for ch in url):
        return None
    scheme_match = _SCHEME.match(url)
    if scheme_match is None:
        if "." not in url.split("/", 1)[0]:
            return None
        url = "http://" + url
        scheme = "http"
    else:
        scheme = scheme_match.group(1).lower()
    if scheme in ("tg", "ton", "tonsite"):
        return url
    if scheme not in ("http", "https"):
        return None
    rest = url[len(scheme) + 3 :] if url[len(scheme) : len(scheme) + 3] == "://" else None
    if not rest:
        return None
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if not host:
        return None
    if len(host) == len(rest):
        url += "/"
    return url


def drop_nested_in_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram keeps no other entity inside `pre` or `code` (a `pre` wins over its `code`)."""
    blocks = [e for e in entities if e["type"] in ("pre", "code")]
    kept = []
    for entity in entities:
        span = (entity["offset"], entity["offset"] + entity["length"])
        holders = [
            block
            for block in blocks
            if block is not entity
            and block["offset"] <= span[0]
            and span[1] <= block["offset"] + block["length"]
            and not (
                entity["type"] == "pre"
                and block["type"] == "code"
                and (block["offset"], block["offset"] + block["length"]) == span
            )
        ]
        if not holders:
            kept.append(entity)
    return kept


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram's order: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading and trailing whitespace as Telegram does, keeping entities in place."""
    stripped_left = text.lstrip(_TRIMMED)
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_TRIMMED)
    total = utf16_len(result)
    adjusted = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            adjusted.append({**entity, "offset": start, "length": end - start})
    return result, adjusted


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raises EntityParseError on bad HTML.

    The text is not trimmed here; callers trim with `trim` as Telegram does for messages.
    """
    text, entities = _Parser(source).run()
    return text, sort_entities(drop_nested_in_code(entities))
