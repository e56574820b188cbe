"""Nothing personal, ever: property-based tests of the figures.

1. Complementary suppression, checked by an independent attacker who enumerates every table
   that fits what is shown: no suppressed count can be pinned to one value.
2. Buildings full of residents with unique marker names and texts, and random life: no marker
   and no user id appears in any report text, CSV or chart (PNG bytes, metadata included), and
   no count from 1 to 4 is ever shown.
"""

from __future__ import annotations

import asyncio
import struct
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.config import load_settings
from bot.domain.insights import SMALL_LIMIT, Show, Shown, combined_insights, protect_sums
from bot.domain.insights_render import render_building, render_chart, render_combined, render_csv
from bot.services import Services
from handlers.insights import building_report
from storage.db import Database
from tests.harness import TOKEN
from tests.insights_seed import Activity, Idea, Life, Pair, Request, Resident, ensure_building, seed

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
BOUND = 40


# -- 1. an attacker who knows the rules ---------------------------------------------------------


def _domain(shown: Shown | None) -> set[int]:
    if shown is None:
        return set(range(BOUND + 1))
    if shown.show is Show.EXACT:
        assert shown.value is not None
        return {shown.value}
    if shown.show is Show.SMALL:
        return set(range(1, SMALL_LIMIT))
    if shown.show is Show.WITHHELD:
        return set(range(BOUND + 1))
    return {0, *range(SMALL_LIMIT, BOUND + 1)}


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
    for raw, cells in ((total, {"total": shown_total}), *zip([0] * len(groups), shown, strict=True)):
        del raw
        for cell in cells.values():
            assert cell is not None
            if cell.show is Show.EXACT:
                assert cell.value == 0 or cell.value >= SMALL_LIMIT
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
            if combined is not None:
                outputs.append((f"combined {lang}", render_combined(lang, combined).encode()))
        outputs.append(("chart", render_chart("nl", reports[0])))  # the busy one always has one
        return outputs
    finally:
        await db.close()


COUNT_FIGURES = ("share_helped_percent", "median_minutes_to_helper")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(building_life(busy=True), building_life(busy=False))
def test_no_marker_nor_user_id_in_any_report(one: tuple[Life, list[str]],
                                             two: tuple[Life, list[str]]) -> None:
    secrets = [*one[1], *two[1]]
    with tempfile.TemporaryDirectory() as directory:
        outputs = asyncio.run(_reports(one[0], two[0], Path(directory)))
    assert b"Flat Een" in outputs[0][1] and b"Te klein" not in outputs[0][1]
    for what, data in outputs:
        lowered = data.lower()
        for secret in secrets:
            assert secret.lower().encode() not in lowered, f"{secret!r} found in {what}"
        if what == "chart":
            text_chunks = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"}
            assert not text_chunks & set(_png_chunks(data)), "the chart carries metadata"
        if what.startswith("csv"):
            for line in data.decode().splitlines()[1:]:
                *_, name, value = line.split(",")
                if name not in COUNT_FIGURES and value.isdigit():
                    assert int(value) == 0 or int(value) >= SMALL_LIMIT, line


# -- 3. the worker's own data -------------------------------------------------------------------


async def test_worker_data_is_exported_forgotten_and_expired() -> None:
    from storage.insights import WorkerStore

    db = await Database.open(":memory:")
    try:
        await ensure_building(db, -100, "Flat Een", NOW)
        store = WorkerStore(db)
        await store.start_draft(42, -100, NOW)
        assert await store.set_draft_name(42, "Sanne Visser")
        consent = await store.finish(42, "Wijkteam Noord", NOW)
        assert consent is not None and consent.name == "Sanne Visser"
        assert await store.finish(42, "again", NOW) is None  # the draft is used up
        exported = await store.export(42)
        assert exported["figures_shared_with_you"][0]["organisation"] == "Wijkteam Noord"
        assert exported["figures_shared_with_you"][0]["group"] == "Flat Een"

        stopped = await store.forget(42, NOW)
        assert [c.id for c in stopped] == [consent.id]
        assert await store.active_of(42) == []
        gone = await store.get(consent.id)
        assert gone is not None and gone.name == "" and gone.organisation == ""

        await store.start_draft(43, -100, NOW)
        await store.set_draft_name(43, "Piet")
        other = await store.finish(43, "Buurtteam", NOW)
        assert other is not None
        assert await store.stop(other.id, -999, NOW) is False  # another group's stop: nothing
        assert await store.stop(other.id, -100, NOW)
        assert await store.expire(NOW + timedelta(days=1)) == 1
        erased = await store.get(other.id)
        assert erased is not None and erased.name == ""
    finally:
        await db.close()
