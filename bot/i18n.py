"""Translations: load the gettext catalogs once, render a message id in a language.

Every placeholder value is HTML-escaped here, so resident text can never break parse mode.
Pass a `Safe` value for a fragment that is already HTML (built from other translated texts).
A text with a count is a plural entry: `tn` picks the form by the language's CLDR rule (its
catalog's `Plural-Forms` header), so Polish, Ukrainian and Arabic get all their forms.

Values are wrapped in Unicode isolates (FSI … PDI) where their direction could mix up the line:
every value in a right-to-left language (names, places, numbers, times), and in any language a
value written right to left. Safe fragments are whole translated texts and stay as they are.
"""

from __future__ import annotations

import gettext
import html
import string
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from locales import DEFAULT_LANGUAGE, LOCALES_DIR, RIGHT_TO_LEFT, SUPPORTED_LANGUAGES

FSI = "\u2068"
PDI = "\u2069"


class Safe(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


class Catalog(dict[str, str]):
    """One language's texts: message id to text. A plural entry maps to its last form, and
    `plurals` holds all its forms, in the order of the language's plural rule."""

    def __init__(self, texts: Mapping[str, str], plurals: Mapping[str, tuple[str, ...]],
                 forms: int, rule: str) -> None:
        super().__init__(texts)
        self.update({key: variants[-1] for key, variants in plurals.items()})
        self.plurals = dict(plurals)
        self.forms = forms
        self.rule = rule
        self._index: Callable[[int], int] = gettext.c2py(rule)

    def form(self, count: int) -> int:
        """Which of the plural forms a count takes (`Plural-Forms` of the catalog)."""
        return int(self._index(abs(count)))


def _read_catalog(directory: Path) -> Catalog:
    texts: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    forms, rule = 2, "(n != 1)"
    for po_file in sorted(directory.glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=directory.parent.name)
        forms, rule = catalog.num_plurals, catalog.plural_expr
        for message in catalog:
            if isinstance(message.id, tuple) and isinstance(message.string, tuple):
                plurals[message.id[0]] = tuple(str(text) for text in message.string)
            elif isinstance(message.id, str) and message.id and isinstance(message.string, str):
                texts[message.id] = message.string
    return Catalog(texts, plurals, forms, rule)


@cache
def catalogs(root: Path = LOCALES_DIR) -> Mapping[str, Catalog]:
    """All shipped languages, each a mapping of message id to text."""
    return {
        lang: _read_catalog(root / lang / "LC_MESSAGES")
        for lang in SUPPORTED_LANGUAGES
        if (root / lang / "LC_MESSAGES").is_dir()
    }


def placeholders(text: str) -> set[str]:
    """The `{name}` fields in a text; used by the catalog checks."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _catalog(lang: str, key: str) -> Catalog:
    texts = catalogs()
    own = texts.get(lang)
    if own is not None and key in own:
        return own
    dutch = texts.get(DEFAULT_LANGUAGE)
    if dutch is None or key not in dutch:
        raise KeyError(f"no text for message id {key!r}")
    return dutch


def _template(lang: str, key: str) -> str:
    return _catalog(lang, key)[key]


def _plural_template(lang: str, key: str, count: int) -> str:
    catalog = _catalog(lang, key)
    variants = catalog.plurals.get(key)
    if variants is None:
        raise KeyError(f"message id {key!r} has no plural forms")
    return variants[min(catalog.form(count), len(variants) - 1)]


def right_to_left(text: str) -> bool:
    """Does the text contain a letter written right to left (Arabic, Hebrew, …)?"""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolated(lang: str, value: str) -> str:
    """The value in Unicode isolates where its direction could mix up the line around it."""
    if value and (lang in RIGHT_TO_LEFT or right_to_left(value)):
        return f"{FSI}{value}{PDI}"
    return value


def _fill(lang: str, template: str, values: Mapping[str, object], *, escape: bool) -> str:
    filled: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, Safe):
            filled[name] = value
            continue
        text = str(value)
        filled[name] = isolated(lang, html.escape(text, quote=False) if escape else text)
    return template.format(**filled)


def t(lang: str, key: str, /, **values: object) -> str:
    """Render message `key` in `lang` (falling back to Dutch), escaping every value."""
    return _fill(lang, _template(lang, key), values, escape=True)


def tn(lang: str, key: str, count: int, /, **values: object) -> str:
    """Render the plural entry `key` in the form that `count` takes in `lang`; the text gets the
    count as `{count}`."""
    return _fill(lang, _plural_template(lang, key, count), {"count": count, **values}, escape=True)


def ts(lang: str, key: str, /, **values: object) -> Safe:
    """Like `t`, marked safe so it can be embedded in another message."""
    return Safe(t(lang, key, **values))


def tsn(lang: str, key: str, count: int, /, **values: object) -> Safe:
    """Like `tn`, marked safe so it can be embedded in another message."""
    return Safe(tn(lang, key, count, **values))


def plain(lang: str, key: str, /, **values: object) -> str:
    """Render message `key` for a place that shows plain text, not HTML (button labels, press
    answers, file names): values are put in as they are."""
    return _fill(lang, _template(lang, key), values, escape=False)


def plainn(lang: str, key: str, count: int, /, **values: object) -> str:
    """Like `plain`, for a plural entry."""
    return _fill(lang, _plural_template(lang, key, count), {"count": count, **values}, escape=False)
