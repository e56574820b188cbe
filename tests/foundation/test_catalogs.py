"""Every language's catalog against the Dutch one: the same ids, the same placeholders and HTML,
all the plural forms its CLDR rule asks for, and no text that breaks Telegram's limits once it is
filled with the longest values the bot lets through."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from babel.messages.plurals import get_plural

from bot.domain.activity_drafts import DESCRIPTION_MAX, PLACE_MAX, TITLE_MAX
from bot.domain.insights import LABEL_MAX
from bot.domain.settings import CONTACT_MAX
from bot.i18n import Catalog, Safe, catalogs, placeholders
from handlers.community.relay import MAX_RELAYED
from locales import DEFAULT_LANGUAGE, LANGUAGES, LOCALES_DIR, SUPPORTED_LANGUAGES
from tests.foundation.test_locales import extracted_ids, used_message_ids, used_plain_ids

MESSAGE_MAX = 4096
CAPTION_MAX = 1024
PRESS_ANSWER_MAX = 200
OWN_LIMITS = {"bot.description": 512, "bot.short_description": 120}
"""Texts with a limit of their own: the bot's description and short description."""

LONGEST: dict[str, int] = {
    "name": 64, "requester": 64, "helper": 64, "organiser": 64, "who": 64,
    "title": TITLE_MAX, "description": DESCRIPTION_MAX, "place": PLACE_MAX, "text": MAX_RELAYED,
    "building": 128, "group": 128, "organisation": LABEL_MAX, "contact": CONTACT_MAX,
}
"""The longest value the bot lets through for a placeholder: Telegram's limits for names (64)
and group titles (128), the bot's own for what residents type. Others get `OTHER_LENGTH`."""
OTHER_LENGTH = 120
NUMBERS = {"count", "capacity", "places", "waiting", "taken", "joined", "needed", "limit", "length",
           "max_open", "days", "hours", "minutes", "objections", "threshold", "grace", "position",
           "asked", "came", "helped", "held", "going", "maybe", "guests", "weeks", "year", "week"}
"""Placeholders that hold a number (or a shown figure such as "<5"): at most six characters."""
SHORT = {"month", "months", "first", "last", "start", "end", "state", "kind", "when", "date", "time",
         "weekday", "day", "part", "language", "hour", "often", "repeat"}
"""Placeholders that hold a date, a time or a word from the catalogs: at most 40 characters."""
HEAVY = {"contacts": 1000, "names": 15 * 66, "commands": 1400, "figures": 700, "what": 500}
"""Placeholders that hold lists or whole fragments: their longest realistic rendering."""


def _value(name: str) -> str:
    if name in NUMBERS:
        return "999999"
    if name in SHORT:
        return "ж" * 40
    length = HEAVY.get(name) or LONGEST.get(name) or OTHER_LENGTH
    return "ж" * length


def _shown_length(text: str) -> int:
    """Length as Telegram counts it after entity parsing: without tags, in UTF-16 code units."""
    visible = html.unescape(re.sub(r"<[^>]+>", "", text))
    return len(visible.encode("utf-16-le")) // 2


def _texts(catalog: Catalog, key: str) -> Iterator[str]:
    yield from catalog.plurals.get(key, (catalog[key],))


def _rendered(template: str) -> str:
    return template.format(**{name: Safe(_value(name)) for name in placeholders(template)})


def test_every_language_of_the_table_is_shipped() -> None:
    assert tuple(language.code for language in LANGUAGES) == SUPPORTED_LANGUAGES
    for language in LANGUAGES:
        assert (LOCALES_DIR / language.code / "glossary.md").is_file(), language.code


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_the_same_ids_as_dutch_and_plurals_where_dutch_has_them(lang: str) -> None:
    dutch, own = catalogs()[DEFAULT_LANGUAGE], catalogs()[lang]
    assert set(own) == set(dutch), f"{lang} differs: {sorted(set(own) ^ set(dutch))}"
    assert set(own.plurals) == set(dutch.plurals)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_plural_rule_and_every_form(lang: str) -> None:
    own = catalogs()[lang]
    rule = get_plural(lang)
    assert own.forms == rule.num_plurals, f"{lang}: Plural-Forms says {own.forms}"
    for count in range(0, 250):
        assert own.form(count) == _cldr_form(lang, count), (lang, count)
    for key, forms in own.plurals.items():
        assert len(forms) == rule.num_plurals, f"{lang} {key}: {len(forms)} forms"
        assert all(form.strip() for form in forms), f"{lang} {key}: an empty form"


def _cldr_form(lang: str, count: int) -> int:
    """The form index from Babel's CLDR data, independent of the catalog header."""
    import gettext

    return int(gettext.c2py(get_plural(lang).plural_expr)(count))


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED_LANGUAGES if lang != DEFAULT_LANGUAGE])
def test_placeholders_and_html_match_dutch(lang: str) -> None:
    dutch, own = catalogs()[DEFAULT_LANGUAGE], catalogs()[lang]
    for key in dutch:
        expected = placeholders(dutch[key])
        tags = sorted(re.findall(r"</?\w+", dutch[key]))
        forms = list(_texts(own, key))
        assert placeholders(forms[-1]) == expected, f"{lang} {key}"
        for form in forms:
            assert placeholders(form) <= expected, f"{lang} {key}: {form!r}"
            assert sorted(re.findall(r"</?\w+", form)) == tags, f"{lang} {key}: HTML differs"


def _caption_ids() -> set[str]:
    return {key for key in catalogs()[DEFAULT_LANGUAGE] if "caption" in key or key == "data.export.partial"}


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_no_text_breaks_telegrams_limits(lang: str) -> None:
    own = catalogs()[lang]
    captions, plain_ids = _caption_ids(), used_plain_ids() | extracted_ids({"tell": (1,)})
    assert captions and plain_ids
    for key in own:
        limit = OWN_LIMITS.get(key) or (PRESS_ANSWER_MAX if key in plain_ids
                                        else CAPTION_MAX if key in captions else MESSAGE_MAX)
        for template in _texts(own, key):
            shown = _shown_length(_rendered(template))
            assert 1 <= shown <= limit, f"{lang} {key}: {shown} > {limit}"


def test_the_code_uses_plural_entries_through_tn_only() -> None:
    plural_ids = set(catalogs()[DEFAULT_LANGUAGE].plurals)
    used = used_message_ids(plural=False)
    assert not plural_ids & used, f"plural entries rendered with t(): {sorted(plural_ids & used)}"
    assert used_message_ids(plural=True) <= plural_ids
