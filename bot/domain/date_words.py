"""The words residents type for days and times, in Dutch and English: weekdays, months, "morgen",
parts of the day ("zaterdagmiddag", "'s avonds"), and the small words around them. Read by
`bot.domain.dates`, the one reader."""

from __future__ import annotations

from datetime import time
from enum import StrEnum

WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("ma", "maa", "maan", "maandag", "mo", "mon", "monday"), 0),
    **dict.fromkeys(("di", "din", "dins", "dinsdag", "tu", "tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wo", "woe", "woens", "woensdag", "we", "wed", "wednesday"), 2),
    **dict.fromkeys(("do", "don", "donder", "donderdag", "th", "thu", "thur", "thurs",
                     "thursday"), 3),
    **dict.fromkeys(("vr", "vrij", "vrijdag", "fr", "fri", "friday"), 4),
    **dict.fromkeys(("za", "zat", "zaterdag", "sa", "sat", "saturday"), 5),
    **dict.fromkeys(("zo", "zon", "zondag", "su", "sun", "sunday"), 6),
}
RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
}


class DayPart(StrEnum):
    """A part of the day typed instead of, or beside, a time ("zaterdagmiddag", "vanavond 7")."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


PART_WORDS: dict[str, DayPart] = {
    **dict.fromkeys(("ochtend", "ochtends", "morgens", "vroeg", "morning"), DayPart.MORNING),
    **dict.fromkeys(("middag", "middags", "afternoon"), DayPart.AFTERNOON),
    **dict.fromkeys(("avond", "avonds", "evening"), DayPart.EVENING),
}
"""A part of the day as a word of its own ("zaterdag middag", "'s avonds", "saturday evening")."""
PART_ENDINGS: dict[str, DayPart] = {
    "ochtend": DayPart.MORNING, "morgen": DayPart.MORNING, "vroeg": DayPart.MORNING,
    "middag": DayPart.AFTERNOON, "avond": DayPart.EVENING,
}
"""A part of the day written onto a day: "zaterdagmiddag", "morgenochtend", "vanavond"."""
TODAY_PREFIX = "van"
""""vanochtend", "vanmorgen", "vanmiddag", "vanavond": this day."""
WHOLE_WORDS: dict[str, tuple[int, DayPart]] = {"tonight": (0, DayPart.EVENING)}
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
MONTHS: dict[str, int] = {
    **dict.fromkeys(("jan", "januari", "january"), 1),
    **dict.fromkeys(("feb", "febr", "februari", "february"), 2),
    **dict.fromkeys(("mrt", "maart", "mar", "march"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("jun", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juli", "july"), 7),
    **dict.fromkeys(("aug", "augustus", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oct", "oktober", "october"), 10),
    **dict.fromkeys(("nov", "november"), 11),
    **dict.fromkeys(("dec", "december"), 12),
}
FILLERS = frozenset({
    "om", "at", "on", "op", "de", "the", "van", "of", "from", "rond", "around", "volgende",
    "next", "aanstaande", "a.s.", "as", "this", "deze", "komende", "coming", "s", "'s",
    "in", "uur",
})
"""Words that say nothing about the day or the time ("zaterdag om 14:00", "'s avonds")."""
RANGE_WORDS = frozenset({"-", "–", "tot", "to", "until", "till"})
"""Between a start and an end time ("19:00-21:00", "10:00 tot 12:00")."""
HOUR_SUFFIXES = frozenset({"u", "uur", "h", "am", "pm", "a.m.", "p.m.", "o'clock"})
"""Written after an hour, sometimes with a space ("14 u", "2 pm"); they make a number a time."""
TIME_WORDS = frozenset({"om", "at", "rond", "around"})
"""Written before an hour ("om 3", "at 3"); they make a number a time too."""
