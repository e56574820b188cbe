"""Translations: load the gettext catalogs once, render a message id in a language.

Every placeholder value is HTML-escaped here, so resident text can never break parse mode.
Pass a `Safe` value for a fragment that is already HTML (built from other translated texts).
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from locales import DEFAULT_LANGUAGE, LOCALES_DIR, SUPPORTED_LANGUAGES


class Safe(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def _read_catalog(directory: Path) -> dict[str, str]:
    messages: dict[str, str] = {}
    for po_file in sorted(directory.glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if isinstance(message.id, str) and message.id and isinstance(message.string, str):
                messages[message.id] = message.string
    return messages


@cache
def catalogs(root: Path = LOCALES_DIR) -> Mapping[str, Mapping[str, str]]:
    """All shipped languages, each a mapping of message id to text."""
    return {
        lang: _read_catalog(root / lang / "LC_MESSAGES")
        for lang in SUPPORTED_LANGUAGES
        if (root / lang / "LC_MESSAGES").is_dir()
    }


def placeholders(text: str) -> set[str]:
    """The `{name}` fields in a text; used by the catalog checks."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _template(lang: str, key: str) -> str:
    texts = catalogs()
    template = texts.get(lang, {}).get(key) or texts.get(DEFAULT_LANGUAGE, {}).get(key)
    if template is None:
        raise KeyError(f"no text for message id {key!r}")
    return template


def t(lang: str, key: str, /, **values: object) -> str:
    """Render message `key` in `lang` (falling back to Dutch), escaping every value."""
    template = _template(lang, key)
    escaped = {
        name: value if isinstance(value, Safe) else html.escape(str(value), quote=False)
        for name, value in values.items()
    }
    return template.format(**escaped)


def ts(lang: str, key: str, /, **values: object) -> Safe:
    """Like `t`, marked safe so it can be embedded in another message."""
    return Safe(t(lang, key, **values))


def plain(lang: str, key: str, /, **values: object) -> str:
    """Render message `key` for a place that shows plain text, not HTML (button labels, press
    answers, file names): values are put in as they are."""
    return _template(lang, key).format(**{name: str(value) for name, value in values.items()})
