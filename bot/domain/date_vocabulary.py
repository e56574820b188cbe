"""The words for days and times in each language the bot speaks, as the reader compares them.

Each language's vocabulary is Babel's weekday and month names (format and stand-alone, in the
widths people type) with that language's own words from `bot.domain.date_words`. Typed text and
every word are folded the same way first (`fold`), so "YARIN", "yarin" and "yarın", "غداً" and
"غدا", "п'ятниця" and "пʼятниця", "١٨:٠٠" and "18:00" are the same. The reader tries the
resident's language first, then the others, then all of them together (for "jutro 7pm").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TypeVar

from babel.dates import get_day_names, get_month_names

from bot.domain.date_words import (
    HAND_WORDS,
    RANGE_MARKS,
    SHARED_FILLERS,
    DayPart,
    HandWords,
)
from locales import LANGUAGES

__all__ = ["Vocabulary", "fold", "language_vocabulary", "vocabularies"]

V = TypeVar("V")

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
"""Arabic-Indic digits (and the Eastern ones Persian keyboards give) are read as 0-9."""
_LETTERS = str.maketrans({
    "ı": "i", "ł": "l", "ة": "ه", "ى": "ي", "ـ": "", "،": ",",
    "’": "'", "ʼ": "'", "‘": "'", "`": "'",
})
"""Letters typed either way: without a Turkish or Polish keyboard, with or without Arabic's
closing ta, and the apostrophes of Ukrainian."""


def fold(text: str) -> str:
    """Lower case without accents, marks, tatweel or direction marks, and with 0-9 digits."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_DIGITS).casefold())
    kept = "".join(ch for ch in decomposed
                   if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    return kept.translate(_LETTERS)


@dataclass(frozen=True)
class Vocabulary:
    """Every word the reader knows in one language (or in all), folded."""

    weekdays: Mapping[str, int]
    relative_days: Mapping[str, int]
    months: Mapping[str, int]
    part_words: Mapping[str, DayPart]
    part_endings: Mapping[str, DayPart]
    today_prefixes: frozenset[str]
    whole_words: Mapping[str, tuple[int, DayPart]]
    fillers: frozenset[str]
    range_words: frozenset[str]
    time_words: frozenset[str]

    @cached_property
    def phrases(self) -> frozenset[str]:
        """The words of more than one word ("öbür gün", "بعد غد"), to be read as one."""
        return frozenset(word for word in self.words() if " " in word)

    def words(self) -> Iterable[str]:
        yield from self.weekdays
        yield from self.relative_days
        yield from self.months
        yield from self.part_words
        yield from self.whole_words
        yield from self.fillers
        yield from self.range_words


def _names(names: Mapping[int, str]) -> dict[str, int]:
    return {fold(name).rstrip("."): number for number, name in names.items()}


def _folded(words: Mapping[str, V]) -> dict[str, V]:
    return {fold(word): value for word, value in words.items()}


def _folded_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


@cache
def language_vocabulary(code: str) -> Vocabulary:
    """Babel's names for `code` with its hand words (none for a language not in the table)."""
    hand = HAND_WORDS.get(code, HandWords())
    weekdays: dict[str, int] = {}
    months: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in hand.day_widths:
            weekdays |= _names(get_day_names(width, context, code))
        months |= _names(get_month_names("wide", context, code))
        months |= _names(get_month_names("abbreviated", context, code))
    time_words = _folded_set(hand.time_words)
    return Vocabulary(
        weekdays=weekdays | _folded(hand.weekdays),
        relative_days=_folded(hand.relative_days),
        months=months | _folded(hand.months),
        part_words=_folded(hand.part_words),
        part_endings=_folded(hand.part_endings),
        today_prefixes=_folded_set(hand.today_prefixes),
        whole_words=_folded(hand.whole_words),
        fillers=_folded_set(hand.fillers) | time_words | SHARED_FILLERS,
        range_words=_folded_set(hand.range_words) | RANGE_MARKS,
        time_words=time_words,
    )


def _owned(owners: Mapping[str, Vocabulary],
           table: Callable[[Vocabulary], Mapping[str, V]]) -> dict[str, V]:
    """Each word with the meaning its owner gives it, if it gives it this kind of meaning."""
    return {word: table(owner)[word] for word, owner in owners.items() if word in table(owner)}


def _owned_set(owners: Mapping[str, Vocabulary],
               words: Callable[[Vocabulary], frozenset[str]]) -> frozenset[str]:
    return frozenset(word for word, owner in owners.items() if word in words(owner))


def _together(ordered: tuple[Vocabulary, ...]) -> Vocabulary:
    """All languages at once; a word means what it means in the first language that has it
    ("do" is Thursday for a Dutch reader, "until" for a Polish one)."""
    owners: dict[str, Vocabulary] = {}
    for vocabulary in ordered:
        for word in vocabulary.words():
            owners.setdefault(word, vocabulary)
    endings: dict[str, DayPart] = {}
    for vocabulary in reversed(ordered):
        endings |= vocabulary.part_endings
    return Vocabulary(
        weekdays=_owned(owners, lambda v: v.weekdays),
        relative_days=_owned(owners, lambda v: v.relative_days),
        months=_owned(owners, lambda v: v.months),
        part_words=_owned(owners, lambda v: v.part_words),
        part_endings=endings,
        today_prefixes=frozenset().union(*(v.today_prefixes for v in ordered)),
        whole_words=_owned(owners, lambda v: v.whole_words),
        fillers=_owned_set(owners, lambda v: v.fillers),
        range_words=_owned_set(owners, lambda v: v.range_words),
        time_words=_owned_set(owners, lambda v: v.time_words),
    )


@cache
def vocabularies(lang: str | None) -> tuple[Vocabulary, ...]:
    """The order to read typed text in: the resident's language, the others in the order of
    `locales.LANGUAGES`, then all together."""
    codes = [language.code for language in LANGUAGES]
    if lang in codes:
        codes.remove(lang)
        codes.insert(0, lang)
    ordered = tuple(language_vocabulary(code) for code in codes)
    return (*ordered, _together(ordered))

