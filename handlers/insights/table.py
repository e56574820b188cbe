"""The figures as a CSV file: one row a figure, with the words of the message, in the reader's
language, so a spreadsheet and the report say the same.

Made only of the safe figures, like the message. UTF-8 with a byte order mark, so spreadsheet
programs read "≥" and "ë" as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.domain.insights import BuildingInsights, CombinedInsights, TrendPoint
from bot.domain.period_figures import PeriodFigures
from bot.i18n import plain
from handlers.insights.labels import figure, labels, period_cells

CSV_NAME = "omzien-cijfers.csv"


def _head(scope: str, f: PeriodFigures | TrendPoint) -> list[str]:
    period = f.period
    return [scope, period.key, period.first_day.isoformat(), period.last_day.isoformat()]


def _period_rows(lang: str, scope: str, f: PeriodFigures) -> list[list[str]]:
    head = _head(scope, f)
    return [[*head, label, value] for line in period_cells(lang, f) for label, value in line]


def _trend_rows(lang: str, scope: str, points: Sequence[TrendPoint]) -> list[list[str]]:
    name = labels(lang)
    rows = []
    for point in points:
        cells = [("asked", point.asked), ("helped", point.helped),
                 ("activities_held", point.activities_held), ("came", point.came)]
        if point.pairs_new is not None:
            cells.append(("pairs_new", point.pairs_new))
        rows += [[*_head(scope, point), name[key], figure(value)] for key, value in cells]
    return rows


def building_rows(lang: str, report: BuildingInsights) -> list[list[str]]:
    """The rows of one building; a worker's file holds exactly these for that building."""
    if report.too_small or report.week is None or report.month is None:
        return [[report.title, "", "", "", plain(lang, "insights.csv.too_small"), ""]]
    rows = []
    for f in (report.week, report.month, report.quarter):
        if f is not None:
            rows += _period_rows(lang, report.title, f)
    return rows + _trend_rows(lang, report.title, report.trend)


def render_csv(lang: str, reports: Sequence[BuildingInsights],
               combined: CombinedInsights | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([plain(lang, "insights.csv.scope"), plain(lang, "insights.csv.period"),
                     plain(lang, "insights.csv.from"), plain(lang, "insights.csv.to"),
                     plain(lang, "insights.csv.figure"), plain(lang, "insights.csv.value")])
    for report in reports:
        writer.writerows(building_rows(lang, report))
    if combined is not None:
        scope = plain(lang, "insights.csv.all_buildings")
        writer.writerows(_period_rows(lang, scope, combined.week))
        writer.writerows(_period_rows(lang, scope, combined.month))
    return out.getvalue().encode("utf-8-sig")
