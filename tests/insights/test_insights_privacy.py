"""Nothing personal, ever: property-based tests of the figures.

1. Complementary suppression, checked by an independent attacker who enumerates every table
   that fits what is shown: no suppressed count can be pinned to one value. First within one
   table; then across a whole report: a month beside each of its weeks (the chart and the CSV
   show every week, and each week was shown in full in its own report), and two buildings
   beside their combined view (the worker's overview); then a quarter beside its three months
   and all its weeks, as every weekly, monthly and quarterly report and file shows them, by a
   second attacker that searches depth first for another table. The group and the worker see
   the same report, so one view covers both.
2. Buildings full of residents with unique marker names and texts, and random life: no marker
   and no user id appears in any report text, CSV or chart (PNG bytes, metadata included), and
   no count from 1 to 4 is ever shown.
"""

from __future__ import annotations

import asyncio
import csv
import io
import struct
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.config import load_settings
from bot.domain.insights import (
    BuildingInsights,
    PeriodData,
    building_insights,
    combined_insights,
    overview,
)
from bot.domain.month_protection import protect_month, protect_quarter
from bot.domain.period_figures import PeriodFigures, protect
from bot.domain.periods import (
    Period,
    last_full_month,
    month_of,
    months_of,
    quarter_of,
    recent_weeks,
    weeks_of,
)
from bot.domain.raw_figures import RawFigures, month_figures
from bot.domain.shown_figures import SMALL_LIMIT, Show, Shown, exact
from bot.domain.suppression import protect_sums
from bot.services import Services
from handlers.insights.chart import building_png, overview_png
from handlers.insights.data import building_report
from handlers.insights.render import render_building, render_overview
from handlers.insights.table import render_csv
from storage.db import Database
from tests.harness import AMS, TOKEN
from tests.insights.insights_seed import Activity, Idea, Life, Pair, Request, Resident, ensure_building, seed

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
BOUND = 40


# -- 1. an attacker who knows the rules ---------------------------------------------------------


def _domain(shown: Shown | None, bound: int = BOUND) -> set[int]:
    """What a reader who knows the rules can tell from one figure (values up to `bound`)."""
    if shown is None or shown.show is Show.WITHHELD:
        return set(range(bound + 1))
    if shown.show is Show.EXACT:
        assert shown.value is not None
        return {shown.value}
    if shown.show is Show.SMALL:
        return set(range(1, SMALL_LIMIT))
    if shown.show is Show.AT_LEAST:
        assert shown.value is not None
        return set(range(shown.value, bound + 1))
    return {0, *range(SMALL_LIMIT, bound + 1)}


def _sums(domains: list[set[int]]) -> set[int]:
    reach = {0}
    for domain in domains:
        reach = {a + b for a in reach for b in domain if a + b <= BOUND}
    return reach


def attacker(
    total: Shown | None, groups: list[dict[str, Shown]]
) -> tuple[set[int], list[dict[str, set[int]]]]:
    """Every value each count can have in some table that adds up and fits what is shown."""
    sums = [_sums([_domain(c) for c in g.values()]) for g in groups]
    totals = _domain(total)
    for s in sums:
        totals &= s
    found = []
    for index, group in enumerate(groups):
        reach = set(_domain(total))
        for other, s in enumerate(sums):
            if other != index:
                reach &= s
        cells = {}
        for key, cell in group.items():
            rest = _sums([_domain(c) for k, c in group.items() if k != key])
            cells[key] = {x for x in _domain(cell) if any(t - x in rest for t in reach)}
        found.append(cells)
    return totals, found


@st.composite
def partitioned(draw: st.DrawFn) -> tuple[int, list[dict[str, int]]]:
    first = draw(st.lists(st.integers(0, 9), min_size=1, max_size=4))
    total = sum(first)
    groups = [{f"a{i}": v for i, v in enumerate(first)}]
    if draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.integers(0, total), max_size=3)))
        bounds = [0, *cuts, total]
        groups.append({f"b{i}": bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)})
    return total, groups


@settings(max_examples=300, deadline=None)
@given(partitioned())
def test_no_suppressed_count_can_be_worked_out(case: tuple[int, list[dict[str, int]]]) -> None:
    total, groups = case
    shown_total, shown = protect_sums(total, groups)
    # What is shown is true, and every count from 1 to 4 is suppressed.
    for cell in [shown_total, *(c for cells in shown for c in cells.values())]:
        assert cell is not None
        if cell.show is Show.EXACT:
            assert cell.value == 0 or (cell.value or 0) >= SMALL_LIMIT
    for group, cells in zip(groups, shown, strict=True):
        for key, value in group.items():
            assert value in _domain(cells[key])
            if 0 < value < SMALL_LIMIT:
                assert cells[key].show in (Show.SMALL, Show.WITHHELD)
    assert total in _domain(shown_total)
    totals, found = attacker(shown_total, shown)
    assert total in totals
    if shown_total is not None and shown_total.suppressed:
        assert len(totals) > 1
    for group, cells, options in zip(groups, shown, found, strict=True):
        for key, cell in cells.items():
            assert group[key] in options[key]
            if cell.suppressed:
                assert len(options[key]) > 1, f"{key} can be worked out: {groups} shown as {shown}"


# -- 1b. across a report: a month and its weeks, buildings and their sum ------------------------


KINDS = ["groceries", "transport"]
REQUESTS = ("asked", "helped", "expired", "other", "kind:groceries", "kind:transport")
ALONE = ("ideas", "activities_held")
MONTHS = [month_of(date(2026, 10, 1), AMS), month_of(date(2026, 11, 1), AMS)]  # 4 and 5 weeks


@st.composite
def week_raw(draw: st.DrawFn) -> RawFigures:
    helped, expired, other = draw(st.integers(0, 7)), draw(st.integers(0, 2)), draw(st.integers(0, 2))
    asked = helped + expired + other
    groceries = draw(st.integers(0, asked))
    kinds = {"groceries": groceries, "transport": asked - groceries}
    return RawFigures(asked=asked, helped=helped, expired=expired,
                      by_kind={kind: n for kind, n in kinds.items() if n},
                      ideas=draw(st.integers(0, 6)), activities_held=draw(st.integers(0, 6)))


def _cells(figures: PeriodFigures) -> dict[str, Shown]:
    cells = {"asked": figures.asked, "helped": figures.helped, "expired": figures.expired,
             "other": figures.other, "ideas": figures.ideas,
             "activities_held": figures.activities_held}
    cells.update({f"kind:{kind}": figures.by_kind.get(kind, exact(0)) for kind in KINDS})
    return cells


def _counts(raw: RawFigures) -> dict[str, int]:
    counts = {"asked": raw.asked, "helped": raw.helped, "expired": raw.expired, "other": raw.other,
              "ideas": raw.ideas, "activities_held": raw.activities_held}
    counts.update({f"kind:{kind}": raw.by_kind.get(kind, 0) for kind in KINDS})
    return counts


def _report(building_id: int, raws: list[RawFigures], now: datetime) -> BuildingInsights:
    trend = list(zip(recent_weeks(now, AMS), raws, strict=True))
    month = last_full_month(now, AMS)
    month_weeks = trend[-len(weeks_of(month)):]
    month_raw = month_figures(RawFigures(), [raw for _, raw in month_weeks])
    return building_insights(building_id, f"Flat {building_id}", 12, trend[-1], (month, month_raw),
                             month_weeks, trend, KINDS)


def _csv(shown: Shown) -> str:
    return {Show.SMALL: "<5", Show.HIDDEN: "–", Show.WITHHELD: "–"}.get(
        shown.show, f"≥{shown.value}" if shown.show is Show.AT_LEAST else str(shown.value))


def csv_table(data: bytes) -> dict[tuple[str, str, str], set[str]]:
    """(scope, period, figure) -> the values the file shows for it."""
    table: dict[tuple[str, str, str], set[str]] = {}
    for scope, key, _, _, name, value in list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]:
        table.setdefault((scope, key, name), set()).add(value)
    return table


def _shown_over_time(report: BuildingInsights, raws: list[RawFigures],
                     table: dict[tuple[str, str, str], set[str]]) -> list[dict[str, Shown]]:
    """All a reader has of the month and its weeks: this report (its text, and the weekly series
    in its chart and CSV) and each week's own report. Checked to agree with one another."""
    assert report.month is not None and report.week is not None
    weeks = weeks_of(report.month.period)
    week_figures = [protect(week, raw, KINDS) for week, raw in zip(weeks, raws[-len(weeks):], strict=True)]
    assert report.week == week_figures[-1]
    for point, raw in zip(report.trend, raws, strict=True):
        alone = protect(point.period, raw, KINDS)  # as it read in its own report
        assert (point.asked, point.helped) == (alone.asked, alone.helped)
        assert table[(report.title, point.period.key, "help requests")] == {_csv(alone.asked)}
        assert table[(report.title, point.period.key, "helped")] == {_csv(alone.helped)}
    return [_cells(report.month), *(_cells(f) for f in week_figures)]


def _request_rows(cells: dict[str, Shown], bounds: dict[str, int]) -> list[tuple[int, ...]]:
    """Every (asked, helped, expired, other, groceries, transport) of one period that fits what
    it shows and adds up both ways."""
    d = {c: sorted(_domain(cells[c], bounds[c])) for c in REQUESTS}
    asked, transport = set(d["asked"]), set(d["kind:transport"])
    rows: list[tuple[int, ...]] = []
    for helped in d["helped"]:
        for expired in d["expired"]:
            for other in d["other"]:
                total = helped + expired + other
                if total not in asked:
                    continue
                rows.extend((total, helped, expired, other, groceries, total - groceries)
                            for groceries in d["kind:groceries"]
                            if groceries <= total and total - groceries in transport)
    return rows


def _sum_of(options: list[list[tuple[int, ...]]], low: tuple[int, ...], high: tuple[int, ...],
            later: list[list[tuple[int, ...]]]) -> set[tuple[int, ...]]:
    """Every column sum of one row from each list in `options` that, with one row from each list
    in `later` still to come, can still end between `low` and `high`."""
    width = len(low)
    spans = [(min(r[c] for r in rows), max(r[c] for r in rows)) for rows in [*options, *later]
             for c in range(width)]
    rest_low = [sum(spans[w * width + c][0] for w in range(len(options) + len(later))) for c in range(width)]
    rest_high = [sum(spans[w * width + c][1] for w in range(len(options) + len(later))) for c in range(width)]
    reach = {(0,) * width}
    for index, rows in enumerate(options):
        for c in range(width):
            rest_low[c] -= spans[index * width + c][0]
            rest_high[c] -= spans[index * width + c][1]
        reach = {
            total
            for start in reach for row in rows
            for total in (tuple(a + b for a, b in zip(start, row, strict=True)),)
            if all(low[c] <= total[c] + rest_high[c] and total[c] + rest_low[c] <= high[c]
                   for c in range(width))
        }
    return reach


def grid_attack(month: list[set[int]], weeks: list[list[tuple[int, ...]]], small: set[int]
                ) -> tuple[list[set[int]], list[list[set[int]]]]:
    """Every value each figure can take in some set of weeks (each one of its possible rows)
    whose column sums fit the month as shown: each week's; and for the month's columns in
    `small` (its counts from 1 to 4), enough of its values to tell whether there is more than one."""
    width = len(month)
    low, high = tuple(min(v) for v in month), tuple(max(v) for v in month)
    fixed = [c for c in range(width) if low[c] == high[c]]
    month_found: list[set[int]] = [set() for _ in range(width)]
    week_found: list[list[set[int]]] = []
    for index, rows in enumerate(weeks):
        others: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        for total in _sum_of(weeks[:index] + weeks[index + 1:], low, high, [rows]):
            others.setdefault(tuple(total[c] for c in fixed), []).append(total)
        found: list[set[int]] = [set() for _ in range(width)]
        for row in rows:
            for rest in others.get(tuple(low[c] - row[c] for c in fixed), []):
                total = tuple(a + b for a, b in zip(row, rest, strict=True))
                if all(total[c] in month[c] for c in range(width)):
                    for c in range(width):
                        found[c].add(row[c])
                        month_found[c].add(total[c])
                    if index or all(len(month_found[c]) > 1 for c in small):
                        break
        week_found.append(found)
    return month_found, week_found


def attack_report(periods: list[dict[str, Shown]], truth: list[dict[str, int]]) -> list[dict[str, set[int]]]:
    """For the month (first) and each week: every value each figure could have, looking at
    tables where no figure is more than 5 above the real month's total of it (a stricter test
    than an unbounded search: it finds fewer other tables)."""
    bounds = {name: count + SMALL_LIMIT for name, count in truth[0].items()}
    month, *weeks = periods
    found: list[dict[str, set[int]]] = [{} for _ in periods]
    small = {c for c, name in enumerate(REQUESTS) if 0 < truth[0][name] < SMALL_LIMIT}
    month_values, week_values = grid_attack([_domain(month[c], bounds[c]) for c in REQUESTS],
                                            [_request_rows(week, bounds) for week in weeks], small)
    for p, values in enumerate([month_values, *week_values]):
        found[p].update(zip(REQUESTS, values, strict=True))
    for name in ALONE:
        month_values, week_values = grid_attack(
            [_domain(month[name], bounds[name])],
            [[(v,) for v in _domain(w[name], bounds[name])] for w in weeks],
            {0} if 0 < truth[0][name] < SMALL_LIMIT else set())
        for p, values in enumerate([month_values, *week_values]):
            found[p][name] = values[0]
    return found


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MONTHS), st.lists(week_raw(), min_size=12, max_size=12),
       st.lists(week_raw(), min_size=12, max_size=12))
def test_no_suppressed_count_can_be_worked_out_across_a_report(
    month: Period, one: list[RawFigures], two: list[RawFigures]
) -> None:
    now = month.end + timedelta(hours=1)  # the Monday after the month's last week
    reports = [_report(1, one, now), _report(2, two, now)]
    combined = combined_insights(reports)
    assert combined is not None
    table = csv_table(render_csv("en", reports, combined))
    for report, raws in zip(reports, (one, two), strict=True):
        periods = _shown_over_time(report, raws, table)
        weeks = len(periods) - 1
        truth = [_counts(month_figures(RawFigures(), raws[-weeks:])), *map(_counts, raws[-weeks:])]
        found = attack_report(periods, truth)
        for cells, counts, options in zip(periods, truth, found, strict=True):
            for name, cell in cells.items():
                assert counts[name] in _domain(cell, 10**4)  # what is shown is true
                assert counts[name] in options[name] or cells is periods[0]
                if cell.show is Show.EXACT:
                    assert cell.value == 0 or (cell.value or 0) >= SMALL_LIMIT
                if 0 < counts[name] < SMALL_LIMIT:  # so suppressed: it must stay unknown
                    assert cell.suppressed and len(options[name]) > 1, f"{name}: {periods}"
    # The combined view holds for every value the buildings' own figures allow, so it narrows
    # nothing down: it can tell no more than they do.
    for figures, parts in ((combined.month, [r.month for r in reports]),
                           (combined.week, [r.week for r in reports])):
        a, b = (_cells(part) for part in parts if part is not None)
        for name, cell in _cells(figures).items():
            allowed = _domain(cell, 10**3)
            assert all(x + y in allowed for x in _domain(a[name], 60) for y in _domain(b[name], 60)), name
            if cell.show is Show.EXACT:
                assert cell.value == 0 or (cell.value or 0) >= SMALL_LIMIT


# -- 2. markers never leak ----------------------------------------------------------------------


def _png_chunks(data: bytes) -> list[bytes]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        chunks.append(data[at + 4:at + 8])
        at += 12 + length
    return chunks


marker = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=8, max_size=12).map(lambda s: f"Mrk{s}")


@st.composite
def building_life(draw: st.DrawFn, *, busy: bool) -> tuple[Life, list[str]]:
    """A building's residents and life; in a busy one every resident asked at least once."""
    count = draw(st.integers(10, 16) if busy else st.integers(3, 16))
    ids = draw(st.lists(st.integers(10**9, 10**10), min_size=count, max_size=count, unique=True))
    names = draw(st.lists(marker, min_size=count, max_size=count, unique=True))
    langs = draw(st.lists(st.sampled_from(["nl", "tr", "pl", "uk", "en", "ar"]), min_size=count,
                          max_size=count))
    people = [Resident(i, n, lang) for i, n, lang in zip(ids, names, langs, strict=True)]
    texts: list[str] = []

    def moment() -> datetime:
        return NOW - timedelta(minutes=draw(st.integers(60, 14 * 7 * 24 * 60)))

    def text() -> str:
        found = draw(marker)
        texts.append(found)
        return found

    requests = []
    askers = list(ids) if busy else []
    askers += draw(st.lists(st.sampled_from(ids), max_size=30))
    for asker in askers:
        helper = draw(st.sampled_from(ids))
        requests.append(Request(
            requester=asker, created_at=moment(), text=text(),
            kind=draw(st.sampled_from(["groceries", "transport", "chore", "company", "other"])),
            helper=helper if helper != asker else None,
            claimed_after=timedelta(minutes=draw(st.integers(1, 3000))),
            status=draw(st.sampled_from(["open", "claimed", "done", "expired", "cancelled"])),
        ))
    activities = [
        Activity(organiser=draw(st.sampled_from(ids)), organiser_name=draw(st.sampled_from(names)),
                 title=text(), place=text(), description=text(), starts_at=moment(),
                 going=draw(st.lists(st.sampled_from(ids), unique=True, max_size=count)))
        for _ in range(draw(st.integers(0, 6)))
    ]
    ideas = [
        Idea(proposer=draw(st.sampled_from(ids)), proposer_name=draw(st.sampled_from(names)),
             text=text(), created_at=moment(),
             joiners=draw(st.lists(st.sampled_from(ids), unique=True, max_size=5)))
        for _ in range(draw(st.integers(0, 4)))
    ]
    pairs = [
        Pair(resident=draw(st.sampled_from(ids)), helper=draw(st.sampled_from(ids)),
             paired_at=NOW - timedelta(days=draw(st.integers(1, 200))), stage=draw(st.integers(0, 3)))
        for _ in range(draw(st.integers(0, 6)))
    ]
    life = Life(residents=people, requests=requests, activities=activities, ideas=ideas, pairs=pairs)
    return life, [*names, *texts, *(str(i) for i in ids)]


async def _reports(life: Life, other: Life, directory: Path) -> list[tuple[str, bytes]]:
    db = await Database.open(":memory:")
    try:
        svc = Services.create(
            load_settings(_env_file=None, bot_token=TOKEN, database=directory / "omzien.sqlite3"),
            FakeClock(NOW), db,
        )
        outputs: list[tuple[str, bytes]] = []
        reports = []
        for building_id, title, content in ((-100, "Flat Een", life), (-200, "Flat Twee", other)):
            await ensure_building(db, building_id, title, NOW - timedelta(days=400))
            await seed(db, building_id, content, NOW - timedelta(days=400))
            building = await svc.buildings.get(building_id)
            assert building is not None
            reports.append(await building_report(svc, building, NOW))
        combined = combined_insights(reports)
        for lang in ("nl", "en"):
            outputs += [(f"text {lang}", render_building(lang, r).encode()) for r in reports]
            outputs.append((f"csv {lang}", render_csv(lang, reports, combined)))
            outputs.append((f"overview {lang}", render_overview(lang, overview(reports)).encode()))
        outputs.append(("chart", building_png("nl", reports[0])))  # the busy one always has one
        outputs.append(("chart", overview_png("nl", overview(reports))))
        return outputs
    finally:
        await db.close()


COUNT_FIGURES = ("helped (%)", "took part (%)", "half had a helper within (minutes)",
                 "geholpen (%)", "deden mee (%)", "de helft had een helper binnen (minuten)")


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(building_life(busy=True), building_life(busy=False))
def test_no_marker_nor_user_id_in_any_report(one: tuple[Life, list[str]],
                                             two: tuple[Life, list[str]]) -> None:
    secrets = [*one[1], *two[1]]
    with tempfile.TemporaryDirectory() as directory:
        outputs = asyncio.run(_reports(one[0], two[0], Path(directory)))
    assert b"Flat Een" in outputs[0][1] and b"Nog geen cijfers" not in outputs[0][1]
    for what, data in outputs:
        lowered = data.lower()
        for secret in secrets:
            assert secret.lower().encode() not in lowered, f"{secret!r} found in {what}"
        if what == "chart":
            text_chunks = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"}
            assert not text_chunks & set(_png_chunks(data)), "the chart carries metadata"
        if what.startswith("csv"):
            for (_, _, name), values in csv_table(data).items():
                for value in values:
                    if name not in COUNT_FIGURES and value.isdigit():
                        assert int(value) == 0 or int(value) >= SMALL_LIMIT, (name, value)


# -- 3. the worker's own data -------------------------------------------------------------------


async def test_worker_data_is_exported_forgotten_and_expired() -> None:
    from storage.insight_workers import WorkerStore

    db = await Database.open(":memory:")
    try:
        await ensure_building(db, -100, "Flat Een", NOW)
        store = WorkerStore(db)
        await store.start_draft(42, -100, NOW)
        assert await store.set_draft_name(42, "Sanne Visser")
        finished = await store.finish(42, "Wijkteam Noord", NOW, threshold=2)
        assert finished is not None
        consent, created = finished
        assert created and consent.name == "Sanne Visser" and consent.status.value == "proposed"
        assert await store.finish(42, "again", NOW, threshold=2) is None  # the draft is used up
        # A resident's objection is theirs: exported, and forgotten with them.
        assert await store.object(consent, 7, NOW)
        assert not await store.object(consent, 7, NOW)
        mine = await store.export(7)
        assert mine["your_objections"][0]["worker"] == "Sanne Visser"
        await store.forget(7, NOW)
        assert await store.objections(consent.id) == 0
        exported = await store.export(42)
        assert exported["figures_shared_with_you"][0]["organisation"] == "Wijkteam Noord"
        assert exported["figures_shared_with_you"][0]["group"] == "Flat Een"

        stopped = await store.forget(42, NOW)
        assert [c.id for c in stopped] == [consent.id]
        assert await store.live_of(42) == []
        gone = await store.get(consent.id)
        assert gone is not None and gone.name == "" and gone.organisation == ""
        assert gone.status.value == "stopped"

        await store.start_draft(43, -100, NOW)
        await store.set_draft_name(43, "Piet")
        other = await store.finish(43, "Buurtteam", NOW, threshold=2)
        assert other is not None
        assert await store.object(other[0], 8, NOW)
        assert await store.stop(other[0].id, -999, NOW) is False  # another group's stop: nothing
        assert await store.stop(other[0].id, -100, NOW)
        assert await store.expire(NOW + timedelta(days=1)) == 2  # the name, and the objection
        erased = await store.get(other[0].id)
        assert erased is not None and erased.name == ""
    finally:
        await db.close()


# -- 1c. a quarter beside its months and weeks, in every report and file -------------------------


Key = tuple[int, str]
"""(period, figure): period 0 is the quarter, 1-3 its months, then its weeks."""
Q3 = quarter_of(date(2026, 7, 1), AMS)


class _TooLong(Exception):
    pass


def _values(shown: Shown, bound: int) -> set[int]:
    """What a reader who knows the rules can tell from one figure, up to `bound`."""
    if shown.show is Show.EXACT:
        return {shown.value or 0}
    if shown.show is Show.SMALL:
        return set(range(1, SMALL_LIMIT))
    if shown.show is Show.AT_LEAST:
        return set(range(shown.value or 0, bound + 1))
    if shown.show is Show.HIDDEN:
        return {0, *range(SMALL_LIMIT, bound + 1)}
    return set(range(bound + 1))


def _narrowed(domains: dict[Key, set[int]], sums: list[tuple[Key, list[Key]]]) -> bool:
    """Keep, for every count, only values its sums' bounds allow; False when none is left."""
    touching: dict[Key, list[int]] = {}
    for index, (total, parts) in enumerate(sums):
        for key in (total, *parts):
            touching.setdefault(key, []).append(index)
    low = {key: min(values) for key, values in domains.items()}
    high = {key: max(values) for key, values in domains.items()}
    pending = list(range(len(sums)))
    waiting = set(pending)
    while pending:
        index = pending.pop()
        waiting.discard(index)
        total, parts = sums[index]
        lo_sum = sum(low[p] for p in parts)
        hi_sum = sum(high[p] for p in parts)
        allowed = [(total, lo_sum, hi_sum)]
        allowed += [(p, low[total] - (hi_sum - high[p]), high[total] - (lo_sum - low[p])) for p in parts]
        for key, lo, hi in allowed:
            if low[key] >= lo and high[key] <= hi:
                continue
            kept = {v for v in domains[key] if lo <= v <= hi}
            if not kept:
                return False
            domains[key], low[key], high[key] = kept, min(kept), max(kept)
            for other in touching[key]:
                if other not in waiting:
                    waiting.add(other)
                    pending.append(other)
    return True


def _table_exists(domains: dict[Key, set[int]], sums: list[tuple[Key, list[Key]]],
                  truth: dict[Key, int], steps: list[int]) -> bool:
    """Depth first: is there a table with every count in its domain and every sum right?"""
    steps[0] -= 1
    if steps[0] < 0:
        raise _TooLong
    if not _narrowed(domains, sums):
        return False
    open_ = [k for k, values in domains.items() if len(values) > 1]
    if not open_:
        return all(next(iter(domains[t])) == sum(next(iter(domains[p])) for p in parts)
                   for t, parts in sums)
    key = min(open_, key=lambda k: len(domains[k]))
    for value in sorted(domains[key], key=lambda v: abs(v - truth[key])):
        trial = dict(domains)
        trial[key] = {value}
        if _table_exists(trial, sums, truth, steps):
            return True
    return False


def pinned(cells: dict[Key, Shown], truth: dict[Key, int], sums: list[tuple[Key, list[Key]]]
           ) -> list[Key]:
    """Every count from 1 to 4 that no other table fitting everything shown gives another value."""
    bound = 2 * max(truth.values(), default=0) + 2 * SMALL_LIMIT
    domains = {key: _values(shown, bound) for key, shown in cells.items()}
    found = []
    for key, count in truth.items():
        if not 0 < count < SMALL_LIMIT:
            continue
        trial = dict(domains)
        trial[key] = domains[key] - {count}
        if not trial[key] or not _table_exists(trial, sums, truth, [20000]):
            found.append(key)
    return found


def _quarter_sums(columns: tuple[str, ...], rows: bool, weeks_per_month: list[int]
                  ) -> list[tuple[Key, list[Key]]]:
    periods = 1 + len(weeks_per_month) + sum(weeks_per_month)
    sums: list[tuple[Key, list[Key]]] = []
    if rows:
        for p in range(periods):
            sums.append(((p, "asked"), [(p, "helped"), (p, "expired"), (p, "other")]))
            sums.append(((p, "asked"), [(p, f"kind:{kind}") for kind in KINDS]))
    first = 1 + len(weeks_per_month)
    for c in columns:
        sums.append(((0, c), [(m, c) for m in range(1, first)]))
        for m, count in enumerate(weeks_per_month, start=1):
            sums.append(((m, c), [(w, c) for w in range(first, first + count)]))
            first += count
        first = 1 + len(weeks_per_month)
    return sums


@st.composite
def small_week(draw: st.DrawFn) -> RawFigures:
    helped, expired, other = draw(st.integers(0, 3)), draw(st.integers(0, 1)), draw(st.integers(0, 1))
    asked = helped + expired + other
    groceries = draw(st.integers(0, asked))
    kinds = {"groceries": groceries, "transport": asked - groceries}
    return RawFigures(asked=asked, helped=helped, expired=expired,
                      by_kind={kind: n for kind, n in kinds.items() if n},
                      ideas=draw(st.integers(0, 2)), activities_held=draw(st.integers(0, 3)))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(small_week(), min_size=13, max_size=13))
def test_no_count_from_1_to_4_can_be_worked_out_from_weeks_months_and_the_quarter(
    raws: list[RawFigures],
) -> None:
    """A small building: every week, every month and the quarter as each report and file shows
    them (the quarter only beside its months and weeks), for the group and the worker alike."""
    months = months_of(Q3)
    weeks = [weeks_of(month) for month in months]
    assert sum(map(len, weeks)) == 13
    week_raws, at = [], 0
    for month_weeks in weeks:
        week_raws.append(raws[at:at + len(month_weeks)])
        at += len(month_weeks)
    week_shown = [[protect(w, raw, KINDS) for w, raw in zip(ws, rs, strict=True)]
                  for ws, rs in zip(weeks, week_raws, strict=True)]
    month_raws = [month_figures(RawFigures(), rs) for rs in week_raws]
    month_shown = [protect_month(protect(m, raw, KINDS), raw, list(zip(ws, rs, strict=True)))
                   for m, raw, ws, rs in zip(months, month_raws, week_shown, week_raws, strict=True)]
    quarter_raw = month_figures(RawFigures(), raws)
    quarter = protect_quarter(protect(Q3, quarter_raw, KINDS), quarter_raw,
                              list(zip(month_shown, month_raws, strict=True)),
                              [list(zip(ws, rs, strict=True))
                               for ws, rs in zip(week_shown, week_raws, strict=True)])

    # The same figures are what the building's report shows, to its group and its workers.
    now = Q3.end + timedelta(hours=1)
    data = PeriodData(period=Q3, raw=quarter_raw, parts=[
        PeriodData(period=m, raw=raw,
                   parts=[PeriodData(period=w, raw=r) for w, r in zip(ws, rs, strict=True)])
        for m, raw, ws, rs in zip(months, month_raws, weeks, week_raws, strict=True)])
    trend = list(zip(recent_weeks(now, AMS), raws[1:], strict=True))
    report = building_insights(1, "Flat 1", 12, trend[-1], (months[-1], month_raws[-1]),
                               list(zip(weeks[-1], week_raws[-1], strict=True)), trend, KINDS, data)
    assert report.month == month_shown[-1]
    assert report.quarter in (None, quarter)
    table = csv_table(render_csv("en", [report]))
    for f in [report.week, report.month, report.quarter]:
        if f is not None:
            assert table[("Flat 1", f.period.key, "help requests")] == {_csv(f.asked)}
    for (_, _, name), values in table.items():
        assert not any(v.isdigit() and 0 < int(v) < SMALL_LIMIT for v in values), name

    periods = [quarter, *month_shown, *(f for ws in week_shown for f in ws)]
    counts = [quarter_raw, *month_raws, *raws]
    per_month = [len(ws) for ws in weeks]
    cells = {(p, c): shown for p, f in enumerate(periods) for c, shown in _cells(f).items()}
    truth = {(p, c): n for p, raw in enumerate(counts) for c, n in _counts(raw).items()}
    for key, shown in cells.items():
        assert truth[key] in _values(shown, 10**4), key  # what is shown is true
        if 0 < truth[key] < SMALL_LIMIT:
            assert shown.suppressed, key
    requests = {k: v for k, v in cells.items() if k[1] in REQUESTS}
    leaks = pinned(requests, {k: truth[k] for k in requests},
                   _quarter_sums(REQUESTS, True, per_month))
    for name in ALONE:
        alone = {k: v for k, v in cells.items() if k[1] == name}
        leaks += pinned(alone, {k: truth[k] for k in alone}, _quarter_sums((name,), False, per_month))
    assert leaks == [], f"worked out: {leaks}"
