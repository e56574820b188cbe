"""The figures as a message: a headline in words first, then each period's figures, then the
legend in one line.

Everything here reads only the safe figures (`PeriodFigures`), never raw counts, so what is
rendered cannot hold more than the rules in `bot.domain.insights` allow. The words are those of
`labels`, which the file uses too.
"""

from __future__ import annotations

import html

from bot.domain.insights import BuildingInsights, Overview
from bot.domain.period_figures import PeriodFigures
from bot.domain.shown_figures import Shown
from bot.i18n import Safe, t, tn
from handlers.insights.labels import (
    duration,
    figure,
    kind_name,
    labels,
    period_label,
    period_name,
)


def _line(items: list[tuple[str, str]]) -> str:
    """"Hulpvragen 12 · geholpen 9 (75%)": labels escaped, the first one capitalised."""
    text = " · ".join(f"{html.escape(label)} {html.escape(value)}" for label, value in items)
    return text[:1].upper() + text[1:]


def _with_share(value: str, percent: int | None) -> str:
    return value if percent is None else f"{value} ({percent}%)"


def headline(lang: str, f: PeriodFigures) -> str:
    """"Oktober 2026: 9 hulpvragen, 7 geholpen. 4 activiteiten, 31 keer kwam iemand."."""
    def part(key: str, shown: Shown | None) -> Safe:
        return Safe(_plural_figure(lang, f"insights.headline.{key}", shown))

    return t(lang, "insights.headline", period=period_name(lang, f.period).capitalize(),
             asked=part("asked", f.asked), helped=part("helped", f.helped),
             held=part("held", f.activities_held), came=part("came", f.came))


def _plural_figure(lang: str, key: str, shown: Shown | None) -> str:
    """A figure with its noun ("9 hulpvragen"); a figure shown as "<5" or "–" takes the noun's
    form for five."""
    value = shown.value if shown is not None and shown.value is not None else 5
    return tn(lang, key, value, count=figure(shown))


def render_period(lang: str, f: PeriodFigures) -> str:
    """One period's figures as HTML lines."""
    name = labels(lang)
    lines = [f"<b>{html.escape(period_label(lang, f.period))}</b>", _line([
        (name["asked"], figure(f.asked)),
        (name["helped"], _with_share(figure(f.helped), f.share_helped)),
        (name["expired"], figure(f.expired)),
        (name["other"], figure(f.other)),
    ])]
    if f.median_wait_minutes is not None:
        lines.append(t(lang, "insights.median", time=duration(lang, f.median_wait_minutes)))
    if any(not cell.suppressed for cell in f.by_kind.values()):
        kinds = " · ".join(f"{kind_name(lang, kind)} {figure(cell)}" for kind, cell in f.by_kind.items())
        lines.append(t(lang, "insights.kinds", kinds=kinds))
    people: list[tuple[str, str]] = []
    if f.members is not None and f.participants is not None:
        people += [(name["members"], figure(f.members)),
                   (name["participants"], _with_share(figure(f.participants), f.share_taking_part))]
    people += [(name["askers"], figure(f.askers)), (name["helpers"], figure(f.helpers))]
    if f.lasting_helpers is not None:
        people.append((name["lasting_helpers"], figure(f.lasting_helpers)))
    lines.append(_line(people))
    if f.pairs_new is not None:
        lines.append(_line([(name["pairs_new"], figure(f.pairs_new)),
                            (name["pairs_lasting"], figure(f.pairs_lasting)),
                            (name["pairs_third_cup"], figure(f.pairs_third_cup))]))
    lines.append(_line([(name["activities_held"], figure(f.activities_held)),
                        (name["came"], figure(f.came))]))
    lines.append(_line([(name["ideas"], figure(f.ideas)),
                        (name["ideas_converted"], figure(f.ideas_converted))]))
    return "\n".join(lines)


def render_building(lang: str, report: BuildingInsights) -> str:
    """The message about one building: the same for its group and for its workers."""
    title = t(lang, "insights.building.title", building=report.title)
    main = report.main
    if report.too_small or report.week is None or report.month is None or main is None:
        return f"{title}\n{t(lang, 'insights.too_small')}"
    periods = [report.quarter, report.month, report.week]
    parts = [title, headline(lang, main)]
    parts += [render_period(lang, f) for f in periods if f is not None]
    parts.append(t(lang, "insights.legend"))
    return "\n\n".join(parts)


def render_overview(lang: str, view: Overview) -> str:
    """A worker's buildings in one message: each building's month in one line, then the total."""
    lines = [tn(lang, "insights.overview.title", len(view.reports))]
    for report in view.reports:
        if report.too_small or report.month is None:
            lines.append(t(lang, "insights.overview.too_small", building=report.title))
            continue
        lines.append(t(lang, "insights.overview.building", building=report.title,
                       figures=Safe(headline(lang, report.month))))
    if view.total is not None:
        lines.append(tn(lang, "insights.overview.total", view.total.buildings,
                       figures=Safe(headline(lang, view.total.month))))
    return "\n\n".join([*lines, t(lang, "insights.overview.more"), t(lang, "insights.legend")])
