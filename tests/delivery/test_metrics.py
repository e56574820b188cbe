"""The outbox figures of /metrics are read from the database when scraped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.metrics import render
from storage.db import Database
from storage.outbox import OutboxStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def sample(text: str, name: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.rpartition(" ")[2])


async def test_outbox_depth_and_oldest_age_as_they_are_at_the_scrape(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "omzien.sqlite3")
    try:
        store = OutboxStore(db)
        empty = (await render(store, NOW)).decode()
        assert sample(empty, "omzien_outbox_pending") == 0
        assert sample(empty, "omzien_outbox_oldest_age_seconds") == 0
        first = await store.add(chat_id=-4001, method="sendMessage", payload="{}", not_before=0,
                                now=NOW - timedelta(seconds=90))
        await store.add(chat_id=4002, method="sendMessage", payload="{}", not_before=0,
                        now=NOW - timedelta(seconds=5))
        busy = (await render(store, NOW)).decode()
        assert sample(busy, "omzien_outbox_pending") == 2
        assert sample(busy, "omzien_outbox_oldest_age_seconds") == 90
        assert first is not None
        await store.settle(first, "sent", None)
        after = (await render(store, NOW)).decode()
        assert sample(after, "omzien_outbox_pending") == 1
        assert sample(after, "omzien_outbox_oldest_age_seconds") == 5
        assert "4001" not in after and "4002" not in after
    finally:
        await db.close()
