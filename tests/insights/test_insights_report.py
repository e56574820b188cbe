"""The figures' plain rules and words, without Telegram: quarters, the group's consent, the
headline, the file in the reader's language, and the chart's drawing of small numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from bot.domain.insights import BuildingInsights, PeriodData, building_insights, overview
from bot.domain.period_figures import protect, says_little
from bot.domain.periods import (
    Period,
    PeriodKind,
    last_full_month,
    last_full_quarter,
    last_full_week,
    month_of,
    months_of,
    quarter_of,
    recent_weeks,
    weeks_of,
)
from bot.domain.raw_figures import RawFigures, month_figures
from bot.domain.shown_figures import SMALL_LIMIT, Show, exact
from bot.domain.worker_consent import (
    ConsentStatus,
    access_from,
    after_objection,
    default_threshold,
    objection_threshold,
    outcome,
)
from handlers.insights.chart import BAND_HATCH, overview_chart
from handlers.insights.labels import period_label
from handlers.insights.render import headline, render_building
from handlers.insights.table import render_csv
from tests.harness import AMS

KINDS = ["groceries", "transport"]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


# -- quarters -----------------------------------------------------------------------------------


def test_a_quarter_is_its_three_months_of_whole_weeks() -> None:
    q3 = quarter_of(date(2026, 8, 15), AMS)
    assert q3.kind is PeriodKind.QUARTER and q3.key == "2026-Q3"
    assert [m.key for m in months_of(q3)] == ["2026-07", "2026-08", "2026-09"]
    assert q3.start == months_of(q3)[0].start and q3.end == months_of(q3)[-1].end
    assert len(weeks_of(q3)) == sum(len(weeks_of(m)) for m in months_of(q3)) == 13
    assert period_label("nl", q3) == "Kwartaal: juli–september 2026 (weken 28–40: 6 jul – 4 okt 2026)"
    # The last full quarter is over only when its last week is.
    assert last_full_quarter(NOW, AMS).key == "2026-Q3"
    assert last_full_quarter(datetime(2026, 10, 4, 20, 0, tzinfo=AMS), AMS).key == "2026-Q2"
    assert last_full_quarter(datetime(2026, 10, 5, 0, 30, tzinfo=AMS), AMS).key == "2026-Q3"
    assert last_full_quarter(datetime(2027, 1, 4, 9, 0, tzinfo=AMS), AMS).key == "2026-Q4"


def _data(counts: list[int]) -> tuple[PeriodData, PeriodData]:
    """Q3 with these requests a week (all helped), and October after it."""
    def raw(n: int) -> RawFigures:
        return RawFigures(asked=n, helped=n, by_kind={"groceries": n} if n else {})

    weeks = iter(counts)

    def month(period: Period) -> PeriodData:
        parts = [PeriodData(period=w, raw=raw(next(weeks))) for w in weeks_of(period)]
        return PeriodData(period=period, raw=month_figures(RawFigures(), [p.raw for p in parts]),
                          parts=parts)

    months = [month(m) for m in months_of(quarter_of(date(2026, 7, 1), AMS))]
    quarter = PeriodData(period=quarter_of(date(2026, 7, 1), AMS),
                         raw=month_figures(RawFigures(), [w.raw for m in months for w in m.parts]),
                         parts=months)
    return quarter, month(month_of(date(2026, 10, 1), AMS))


def test_a_small_building_shows_its_quarter_when_the_month_says_little() -> None:
    counts = [1, 2, 1, 0, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 1, 1, 0]  # the quarter, then October
    quarter, october = _data(counts)
    week = last_full_week(NOW, AMS)
    trend = [(w, RawFigures()) for w in recent_weeks(NOW, AMS)]
    report = building_insights(1, "Flat", 6, (week, RawFigures()), (october.period, october.raw),
                               [(p.period, p.raw) for p in october.parts], trend, KINDS, quarter)
    assert report.month is not None and says_little(report.month)
    assert report.quarter is not None and report.quarter.asked == exact(11)
    assert report.main is report.quarter
    text = render_building("nl", report)
    assert text.index("Juli–september 2026: 11 hulpvragen, 11 geholpen.") < text.index("Kwartaal:")
    assert text.index("Kwartaal:") < text.index("Maand:") < text.index("Week")
    # A month that says something needs no quarter.
    busy = [5] * 13 + [6] * 4
    quarter, october = _data(busy)
    report = building_insights(1, "Flat", 6, (week, RawFigures()), (october.period, october.raw),
                               [(p.period, p.raw) for p in october.parts], trend, KINDS, quarter)
    assert report.quarter is None and report.main is report.month


# -- the group's consent ------------------------------------------------------------------------


def test_by_default_3_objections_or_a_quarter_of_the_residents_stop_a_proposal() -> None:
    assert [default_threshold(n) for n in (0, 1, 4, 5, 8, 9, 12, 13, 40)] == [1, 1, 1, 2, 2, 3, 3, 3, 3]
    assert objection_threshold(None, 8) == 2
    assert objection_threshold(5, 8) == 5  # the admins' choice


def test_access_starts_after_seven_days_unless_enough_objected_or_the_group_never_saw_it() -> None:
    assert access_from(NOW) == NOW + timedelta(days=7)
    assert outcome(1, 2, seen_by_group=True) is ConsentStatus.ACTIVE
    assert outcome(2, 2, seen_by_group=True) is ConsentStatus.DECLINED
    assert outcome(0, 2, seen_by_group=False) is ConsentStatus.DECLINED


def test_an_objection_stops_a_proposal_at_the_threshold_and_pauses_access_at_once() -> None:
    assert after_objection(ConsentStatus.PROPOSED, 1, 2) is ConsentStatus.PROPOSED
    assert after_objection(ConsentStatus.PROPOSED, 2, 2) is ConsentStatus.DECLINED
    assert after_objection(ConsentStatus.ACTIVE, 1, 3) is ConsentStatus.PAUSED
    assert after_objection(ConsentStatus.PAUSED, 2, 3) is ConsentStatus.PAUSED


# -- words --------------------------------------------------------------------------------------


def _building(building_id: int, title: str, raw: RawFigures,
              october: list[RawFigures] | None = None) -> BuildingInsights:
    """A building with `raw` last week and in every week of October (or `october`'s weeks)."""
    week, month = last_full_week(NOW, AMS), last_full_month(NOW, AMS)
    raws = october or [raw] * len(weeks_of(month))
    weeks = list(zip(weeks_of(month), raws, strict=True))
    return building_insights(building_id, title, 12, (week, raw), (month, month_figures(raw, raws)),
                             weeks, [(week, raw)], KINDS)


def test_the_headline_says_it_in_words_and_the_file_in_the_readers_language() -> None:
    raw = RawFigures(asked=12, helped=7, expired=5, by_kind={"groceries": 12}, activities_held=6,
                     came=31, participants=8, members=14)
    figures = protect(last_full_week(NOW, AMS), raw, KINDS)
    assert headline("nl", figures) == ("<b>Week 47: 12 hulpvragen, 7 geholpen. 6 activiteiten, "
                                       "31 keer kwam iemand.</b>")
    assert headline("nl", protect(figures.period, RawFigures(asked=3, by_kind={"chore": 3}), KINDS)) \
        == "<b>Week 47: &lt;5 hulpvragen, 0 geholpen. 0 activiteiten, 0 keer kwam iemand.</b>"
    report = _building(1, "Flat Een", raw)
    text = render_building("nl", report)
    assert "Buren in de groep 14 · deden mee 8 (57%)" in text
    legend = text.rsplit("\n\n", 1)[1]
    assert "\n" not in legend and legend.startswith("&lt;5 is 1 tot 4")
    for lang, header, asked in (("nl", ["groep", "periode", "van", "tot en met", "cijfer", "aantal"],
                                 "hulpvragen"),
                                ("en", ["group", "period", "from", "to", "figure", "number"],
                                 "help requests")):
        found = list(csv.reader(io.StringIO(render_csv(lang, [report]).decode("utf-8-sig"))))
        assert found[0] == header
        assert ["Flat Een", "2026-W47", "2026-11-16", "2026-11-22", asked, "12"] in found
        names = {row[4] for row in found[1:] if row[5]}
        assert all(name in render_building(lang, report).lower()
                   or name.split(" (")[0] in render_building(lang, report).lower()
                   for name in names if not name.startswith(asked + ":")), names


def test_the_overview_chart_draws_each_building_and_the_total_with_bands_for_small_numbers() -> None:
    big = RawFigures(asked=20, helped=15, expired=5, by_kind={"groceries": 20}, activities_held=6,
                     came=30)
    small = [RawFigures(asked=n, helped=n, by_kind={"groceries": n} if n else {}) for n in (1, 0, 2, 0)]
    view = overview([_building(1, "Flat Een", big), _building(2, "Flat Twee", small[0], small)])
    assert view.total is not None
    months = [r.month for r in view.reports] + [view.total.month]
    cells = [cell for f in months if f is not None for cell in (f.asked, f.helped)]
    assert any(cell.show is Show.SMALL for cell in cells)
    figure = overview_chart("nl", view)
    requests = figure.axes[0]
    assert [label.get_text() for label in requests.get_yticklabels()] == ["Flat Een", "Flat Twee",
                                                                          "Samen"]
    bands = [p for p in requests.patches if p.get_hatch() == BAND_HATCH]
    assert len(bands) == sum(cell.show is Show.SMALL for cell in cells)
    assert all(p.get_width() == SMALL_LIMIT and p.get_x() == 0 for p in bands)
    bars = sorted(p.get_width() for p in requests.patches if p.get_hatch() != BAND_HATCH)
    assert bars == sorted(float(cell.value or 0) for cell in cells
                          if cell.show in (Show.EXACT, Show.AT_LEAST))
    figure.canvas.draw()
    assert all(float(tick).is_integer() for tick in requests.get_xticks())
    assert [text.get_text() for text in requests.texts if text.get_text() != "≥"] \
        == ["–"] * sum(cell.show in (Show.HIDDEN, Show.WITHHELD) for cell in cells)
