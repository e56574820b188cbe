"""The anonymous figures as a person reads them: a message, a CSV file and a chart.

Everything here reads only the safe figures (`PeriodFigures`, `TrendPoint`), never raw counts,
so what is rendered cannot hold more than the rules in `bot.domain.insights` allow. The chart is
drawn with matplotlib's Agg canvas (headless), imported only when a chart is drawn, and saved
without the software stamp PNG files usually carry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta

from bot.domain.insights import BuildingInsights, CombinedInsights, TrendPoint
from bot.domain.period_figures import PeriodFigures
from bot.domain.periods import Period, PeriodKind
from bot.domain.shown_figures import Show, Shown
from bot.i18n import Safe, t

CSV_NAME = "omzien-cijfers.csv"
CHART_NAME = "omzien-cijfers.png"


def month_name(lang: str, month: int) -> str:
    names = (
        t(lang, "insights.month.1"), t(lang, "insights.month.2"), t(lang, "insights.month.3"),
        t(lang, "insights.month.4"), t(lang, "insights.month.5"), t(lang, "insights.month.6"),
        t(lang, "insights.month.7"), t(lang, "insights.month.8"), t(lang, "insights.month.9"),
        t(lang, "insights.month.10"), t(lang, "insights.month.11"), t(lang, "insights.month.12"),
    )
    return names[month - 1]


def kind_name(lang: str, kind: str) -> str:
    names = {
        "container": t(lang, "request.kind.container"),
        "groceries": t(lang, "request.kind.groceries"),
        "transport": t(lang, "request.kind.transport"),
        "chore": t(lang, "request.kind.chore"),
        "company": t(lang, "request.kind.company"),
        "devices": t(lang, "request.kind.devices"),
        "other": t(lang, "request.kind.other"),
    }
    return names.get(kind, names["other"])


def _day(lang: str, day: date, *, year: bool = False) -> str:
    text = f"{day.day} {month_name(lang, day.month)[:3].lower()}"
    return f"{text} {day.year}" if year else text


def period_label(lang: str, period: Period) -> str:
    """"Week 47 (16 nov – 22 nov 2026)"; a month names the whole weeks it is made of."""
    first, last = period.first_day, period.last_day
    if period.kind is PeriodKind.MONTH:
        return t(lang, "insights.period.month", month=month_name(lang, first.month), year=first.year,
                 weeks=f"{first.isocalendar()[1]}–{(last - timedelta(days=6)).isocalendar()[1]}",
                 first=_day(lang, first), last=_day(lang, last, year=True))
    return t(lang, "insights.period.week", week=first.isocalendar()[1], first=_day(lang, first),
             last=_day(lang, last, year=True))


def figure(shown: Shown | None) -> str:
    """How one figure reads: 12, <5, – (hidden to protect a small count) or ≥12."""
    if shown is None or shown.show in (Show.HIDDEN, Show.WITHHELD):
        return "–"
    if shown.show is Show.SMALL:
        return "<5"
    if shown.show is Show.AT_LEAST:
        return f"≥{shown.value}"
    return str(shown.value)


def duration(lang: str, minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return t(lang, "insights.minutes", minutes=rest)
    return t(lang, "insights.hours", hours=hours, minutes=f"{rest:02d}")


def _listing(items: dict[str, Shown], name: dict[str, str]) -> str:
    return " · ".join(f"{name[key]} {figure(value)}" for key, value in items.items())


def render_period(lang: str, f: PeriodFigures) -> str:
    """One period's figures as HTML lines (every value escaped by `t`)."""
    helped: str = figure(f.helped)
    if f.share_helped is not None:
        helped = Safe(t(lang, "insights.with_share", count=helped, share=f.share_helped))
    lines = [
        f"<b>{period_label(lang, f.period)}</b>",
        t(lang, "insights.requests", asked=figure(f.asked), helped=helped,
          expired=figure(f.expired), other=figure(f.other)),
    ]
    if f.median_wait_minutes is not None:
        lines.append(t(lang, "insights.median", time=duration(lang, f.median_wait_minutes)))
    if f.by_kind:
        names = {kind: kind_name(lang, kind) for kind in f.by_kind}
        lines.append(t(lang, "insights.kinds", kinds=_listing(f.by_kind, names)))
    lines.append(t(lang, "insights.people", askers=figure(f.askers), helpers=figure(f.helpers),
                   returning=figure(f.returning_helpers)))
    if f.pairs_new is not None:
        lines.append(t(lang, "insights.pairs", new=figure(f.pairs_new),
                       lasting=figure(f.pairs_lasting), third=figure(f.pairs_third_cup)))
    lines.append(t(lang, "insights.activities", held=figure(f.activities_held),
                   rsvps=figure(f.rsvps), came=figure(f.came)))
    lines.append(t(lang, "insights.ideas", ideas=figure(f.ideas), converted=figure(f.ideas_converted)))
    if f.languages:
        names = {code: code.upper() if code != "?" else t(lang, "insights.language.unknown")
                 for code in f.languages}
        lines.append(t(lang, "insights.languages", languages=_listing(f.languages, names)))
    return "\n".join(lines)


def render_building(lang: str, report: BuildingInsights) -> str:
    """The message about one building: the same for its group and for its workers."""
    title = t(lang, "insights.building.title", building=report.title)
    if report.too_small or report.week is None or report.month is None:
        return f"{title}\n{t(lang, 'insights.too_small')}"
    return "\n\n".join([
        title,
        render_period(lang, report.week),
        render_period(lang, report.month),
        t(lang, "insights.legend"),
    ])


def render_combined(lang: str, combined: CombinedInsights) -> str:
    return "\n\n".join([
        t(lang, "insights.combined.title", count=combined.buildings),
        render_period(lang, combined.week),
        render_period(lang, combined.month),
        t(lang, "insights.combined.legend"),
    ])


# -- CSV ----------------------------------------------------------------------------------------


def _csv_value(shown: Shown | None) -> str:
    if shown is None:
        return ""
    if shown.show is Show.SMALL:
        return "<5"
    if shown.show in (Show.HIDDEN, Show.WITHHELD):
        return "hidden"
    if shown.show is Show.AT_LEAST:
        return f">={shown.value}"
    return str(shown.value)


def _period_rows(scope: str, f: PeriodFigures) -> list[list[str]]:
    head = [scope, f.period.key, f.period.first_day.isoformat(), f.period.last_day.isoformat()]
    cells: list[tuple[str, str]] = [
        ("requests_asked", _csv_value(f.asked)),
        ("requests_helped", _csv_value(f.helped)),
        ("requests_expired", _csv_value(f.expired)),
        ("requests_open_or_withdrawn", _csv_value(f.other)),
        ("share_helped_percent", "" if f.share_helped is None else str(f.share_helped)),
        ("median_minutes_to_helper",
         "" if f.median_wait_minutes is None else str(f.median_wait_minutes)),
        *((f"requests_kind_{kind}", _csv_value(value)) for kind, value in f.by_kind.items()),
        ("residents_who_asked", _csv_value(f.askers)),
        ("residents_who_helped", _csv_value(f.helpers)),
        ("helpers_back_after_3_months", _csv_value(f.returning_helpers)),
        ("pairs_new", _csv_value(f.pairs_new)),
        ("pairs_going_after_3_months", _csv_value(f.pairs_lasting)),
        ("pairs_third_cup_of_tea", _csv_value(f.pairs_third_cup)),
        ("activities_held", _csv_value(f.activities_held)),
        ("activity_rsvps", _csv_value(f.rsvps)),
        ("activity_came", _csv_value(f.came)),
        ("ideas", _csv_value(f.ideas)),
        ("ideas_became_activity", _csv_value(f.ideas_converted)),
        *((f"residents_language_{code}", _csv_value(value)) for code, value in f.languages.items()),
    ]
    return [[*head, name, value] for name, value in cells]


def _trend_rows(scope: str, points: Sequence[TrendPoint]) -> list[list[str]]:
    rows = []
    for point in points:
        head = [scope, point.period.key, point.period.first_day.isoformat(),
                point.period.last_day.isoformat()]
        rows.append([*head, "requests_asked", _csv_value(point.asked)])
        rows.append([*head, "requests_helped", _csv_value(point.helped)])
    return rows


def building_rows(report: BuildingInsights) -> list[list[str]]:
    """The rows of one building; a worker's file holds exactly these for that building."""
    if report.too_small or report.week is None or report.month is None:
        return [[report.title, "", "", "", "too_small_for_figures", ""]]
    return [*_period_rows(report.title, report.week), *_period_rows(report.title, report.month),
            *_trend_rows(report.title, report.trend)]


def render_csv(lang: str, reports: Sequence[BuildingInsights],
               combined: CombinedInsights | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([t(lang, "insights.csv.scope"), t(lang, "insights.csv.period"),
                     t(lang, "insights.csv.from"), t(lang, "insights.csv.to"),
                     t(lang, "insights.csv.figure"), t(lang, "insights.csv.value")])
    for report in reports:
        writer.writerows(building_rows(report))
    if combined is not None:
        scope = t(lang, "insights.csv.all_buildings")
        writer.writerows(_period_rows(scope, combined.week))
        writer.writerows(_period_rows(scope, combined.month))
    return out.getvalue().encode("utf-8")


# -- chart --------------------------------------------------------------------------------------


def render_chart(lang: str, report: BuildingInsights) -> bytes:
    """Requests asked and helped in each of the last weeks, as a PNG without metadata."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    points = report.trend
    fig = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    width = 0.4
    for offset, series, colour, label in (
        (-width / 2, [p.asked for p in points], "#9ecae1", t(lang, "insights.chart.asked")),
        (width / 2, [p.helped for p in points], "#31a354", t(lang, "insights.chart.helped")),
    ):
        xs = [i + offset for i in range(len(points))]
        heights = [s.value if s.show is Show.EXACT and s.value is not None else 0 for s in series]
        ax.bar(xs, heights, width, color=colour, label=label)
        for x, shown in zip(xs, series, strict=True):
            if shown.show is Show.SMALL:
                ax.bar([x], [4], width, color="none", edgecolor=colour, hatch="//")
                ax.text(x, 4.2, "<5", ha="center", va="bottom", fontsize=7, parse_math=False)
            elif shown.show in (Show.HIDDEN, Show.WITHHELD):
                ax.text(x, 0.2, "–", ha="center", va="bottom", fontsize=8, parse_math=False)
    ax.set_xticks(range(len(points)))
    ax.set_xticklabels([f"{p.period.first_day.day}-{p.period.first_day.month}" for p in points],
                       fontsize=8)
    ax.set_xlabel(t(lang, "insights.chart.weeks"))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(t(lang, "insights.chart.requests"))
    ax.set_title(report.title, parse_math=False)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
