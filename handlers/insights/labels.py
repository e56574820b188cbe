"""The words of the figures, shared by the message and the file so both say the same: how a
figure reads ("12", "<5", "–", "≥19"), what each figure is called, and how a period is named.

Labels are plain text (the file is not HTML); the message escapes them where it uses them.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dates_text import month_name, month_year_text, months_text, short_day_month_text
from bot.domain.period_figures import PeriodFigures
from bot.domain.periods import Period, PeriodKind, add_months
from bot.domain.shown_figures import Show, Shown
from bot.i18n import plain


def kind_name(lang: str, kind: str) -> str:
    names = {
        "container": plain(lang, "request.kind.container"),
        "groceries": plain(lang, "request.kind.groceries"),
        "transport": plain(lang, "request.kind.transport"),
        "chore": plain(lang, "request.kind.chore"),
        "company": plain(lang, "request.kind.company"),
        "devices": plain(lang, "request.kind.devices"),
        "other": plain(lang, "request.kind.other"),
    }
    return names.get(kind, names["other"])


def figure(shown: Shown | None) -> str:
    """How one figure reads: 12, <5, – (hidden to protect a small count) or ≥12."""
    if shown is None or shown.show in (Show.HIDDEN, Show.WITHHELD):
        return "–"
    if shown.show is Show.SMALL:
        return "<5"
    if shown.show is Show.AT_LEAST:
        return f"≥{shown.value}"
    return str(shown.value)


def _weeks(period: Period) -> str:
    last_monday = period.last_day - timedelta(days=6)
    return f"{period.first_day.isocalendar()[1]}–{last_monday.isocalendar()[1]}"


def period_name(lang: str, period: Period) -> str:
    """Short: "week 47", "oktober 2026", "juli–september 2026"."""
    first = period.first_day
    if period.kind is PeriodKind.WEEK:
        return plain(lang, "insights.name.week", week=first.isocalendar()[1])
    if period.kind is PeriodKind.QUARTER:
        return months_text(lang, first, add_months(first.replace(day=1), 2))
    return month_year_text(lang, first)


def period_label(lang: str, period: Period) -> str:
    """"Week 47 (16 nov – 22 nov 2026)"; a month or quarter names the whole weeks it is made of."""
    first = period.first_day
    days = {"first": short_day_month_text(lang, first),
            "last": short_day_month_text(lang, period.last_day, year=True)}
    if period.kind is PeriodKind.MONTH:
        return plain(lang, "insights.period.month", month=month_name(lang, first.month),
                     year=first.year, weeks=_weeks(period), **days)
    if period.kind is PeriodKind.QUARTER:
        return plain(lang, "insights.period.quarter", months=period_name(lang, period),
                     weeks=_weeks(period), **days)
    return plain(lang, "insights.period.week", week=first.isocalendar()[1], **days)


def duration(lang: str, minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return plain(lang, "insights.minutes", minutes=rest)
    return plain(lang, "insights.hours", hours=hours, minutes=f"{rest:02d}")


def labels(lang: str) -> dict[str, str]:
    """What each figure is called, in the message and in the file alike."""
    return {
        "asked": plain(lang, "insights.f.asked"),
        "helped": plain(lang, "insights.f.helped"),
        "share_helped": plain(lang, "insights.f.share_helped"),
        "expired": plain(lang, "insights.f.expired"),
        "other": plain(lang, "insights.f.other"),
        "wait": plain(lang, "insights.f.wait"),
        "members": plain(lang, "insights.f.members"),
        "participants": plain(lang, "insights.f.participants"),
        "share_taking_part": plain(lang, "insights.f.share_taking_part"),
        "askers": plain(lang, "insights.f.askers"),
        "helpers": plain(lang, "insights.f.helpers"),
        "lasting_helpers": plain(lang, "insights.f.lasting_helpers"),
        "pairs_new": plain(lang, "insights.f.pairs_new"),
        "pairs_lasting": plain(lang, "insights.f.pairs_lasting"),
        "pairs_third_cup": plain(lang, "insights.f.pairs_third_cup"),
        "activities_held": plain(lang, "insights.f.activities_held"),
        "came": plain(lang, "insights.f.came"),
        "ideas": plain(lang, "insights.f.ideas"),
        "ideas_converted": plain(lang, "insights.f.ideas_converted"),
    }


def kind_label(lang: str, kind: str) -> str:
    return plain(lang, "insights.f.kind", kind=kind_name(lang, kind))


Cell = tuple[str, str]
"""(label, how the figure reads)."""


def _percent(value: int | None) -> str:
    return "" if value is None else str(value)


def period_cells(lang: str, f: PeriodFigures) -> list[list[Cell]]:
    """Every figure of a period as (label, value), in lines: the message shows each line, the
    file each cell. A figure that was not counted then is left out."""
    name = labels(lang)

    def cells(*names: str) -> list[Cell]:
        found = []
        for key in names:
            shown: Shown | None = getattr(f, key)
            if shown is not None:
                found.append((name[key], figure(shown)))
        return found

    requests = cells("asked", "helped")
    requests.append((name["share_helped"], _percent(f.share_helped)))
    requests += cells("expired", "other")
    requests.append((name["wait"], _percent(f.median_wait_minutes)))
    kinds = [(kind_label(lang, kind), figure(value)) for kind, value in f.by_kind.items()]
    people = cells("members", "participants")
    if f.participants is not None:
        people.append((name["share_taking_part"], _percent(f.share_taking_part)))
    people += cells("askers", "helpers", "lasting_helpers")
    return [requests, kinds, people, cells("pairs_new", "pairs_lasting", "pairs_third_cup"),
            cells("activities_held", "came"), cells("ideas", "ideas_converted")]
