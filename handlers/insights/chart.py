"""The figures as a chart: help requests, activities and regular neighbours, one panel each,
sized for a phone held upright.

Whole numbers only on every axis. A figure shown as "<5" is drawn as a hatched band from 0 to 5
labelled "fewer than 5", never as a bar of some height, so it cannot be read as a number; a
hidden figure ("–") is drawn as a dash. Drawn with matplotlib's Agg canvas (headless), imported
only when a chart is drawn, and saved without the software stamp PNG files usually carry.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.domain.insights import BuildingInsights, Overview, TrendPoint
from bot.domain.period_figures import PeriodFigures
from bot.domain.shown_figures import SMALL_LIMIT, Show, Shown
from bot.i18n import plain
from handlers.insights.labels import labels, period_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CHART_NAME = "omzien-cijfers.png"
BAND_HATCH = "///"
BAND_FACE = "#fff1e6"
BAND_EDGE = "#d9480f"
"""The "fewer than 5" band: a pale face with dark hatching, unlike any bar."""
WIDTH_INCHES, HEIGHT_INCHES, DPI = 4.5, 8.0, 160
"""720 by 1280 pixels: a phone screen held upright."""
COLOURS = ("#4c78a8", "#59a14f")

Series = tuple[str, Sequence[Shown | None]]
"""A label and one figure per place on the axis."""


def _top(series: Sequence[Series]) -> int:
    values = [cell.value or 0 for _, cells in series for cell in cells
              if cell is not None and cell.show in (Show.EXACT, Show.AT_LEAST)]
    return max([SMALL_LIMIT, *values]) + 1


def _panel(ax: Axes, lang: str, title: str, series: Sequence[Series], places: Sequence[str], *,
           horizontal: bool) -> None:
    """Bars for each series side by side; "<5" as a hatched band; the axis of counts in whole
    numbers from 0."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    width = 0.8 / max(1, len(series))
    handles, names = [], []
    for index, ((label, cells), colour) in enumerate(zip(series, COLOURS, strict=False)):
        for place, cell in enumerate(cells):
            _draw(ax, place - 0.4 + width * (index + 0.5), width, cell, colour, horizontal=horizontal)
        handles.append(Patch(color=colour))
        names.append(label)
    handles.append(Patch(facecolor=BAND_FACE, edgecolor=BAND_EDGE, hatch=BAND_HATCH))
    names.append(plain(lang, "insights.chart.small"))
    ax.legend(handles, names, fontsize=8, loc="best")
    ax.set_title(title, fontsize=11, loc="left", parse_math=False)
    counts, positions = (ax.xaxis, ax.yaxis) if horizontal else (ax.yaxis, ax.xaxis)
    counts.set_major_locator(MaxNLocator(integer=True))
    limit = (0, _top(series))
    if horizontal:
        ax.set_xlim(*limit)
        ax.set_yticks(range(len(places)), list(places), fontsize=8)
        ax.invert_yaxis()
    else:
        ax.set_ylim(*limit)
        ax.set_xticks(range(len(places)), list(places), fontsize=8, rotation=45)
    positions.set_tick_params(length=0)


def _draw(ax: Axes, at: float, width: float, cell: Shown | None, colour: str, *,
          horizontal: bool) -> None:
    bar = ax.barh if horizontal else ax.bar
    if cell is None:
        return
    if cell.show in (Show.EXACT, Show.AT_LEAST):
        bar(at, cell.value or 0, width, color=colour)
        if cell.show is Show.AT_LEAST:
            x, y = ((cell.value or 0) + 0.1, at) if horizontal else (at, (cell.value or 0) + 0.1)
            ax.text(x, y, "≥", fontsize=8, ha="left" if horizontal else "center",
                    va="center" if horizontal else "bottom", parse_math=False)
        return
    if cell.show is Show.SMALL:
        bar(at, SMALL_LIMIT, width, facecolor=BAND_FACE, edgecolor=BAND_EDGE, hatch=BAND_HATCH,
            linewidth=0)
        return
    x, y = (0.2, at) if horizontal else (at, 0.2)
    ax.text(x, y, "–", fontsize=9, ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom", parse_math=False)


def _figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _panels(lang: str, items: Sequence[TrendPoint | PeriodFigures]) -> list[tuple[str, list[Series]]]:
    """Help requests, activities and regular neighbours: the same figures for weeks or buildings."""
    name = labels(lang)

    def series(*keys: str) -> list[Series]:
        return [(name[key], [getattr(item, key) for item in items]) for key in keys]

    return [(plain(lang, "insights.chart.requests"), series("asked", "helped")),
            (plain(lang, "insights.chart.activities"), series("activities_held", "came")),
            (plain(lang, "insights.chart.pairs"), series("pairs_new"))]


def _draw_panels(fig: Figure, lang: str, items: Sequence[TrendPoint | PeriodFigures],
                 places: Sequence[str], *, horizontal: bool) -> list[Axes]:
    panels = _panels(lang, items)
    axes = list(fig.subplots(len(panels), 1))
    for ax, (title, series) in zip(axes, panels, strict=True):
        _panel(ax, lang, title, series, places, horizontal=horizontal)
    return axes


def building_chart(lang: str, report: BuildingInsights) -> Figure:
    """The last weeks of one building, each figure exactly as that week's own report shows it."""
    fig = _figure()
    weeks = [f"{p.period.first_day.day}-{p.period.first_day.month}" for p in report.trend]
    axes = _draw_panels(fig, lang, report.trend, weeks, horizontal=False)
    axes[-1].set_xlabel(plain(lang, "insights.chart.weeks"), fontsize=9)
    fig.suptitle(report.title, fontsize=12, parse_math=False)
    fig.tight_layout()
    return fig


def overview_chart(lang: str, view: Overview) -> Figure:
    """The month of every building of a worker, and their total, one bar row each."""
    fig = _figure()
    rows = [(r.title, r.month) for r in view.reports if not r.too_small and r.month is not None]
    if view.total is not None:
        rows.append((plain(lang, "insights.chart.total"), view.total.month))
    _draw_panels(fig, lang, [f for _, f in rows], [title for title, _ in rows], horizontal=True)
    if rows:
        fig.suptitle(period_name(lang, rows[0][1].period).capitalize(), fontsize=12)
    fig.tight_layout()
    return fig


def png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def building_png(lang: str, report: BuildingInsights) -> bytes:
    return png(building_chart(lang, report))


def overview_png(lang: str, view: Overview) -> bytes:
    return png(overview_chart(lang, view))
