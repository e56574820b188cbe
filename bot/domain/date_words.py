"""The words residents type for days and times, per language: the small words Babel does not know.

Weekday and month names come from Babel for every language in `locales.LANGUAGES`
(`bot.domain.date_vocabulary`); this table adds, per language code, what people type around
them: "morgen", "yarın", "jutro", "завтра", "غدا"; the forms a name takes after a preposition
("w środę", "в п'ятницю"); parts of the day ("zaterdagmiddag", "wieczorem", "مساء"); and the
small words that say nothing ("om", "saat", "o godz.", "о", "الساعة"). A language without an
entry here is read with Babel's names alone. Words are written as people write them: case,
accents, hamza and tanwin are folded away before they are compared. A key may be two words
("öbür gün", "بعد غد", "po południu"). Read by `bot.domain.dates`, the one reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from typing import Literal


class DayPart(StrEnum):
    """A part of the day typed instead of, or beside, a time ("zaterdagmiddag", "vanavond 7")."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


MORNING, AFTERNOON, EVENING = DayPart.MORNING, DayPart.AFTERNOON, DayPart.EVENING


@dataclass(frozen=True)
class HandWords:
    """One language's own words for days and times, beside Babel's names."""

    relative_days: Mapping[str, int] = field(default_factory=dict)
    """Today, tomorrow, the day after: days from today."""
    weekdays: Mapping[str, int] = field(default_factory=dict)
    """Forms of a weekday Babel does not give (0 is Monday): short ones, inflected ones."""
    months: Mapping[str, int] = field(default_factory=dict)
    """Forms of a month Babel does not give ("sept", "آذار")."""
    part_words: Mapping[str, DayPart] = field(default_factory=dict)
    """A part of the day as a word of its own ("zaterdag middag", "jutro rano")."""
    part_endings: Mapping[str, DayPart] = field(default_factory=dict)
    """A part of the day written onto a day: "zaterdagmiddag", "morgenochtend"."""
    today_prefixes: frozenset[str] = frozenset()
    """Written before a part of the day for this day: "vanavond"."""
    whole_words: Mapping[str, tuple[int, DayPart]] = field(default_factory=dict)
    """One word for a day and its part: "tonight"."""
    fillers: frozenset[str] = frozenset()
    """Words that say nothing about the day or the time ("zaterdag om 14:00", "w piątek")."""
    range_words: frozenset[str] = frozenset()
    """Between a start and an end time ("10:00 tot 12:00", "10:00 do 12:00")."""
    time_words: frozenset[str] = frozenset()
    """Written before an hour ("om 3", "saat 3", "o 3"); they make a number a time. Also fillers."""
    day_widths: tuple[Literal["wide", "abbreviated", "short"], ...] = ("wide", "abbreviated")
    """Which of Babel's weekday name widths people type; "short" where it is unambiguous."""


HAND_WORDS: dict[str, HandWords] = {
    "nl": HandWords(
        relative_days={"vandaag": 0, "morgen": 1, "overmorgen": 2},
        weekdays={
            **dict.fromkeys(("maa", "maan"), 0), **dict.fromkeys(("din", "dins"), 1),
            **dict.fromkeys(("woe", "woens"), 2), **dict.fromkeys(("don", "donder"), 3),
            "vrij": 4, "zat": 5, "zon": 6,
        },
        months={"febr": 2},
        part_words={
            **dict.fromkeys(("ochtend", "ochtends", "morgens", "vroeg"), MORNING),
            **dict.fromkeys(("middag", "middags"), AFTERNOON),
            **dict.fromkeys(("avond", "avonds"), EVENING),
        },
        part_endings={"ochtend": MORNING, "morgen": MORNING, "vroeg": MORNING,
                      "middag": AFTERNOON, "avond": EVENING},
        today_prefixes=frozenset({"van"}),
        fillers=frozenset({"op", "de", "van", "rond", "volgende", "aanstaande", "a.s.", "as",
                           "deze", "komende", "s", "'s", "in", "uur"}),
        range_words=frozenset({"tot"}),
        time_words=frozenset({"om", "rond"}),
    ),
    "en": HandWords(
        relative_days={"today": 0, "tomorrow": 1},
        weekdays={
            **dict.fromkeys(("mo", "mon"), 0), **dict.fromkeys(("tu", "tues"), 1),
            "we": 2, **dict.fromkeys(("th", "thur", "thurs"), 3), "fr": 4, "sa": 5, "su": 6,
        },
        months={"sept": 9},
        part_words={"morning": MORNING, "afternoon": AFTERNOON, "evening": EVENING},
        whole_words={"tonight": (0, EVENING)},
        fillers=frozenset({"on", "the", "of", "from", "around", "next", "this", "coming", "in"}),
        range_words=frozenset({"to", "until", "till"}),
        time_words=frozenset({"at", "around"}),
    ),
    "tr": HandWords(
        relative_days={"bugün": 0, "yarın": 1, "öbür gün": 2, "öbürgün": 2, "ertesi gün": 2,
                       "yarından sonra": 2},
        part_words={
            **dict.fromkeys(("sabah", "sabahı", "sabahleyin"), MORNING),
            **dict.fromkeys(("öğleden sonra", "öğlen", "öğle"), AFTERNOON),
            **dict.fromkeys(("akşam", "akşamı", "akşamüstü", "gece"), EVENING),
        },
        whole_words={"bu akşam": (0, EVENING), "bu gece": (0, EVENING)},
        fillers=frozenset({"günü", "gün", "saat", "bu", "gelecek", "önümüzdeki", "ilk"}),
        range_words=frozenset({"ile", "arası", "kadar"}),
        time_words=frozenset({"saat"}),
    ),
    "ar": HandWords(
        relative_days={"اليوم": 0, "غدا": 1, "غد": 1, "الغد": 1, "بكرة": 1, "بكرا": 1,
                       "بعد غد": 2, "بعد الغد": 2, "بعد بكرة": 2, "بعد بكرا": 2},
        months={"كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
                "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11,
                "كانون الأول": 12},
        part_words={
            **dict.fromkeys(("صباحا", "صباح", "الصباح", "الصبح"), MORNING),
            **dict.fromkeys(("ظهرا", "الظهر", "بعد الظهر", "العصر", "عصرا"), AFTERNOON),
            **dict.fromkeys(("مساء", "المساء", "مساءا", "ليلا", "بالليل"), EVENING),
        },
        whole_words={"الليلة": (0, EVENING)},
        fillers=frozenset({"يوم", "في", "الساعة", "ساعة", "القادم", "القادمة", "هذا", "هذه",
                           "من", "على"}),
        range_words=frozenset({"إلى", "الى", "حتى"}),
        time_words=frozenset({"الساعة", "ساعة"}),
        day_widths=("wide", "abbreviated", "short"),
    ),
    "pl": HandWords(
        relative_days={"dziś": 0, "dzisiaj": 0, "jutro": 1, "pojutrze": 2},
        weekdays={"środę": 2, "sobotę": 5, "niedzielę": 6},
        part_words={
            **dict.fromkeys(("rano", "rana", "przed południem"), MORNING),
            **dict.fromkeys(("po południu", "popołudniu", "popołudnie"), AFTERNOON),
            **dict.fromkeys(("wieczorem", "wieczór", "wieczor", "wieczora", "nocą"), EVENING),
        },
        whole_words={"dziś wieczorem": (0, EVENING)},
        fillers=frozenset({"w", "we", "o", "od", "na", "godz", "godzina", "godzinie", "ten",
                           "tę", "ta", "najbliższy", "najbliższą", "najbliższa",
                           "przyszły", "przyszłą", "następny", "następną", "z"}),
        range_words=frozenset({"do"}),
        time_words=frozenset({"o", "godz", "godzinie"}),
        day_widths=("wide", "abbreviated", "short"),
    ),
    "uk": HandWords(
        relative_days={"сьогодні": 0, "завтра": 1, "післязавтра": 2},
        weekdays={"середу": 2, "пʼятницю": 4, "суботу": 5, "неділю": 6},
        part_words={
            **dict.fromkeys(("вранці", "зранку", "ранку", "ранок", "уранці"), MORNING),
            **dict.fromkeys(("вдень", "удень", "дня", "після обіду", "по обіді"), AFTERNOON),
            **dict.fromkeys(("ввечері", "увечері", "вечора", "вечір", "вночі"), EVENING),
        },
        whole_words={"сьогодні ввечері": (0, EVENING)},
        fillers=frozenset({"в", "у", "о", "об", "на", "з", "від", "цей", "цю", "цього",
                           "наступний", "наступну", "наступного", "найближчий", "найближчу",
                           "годині", "год"}),
        range_words=frozenset({"до", "по"}),
        time_words=frozenset({"о", "об", "год"}),
    ),
}

SHARED_FILLERS = frozenset({"uur"})
RANGE_MARKS = frozenset({"-", "–"})
HOUR_SUFFIXES = frozenset({"u", "uur", "h", "am", "pm", "a.m.", "p.m.", "o'clock"})
"""Written after an hour, sometimes with a space ("14 u", "2 pm"); they make a number a time.
Understood in every language, as the digits are."""

PART_ENDS: dict[DayPart, time] = {
    DayPart.MORNING: time(12, 0),
    DayPart.AFTERNOON: time(18, 0),
    DayPart.EVENING: time(23, 59),
}
"""A part of the day typed without a time lasts until then (or until the feature's day ends)."""
AFTERNOON_HOURS = range(1, 7)
"""An hour alone from 1 to 6 is in the afternoon: nobody asks a neighbour for 3 at night."""
MORNING_HOURS = range(7, 12)
"""An hour alone from 7 to 11 is in the morning, or the evening once that morning has passed."""
