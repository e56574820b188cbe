"""Request storage: one winner per claim, a draft posts once, texts can be erased."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.date_words import DayPart
from bot.domain.privacy import STAND_IN_FLOOR
from bot.domain.requests import (
    DraftStep,
    HelpRequest,
    RequestDraft,
    RequestKind,
    RequestStatus,
    When,
    WhenKind,
)
from storage.community import BuildingStore
from storage.db import Database
from storage.request_controls import Role
from storage.requests import RequestStore

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GROUP = -1001


@pytest.fixture
async def store(database_location: Path | str) -> AsyncIterator[RequestStore]:
    db = await Database.open(database_location)
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
    await store.erase_resident(2, NOW, (), "")
    assert await store.live_message(request.id, Role.HELPER) is None, "a helper's data goes too"
    await store.keep_live(request.id, Role.ASKER, 1, "Je vraag staat in de groep.", 43)
    await store.cancel(request.id, NOW)
    assert await store.active_in_series(request.series_id) == []
    await store.erase_closed_before(NOW + timedelta(days=1))
    assert await store.live_message(request.id, Role.ASKER) is None


# -- every column, every state change, every query ---------------------------------------------

OTHER_GROUP = -1002
LATER = NOW + timedelta(hours=1)


@pytest.fixture
async def two_groups(database_location: Path | str) -> AsyncIterator[RequestStore]:
    db = await Database.open(database_location)
    await BuildingStore(db).activate(GROUP, "Flat", "nl", NOW)
    await BuildingStore(db).activate(OTHER_GROUP, "Anker", "nl", NOW)
    yield RequestStore(db)
    await db.close()


async def posted(
    store: RequestStore, user_id: int = 1, now: datetime = NOW, **changes: object
) -> HelpRequest:
    await store.save_draft(draft(user_id, **changes))
    request = await store.post_draft(draft(user_id, **changes), now)
    assert request is not None
    return request


async def test_a_posted_request_reads_back_with_every_field(store: RequestStore) -> None:
    due = NOW + timedelta(days=1)
    request = await posted(store, 7, anonymous=True, on_behalf=True, kind=RequestKind.TRANSPORT,
                           when=When(kind=WhenKind.DAY, due_at=due, part=DayPart.EVENING))
    assert request == await store.get(request.id)
    assert request.model_dump() == {
        "id": request.id, "building_id": GROUP, "requester_id": 7, "helper_id": None,
        "kind": RequestKind.TRANSPORT, "description": "Melk & <brood>",
        "when": {"kind": WhenKind.DAY, "due_at": due, "part": DayPart.EVENING},
        "anonymous": True, "on_behalf": True,
        "series_id": None, "status": RequestStatus.OPEN, "card_message_id": None, "contact": None,
        "created_at": NOW, "claimed_at": None, "done_at": None, "expired_at": None,
        "cancelled_at": None, "removed_at": None, "thanked_at": None, "bumped_at": None,
    }
    plain = await posted(store, 8, anonymous=False, on_behalf=False)
    assert (plain.anonymous, plain.on_behalf) == (False, False)
    assert await store.get(request.id + 100) is None


async def test_each_change_of_state_stamps_its_own_moment(store: RequestStore) -> None:
    helped = await posted(store)
    assert await store.claim(helped.id, 2, LATER)
    assert await store.set_contact(helped.id, "06-12345678")
    assert await store.mark_done(helped.id, LATER + timedelta(hours=1))
    assert await store.thank(helped.id, LATER + timedelta(hours=2))
    done = await store.get(helped.id)
    assert done is not None and done.status is RequestStatus.DONE
    assert (done.helper_id, done.contact) == (2, "06-12345678")
    assert (done.claimed_at, done.done_at, done.thanked_at) == (
        LATER, LATER + timedelta(hours=1), LATER + timedelta(hours=2))
    for close, status, column in [
        (store.cancel, RequestStatus.CANCELLED, "cancelled_at"),
        (store.expire, RequestStatus.EXPIRED, "expired_at"),
        (store.remove, RequestStatus.REMOVED, "removed_at"),
    ]:
        request = await posted(store)
        assert await close(request.id, LATER)
        closed = await store.get(request.id)
        assert closed is not None and closed.status is status
        stamps = {name: getattr(closed, name) for name in
                  ("done_at", "cancelled_at", "expired_at", "removed_at", "claimed_at")}
        assert stamps == {**dict.fromkeys(stamps), column: LATER}


@pytest.mark.parametrize(("start", "close", "allowed"), [
    ("open", "mark_done", False), ("claimed", "mark_done", True), ("done", "mark_done", False),
    ("open", "cancel", True), ("claimed", "cancel", True), ("done", "cancel", False),
    ("expired", "cancel", False),
    ("open", "expire", True), ("claimed", "expire", False), ("done", "expire", False),
    ("open", "remove", True), ("claimed", "remove", True), ("done", "remove", True),
    ("expired", "remove", True), ("cancelled", "remove", False), ("removed", "remove", False),
])
async def test_a_request_closes_only_from_the_states_that_allow_it(
    store: RequestStore, start: str, close: str, allowed: bool
) -> None:
    request = await posted(store)
    if start != "open":
        assert await store.claim(request.id, 2, NOW)
    if start in ("done",):
        assert await store.mark_done(request.id, NOW)
    elif start in ("expired", "cancelled", "removed"):
        assert await store.withdraw(request.id, 2)
        assert await getattr(store, {"expired": "expire", "cancelled": "cancel", "removed": "remove"}[start])(
            request.id, NOW)
    before = await store.get(request.id)
    assert before is not None and before.status == start
    assert await getattr(store, close)(request.id, LATER) is allowed
    after = await store.get(request.id)
    assert after is not None
    assert (after.status == start) is not allowed


async def test_the_claim_records_helper_and_moment_and_withdrawing_clears_them(store: RequestStore) -> None:
    request = await posted(store)
    assert not await store.set_contact(request.id, "06")  # only once it is taken
    assert await store.claim(request.id, 2, LATER)
    assert await store.set_contact(request.id, "06-1")
    claimed = await store.get(request.id)
    assert claimed is not None
    assert (claimed.helper_id, claimed.claimed_at, claimed.contact) == (2, LATER, "06-1")
    assert await store.withdraw(request.id, 2)
    assert not await store.withdraw(request.id, 2)
    reopened = await store.get(request.id)
    assert reopened is not None and reopened.status is RequestStatus.OPEN
    assert (reopened.helper_id, reopened.claimed_at, reopened.contact) == (None, None, None)


async def test_a_thank_and_a_bump_happen_once_and_only_in_their_state(store: RequestStore) -> None:
    request = await posted(store)
    assert not await store.thank(request.id, NOW)  # not done yet
    assert await store.mark_bumped(request.id, LATER)
    assert not await store.mark_bumped(request.id, LATER)
    bumped = await store.get(request.id)
    assert bumped is not None and bumped.bumped_at == LATER
    taken = await posted(store)
    assert await store.claim(taken.id, 2, NOW)
    assert not await store.mark_bumped(taken.id, NOW)
    assert await store.thanks_since(GROUP, NOW) == 0


async def test_text_and_time_change_while_active_only(store: RequestStore) -> None:
    request = await posted(store)
    new_when = When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=3))
    assert await store.set_description(request.id, "Brood")
    assert await store.set_when(request.id, new_when)
    assert await store.claim(request.id, 2, NOW)
    assert await store.set_description(request.id, "Kaas")
    changed = await store.get(request.id)
    assert changed is not None and (changed.description, changed.when) == ("Kaas", new_when)
    assert await store.mark_done(request.id, NOW)
    assert not await store.set_description(request.id, "Melk")
    assert not await store.set_when(request.id, When(kind=WhenKind.DAY, due_at=NOW))
    assert await store.get(request.id) == changed.model_copy(update={"status": RequestStatus.DONE,
                                                                      "done_at": NOW})


async def test_a_weekly_draft_starts_a_series_and_a_given_series_is_kept(store: RequestStore) -> None:
    first = await posted(store, 3, repeat=True)
    assert first.series_id is not None
    series = await store.series(first.series_id)
    assert series is not None and (series.requester_id, series.building_id) == (3, GROUP)
    assert series.created_at == NOW
    await store.save_draft(draft(3, repeat=True))
    again = await store.post_draft(draft(3, repeat=True), NOW, series_id=first.series_id)
    assert again is not None and again.series_id == first.series_id
    once = await posted(store, 3, repeat=False)
    assert once.series_id is None


async def test_only_a_finished_complete_draft_is_posted(store: RequestStore) -> None:
    await store.save_draft(draft(step=DraftStep.TEXT))
    assert await store.post_draft(draft(), NOW) is None
    assert await store.post_draft(draft(9), NOW) is None  # no draft at all
    for missing in ("kind", "when", "description"):
        with pytest.raises(AssertionError):
            await store.post_draft(draft(**{missing: None}), NOW)


async def test_a_copy_is_open_or_taken_by_the_standing_helper(store: RequestStore) -> None:
    source = await posted(store, 3, repeat=True, on_behalf=True)
    when = When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=8))
    free = await store.copy(source, when, LATER, series_id=source.series_id)
    taken = await store.copy(source, when, LATER, series_id=source.series_id, helper_id=4)
    for copy in (free, taken):
        assert copy.id != source.id
        assert (copy.building_id, copy.requester_id, copy.kind, copy.description) == (
            GROUP, 3, source.kind, source.description)
        assert (copy.anonymous, copy.on_behalf, copy.series_id) == (True, True, source.series_id)
        assert (copy.when, copy.created_at) == (when, LATER)
    assert (free.status, free.helper_id, free.claimed_at) == (RequestStatus.OPEN, None, None)
    assert (taken.status, taken.helper_id, taken.claimed_at) == (RequestStatus.CLAIMED, 4, LATER)
    plain = await store.copy(await posted(store, 5, anonymous=False), when, LATER, series_id=None)
    assert (plain.anonymous, plain.on_behalf, plain.series_id) == (False, False, None)


async def test_a_card_is_found_by_its_message_in_its_own_group(two_groups: RequestStore) -> None:
    store = two_groups
    request = await posted(store)
    await store.set_card(request.id, 77)
    assert await store.by_card(GROUP, 77) == await store.get(request.id)
    assert await store.by_card(OTHER_GROUP, 77) is None
    assert await store.by_card(GROUP, 78) is None
    await store.set_card(request.id, None)
    assert await store.by_card(GROUP, 77) is None


async def test_unposted_are_open_requests_without_a_card_saved_before_the_cutoff(store: RequestStore) -> None:
    waiting = [await posted(store, user) for user in (1, 2)]
    with_card = await posted(store, 3)
    await store.set_card(with_card.id, 5)
    taken = await posted(store, 4)
    assert await store.claim(taken.id, 9, NOW)
    await posted(store, 5, now=LATER)
    assert [r.id for r in await store.unposted(LATER)] == [r.id for r in waiting]
    assert await store.unposted(NOW) == []


async def test_open_requests_are_listed_by_time_then_age_per_group(two_groups: RequestStore) -> None:
    store = two_groups
    late = await posted(store, 1, when=When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=3)))
    soon = await posted(store, 2, when=When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=1)))
    soon_too = await posted(store, 3, when=When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=1)))
    taken = await posted(store, 4)
    assert await store.claim(taken.id, 9, NOW)
    await posted(store, 5, building_id=OTHER_GROUP)
    assert [r.id for r in await store.open_in(GROUP)] == [soon.id, soon_too.id, late.id]


async def test_counts_per_resident_and_per_period(two_groups: RequestStore) -> None:
    store = two_groups
    await posted(store, 1, now=NOW - timedelta(days=2))
    await posted(store, 1)
    await posted(store, 1, building_id=OTHER_GROUP)
    await posted(store, 2)
    assert await store.created_since(1, NOW) == 2
    assert await store.created_since(1, NOW - timedelta(days=2)) == 3
    assert await store.created_since(3, NOW - timedelta(days=9)) == 0
    assert await store.active_count(GROUP, 1, NOW) == 2
    assert await store.active_count(OTHER_GROUP, 1, NOW) == 1
    assert await store.helped_since(GROUP, NOW, NOW) == 0
    assert await store.thanks_since(GROUP, NOW) == 0


async def test_last_activity_is_the_latest_post_or_claim(two_groups: RequestStore) -> None:
    store = two_groups
    assert await store.last_activity(GROUP) is None
    request = await posted(store, now=NOW - timedelta(days=1))
    assert await store.last_activity(GROUP) == NOW - timedelta(days=1)
    assert await store.claim(request.id, 2, NOW)
    assert await store.last_activity(GROUP) == NOW
    assert await store.last_activity(OTHER_GROUP) is None


async def test_what_a_resident_asked_and_took_is_listed_per_group(two_groups: RequestStore) -> None:
    store = two_groups
    asked = await posted(store, 1)
    asked_there = await posted(store, 1, building_id=OTHER_GROUP)
    done = await posted(store, 1)
    taken_here = await posted(store, 2)
    taken_there = await posted(store, 2, building_id=OTHER_GROUP)
    unrelated = await posted(store, 3)
    for request in (done, taken_here, taken_there):
        assert await store.claim(request.id, 1 if request is not done else 4, NOW)
    assert await store.mark_done(done.id, NOW)
    assert [r.id for r in await store.involving(1)] == [
        asked.id, asked_there.id, done.id, taken_here.id, taken_there.id]
    assert [r.id for r in await store.involving(4)] == [done.id]
    assert [r.id for r in await store.active_of_requester(1)] == [asked.id, asked_there.id]
    assert [r.id for r in await store.active_of_requester_in(1, OTHER_GROUP)] == [asked_there.id]
    assert [r.id for r in await store.active_of_requester_in(1, GROUP)] == [asked.id]
    assert [r.id for r in await store.claimed_by(1)] == [taken_here.id, taken_there.id]
    assert [r.id for r in await store.claimed_by(1, OTHER_GROUP)] == [taken_there.id]
    assert await store.claimed_by(4) == []
    assert unrelated.id not in [r.id for r in await store.involving(1)]


async def test_erasing_a_resident_blanks_their_words_and_their_id_everywhere(
    store: RequestStore,
) -> None:
    theirs = await posted(store, 1, repeat=True, anonymous=False)
    assert theirs.series_id is not None
    assert await store.claim(theirs.id, 2, NOW)
    assert await store.set_contact(theirs.id, "06-1")
    stopped_before = await posted(store, 1, repeat=True, anonymous=False)
    assert stopped_before.series_id is not None
    assert await store.stop_series(stopped_before.series_id, NOW - timedelta(days=1))
    helped_by_them = await posted(store, 3, repeat=True)
    assert helped_by_them.series_id is not None
    assert await store.set_standing_helper(helped_by_them.series_id, 1)
    assert await store.claim(helped_by_them.id, 1, NOW)
    someone_else = await posted(store, 4, anonymous=False)
    named, unnamed, involved, also_involved = [await posted(store, 5) for _ in range(4)]
    await store.keep_live(theirs.id, Role.HELPER, 2, "Je helpt iemand.")
    await store.keep_live(named.id, Role.ASKER, 5, "Fatma stapt terug.")
    await store.keep_live(unnamed.id, Role.ASKER, 5, "Kees helpt je.")
    await store.keep_live(involved.id, Role.ASKER, 5, "Je vraag staat in de groep.")
    await store.keep_live(also_involved.id, Role.ASKER, 5, "Je vraag staat in de groep.")
    await store.save_draft(draft(1, step=DraftStep.TEXT))
    await store.erase_resident(1, LATER, (involved.id, also_involved.id), "Fatma")
    erased = await store.get(theirs.id)
    assert erased is not None
    assert (erased.description, erased.contact, erased.anonymous) == (None, None, True)
    assert erased.helper_id == 2 and erased.status is RequestStatus.CLAIMED
    stand_in = erased.requester_id
    assert stand_in <= -STAND_IN_FLOOR, "a stand-in no message can ever reach"
    helped = await store.get(helped_by_them.id)
    assert helped is not None and helped.helper_id == stand_in, "one person, one stand-in"
    assert helped.requester_id == 3 and helped.description == "Melk & <brood>"
    series = await store.series(theirs.series_id)
    assert series is not None and (series.stopped_at, series.requester_id) == (LATER, stand_in)
    earlier = await store.series(stopped_before.series_id)
    assert earlier is not None and earlier.stopped_at == NOW - timedelta(days=1)
    standing = await store.series(helped_by_them.series_id)
    assert standing is not None and standing.standing_helper_id is None and standing.stopped_at is None
    assert await store.draft(1) is None
    kept = await store.get(someone_else.id)
    assert kept is not None and (kept.description, kept.anonymous, kept.requester_id) == (
        "Melk & <brood>", False, 4)
    assert await store.live_message(theirs.id, Role.HELPER) is None, "a request they asked"
    assert await store.live_message(named.id, Role.ASKER) is None, "a message naming them"
    assert await store.live_message(involved.id, Role.ASKER) is None, "a request they were part of"
    assert await store.live_message(also_involved.id, Role.ASKER) is None
    assert await store.live_message(unnamed.id, Role.ASKER) is not None


async def test_erasing_someone_unnamed_keeps_every_other_message(store: RequestStore) -> None:
    request = await posted(store, 5)
    await store.keep_live(request.id, Role.ASKER, 5, "Kees helpt je.")
    await store.erase_resident(1, LATER, (), "")
    assert await store.live_message(request.id, Role.ASKER) is not None


async def test_retention_takes_texts_and_contacts_of_every_closed_state_and_old_drafts(
    store: RequestStore,
) -> None:
    closed = []
    for close in ("mark_done", "cancel", "expire", "remove"):
        request = await posted(store)
        if close == "mark_done":
            assert await store.claim(request.id, 2, NOW)
            assert await store.set_contact(request.id, "06")
        assert await getattr(store, close)(request.id, NOW)
        closed.append(request.id)
    recent = await posted(store)
    assert await store.cancel(recent.id, LATER)
    taken = await posted(store)
    assert await store.claim(taken.id, 2, NOW)
    await store.save_draft(draft(8, step=DraftStep.TEXT, updated_at=NOW - timedelta(days=1)))
    await store.save_draft(draft(9, step=DraftStep.TEXT, updated_at=LATER))
    assert await store.erase_closed_before(LATER) == 1 + 4
    for request_id in closed:
        erased = await store.get(request_id)
        assert erased is not None and (erased.description, erased.contact) == (None, None)
    for request_id in (recent.id, taken.id):
        kept = await store.get(request_id)
        assert kept is not None and kept.description == "Melk & <brood>"
    assert await store.draft(8) is None and await store.draft(9) is not None


async def test_live_requests_without_a_card_are_the_ones_to_post_again(two_groups: RequestStore) -> None:
    store = two_groups
    open_one = await posted(store, 1)
    taken_ahead = await posted(store, 2)
    assert await store.claim(taken_ahead.id, 3, NOW)
    taken_past = await posted(store, 4)
    assert await store.claim(taken_past.id, 3, NOW)
    assert await store.set_when(taken_past.id, When(kind=WhenKind.DAY, due_at=NOW))
    closed = await posted(store, 5)
    assert await store.cancel(closed.id, NOW)
    with_card = await posted(store, 6)
    await store.set_card(with_card.id, 77)
    elsewhere = await posted(store, 7, building_id=OTHER_GROUP)
    assert [r.id for r in await store.live_without_card(GROUP, NOW)] == [open_one.id, taken_ahead.id]
    assert [r.id for r in await store.live_without_card(OTHER_GROUP, NOW)] == [elsewhere.id]
    await store.set_card(open_one.id, None)
    assert [r.id for r in await store.live_without_card(GROUP, NOW + timedelta(days=1))] == [
        open_one.id], "taken for a time now past: nothing to show"


async def test_the_live_weeks_of_a_weekly_need_come_in_date_order(store: RequestStore) -> None:
    first = await posted(store, 1, repeat=True, when=When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=8)))
    assert first.series_id is not None
    earlier = await store.copy(first, When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=1)), NOW,
                               series_id=first.series_id, helper_id=2)
    done = await store.copy(first, When(kind=WhenKind.DAY, due_at=NOW), NOW, series_id=first.series_id,
                            helper_id=2)
    assert await store.mark_done(done.id, NOW)
    alone = await posted(store, 1)
    assert [r.id for r in await store.active_in_series(first.series_id)] == [earlier.id, first.id]
    assert alone.series_id is None
