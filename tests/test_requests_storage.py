"""Request storage: one winner per claim, a draft posts once, texts can be erased."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.requests import DraftStep, RequestDraft, RequestKind, RequestStatus, When, WhenKind
from storage.community import BuildingStore
from storage.db import Database
from storage.request_controls import Role
from storage.requests import RequestStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GROUP = -1001


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[RequestStore]:
    db = await Database.open(tmp_path / "requests.sqlite3")
    await BuildingStore(db).activate(GROUP, "Flat", "nl", NOW)
    yield RequestStore(db)
    await db.close()


def draft(user_id: int = 1, **changes: object) -> RequestDraft:
    base = RequestDraft(
        user_id=user_id, step=DraftStep.PREVIEW, building_id=GROUP, kind=RequestKind.GROCERIES,
        description="Melk & <brood>", when=When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=1)),
        anonymous=True, on_behalf=False, repeat=False, updated_at=NOW,
    )
    return base.model_copy(update=changes)


async def test_a_draft_is_posted_once(store: RequestStore) -> None:
    await store.save_draft(draft())
    results = await asyncio.gather(*(store.post_draft(draft(), NOW) for _ in range(5)))
    posted = [r for r in results if r is not None]
    assert len(posted) == 1
    assert posted[0].description == "Melk & <brood>"
    assert await store.draft(1) is None


async def test_twenty_claims_one_winner(store: RequestStore) -> None:
    await store.save_draft(draft())
    request = await store.post_draft(draft(), NOW)
    assert request is not None
    wins = await asyncio.gather(*(store.claim(request.id, helper, NOW) for helper in range(2, 22)))
    assert wins.count(True) == 1
    claimed = await store.get(request.id)
    assert claimed is not None and claimed.status is RequestStatus.CLAIMED
    assert claimed.helper_id == 2 + wins.index(True)
    assert not await store.claim(request.id, 1, NOW)


async def test_own_and_past_requests_cannot_be_claimed(store: RequestStore) -> None:
    await store.save_draft(draft())
    request = await store.post_draft(draft(), NOW)
    assert request is not None
    assert not await store.claim(request.id, 1, NOW)
    assert not await store.claim(request.id, 2, NOW + timedelta(days=2))


async def test_withdraw_reopens_and_done_counts(store: RequestStore) -> None:
    await store.save_draft(draft())
    request = await store.post_draft(draft(), NOW)
    assert request is not None
    assert await store.claim(request.id, 2, NOW)
    assert not await store.withdraw(request.id, 3)
    assert await store.withdraw(request.id, 2)
    assert await store.claim(request.id, 3, NOW)
    assert await store.mark_done(request.id, NOW)
    assert not await store.mark_done(request.id, NOW)
    assert await store.thank(request.id, NOW)
    assert not await store.thank(request.id, NOW)
    assert await store.helped_since(GROUP, NOW - timedelta(days=7), NOW) == 1
    assert await store.thanks_since(GROUP, NOW - timedelta(days=7)) == 1
    assert await store.last_activity(GROUP) == NOW


async def test_retention_erases_texts_of_closed_requests_only(store: RequestStore) -> None:
    await store.save_draft(draft())
    closed = await store.post_draft(draft(), NOW)
    await store.save_draft(draft(user_id=5))
    still_open = await store.post_draft(draft(user_id=5), NOW)
    assert closed is not None and still_open is not None
    assert await store.cancel(closed.id, NOW)
    assert await store.erase_closed_before(NOW + timedelta(days=1)) == 1
    erased = await store.get(closed.id)
    kept = await store.get(still_open.id)
    assert erased is not None and erased.description is None
    assert erased.kind is RequestKind.GROCERIES and erased.cancelled_at == NOW
    assert kept is not None and kept.description == "Melk & <brood>"
    assert await store.erase_closed_before(NOW + timedelta(days=1)) == 0


async def test_a_taken_request_whose_time_passed_no_longer_counts_as_open(store: RequestStore) -> None:
    await store.save_draft(draft())
    request = await store.post_draft(draft(), NOW)
    assert request is not None
    assert await store.active_count(GROUP, 1, NOW) == 1
    assert await store.claim(request.id, 2, NOW)
    assert await store.active_count(GROUP, 1, NOW) == 1
    later = NOW + timedelta(days=2)
    assert await store.active_count(GROUP, 1, later) == 0
    assert await store.helped_since(GROUP, NOW, NOW) == 0
    assert await store.helped_since(GROUP, NOW, later) == 1


async def test_one_live_message_per_role_and_its_text_goes_with_the_request(
        store: RequestStore) -> None:
    await store.save_draft(draft(repeat=True))
    request = await store.post_draft(draft(repeat=True), NOW)
    assert request is not None and request.series_id is not None
    assert await store.live_message(request.id, Role.ASKER) is None
    await store.keep_live(request.id, Role.ASKER, 1, "Je vraag staat in de groep.")
    await store.record_live(request.id, Role.ASKER, 41)
    await store.keep_live(request.id, Role.HELPER, 2, "Je helpt Fatma.", 42)
    asker = await store.live_message(request.id, Role.ASKER)
    assert asker is not None and (asker.user_id, asker.message_id) == (1, 41)
    await store.keep_live(request.id, Role.ASKER, 1, "Kees helpt je.")
    newer = await store.live_message(request.id, Role.ASKER)
    assert newer is not None and newer.message_id is None and newer.text == "Kees helpt je."
    await store.drop_live(request.id, Role.ASKER)
    assert await store.live_message(request.id, Role.ASKER) is None
    assert [r.id for r in await store.active_in_series(request.series_id)] == [request.id]
    await store.erase_resident(2, NOW)
    assert await store.live_message(request.id, Role.HELPER) is None, "a helper's data goes too"
    await store.keep_live(request.id, Role.ASKER, 1, "Je vraag staat in de groep.", 43)
    await store.cancel(request.id, NOW)
    assert await store.active_in_series(request.series_id) == []
    await store.erase_closed_before(NOW + timedelta(days=1))
    assert await store.live_message(request.id, Role.ASKER) is None
