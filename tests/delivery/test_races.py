"""Many residents at the same moment, really at the same moment.

One chat's updates are handled one at a time, so presses on one card never race inside the bot.
Here they do: the storage calls run under `asyncio.gather` on separate connections to one
database file (as two processes would), so only the atomic statements keep the counts right.
The end-to-end variant hands the bot several groups' presses in one batch, handled side by side.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from itertools import cycle, pairwise
from pathlib import Path
from typing import TypeVar

import pytest

from bot.domain.activities import Draft, DraftStep, RsvpChoice, RsvpStatus
from bot.domain.ideas import JoinOutcome
from bot.domain.requests import DraftStep as RequestStep
from bot.domain.requests import RequestDraft, RequestKind, RequestStatus, When, WhenKind
from sandbox import SandboxChat, SandboxMessage, SandboxUser
from storage.activities import ActivityStore
from storage.community import BuildingStore
from storage.db import Database
from storage.ideas import IdeaStore
from storage.requests import RequestStore
from tests.activities.test_activities_e2e import post_prepared
from tests.harness import World
from tests.requests.request_steps import ask, started

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GROUP = -1001
CONNECTIONS = 4
RESIDENTS = 24
T = TypeVar("T")


@pytest.fixture
async def connections(database_location: Path | str) -> AsyncIterator[list[Database]]:
    """Separate connections to one database (as separate processes would have): on SQLite each
    with its own thread and lock, on PostgreSQL each with its own pool."""
    path = database_location
    first = await Database.open(path)
    await BuildingStore(first).activate(GROUP, "Flat", "nl", NOW)
    others = [await Database.open(path) for _ in range(CONNECTIONS - 1)]
    yield [first, *others]
    for db in (first, *others):
        await db.close()


async def at_once(connections: list[Database], people: range,
                  act: Callable[[Database, int], Awaitable[T]]) -> list[T]:
    """Everyone acts at the same moment, spread over the connections."""
    spread = cycle(connections)
    return list(await asyncio.gather(*(act(next(spread), person) for person in people)))


def request_draft(user_id: int) -> RequestDraft:
    return RequestDraft(
        user_id=user_id, step=RequestStep.PREVIEW, building_id=GROUP, kind=RequestKind.GROCERIES,
        description="Wie neemt melk mee?", anonymous=True, on_behalf=False, repeat=False,
        when=When(kind=WhenKind.DAY, due_at=NOW + timedelta(days=1)), updated_at=NOW,
    )


async def test_twenty_four_claims_on_four_connections_one_helper(connections: list[Database]) -> None:
    store = RequestStore(connections[0])
    await store.save_draft(request_draft(1))
    request = await store.post_draft(request_draft(1), NOW)
    assert request is not None
    wins = await at_once(connections, range(2, 2 + RESIDENTS),
                         lambda db, helper: RequestStore(db).claim(request.id, helper, NOW))
    assert wins.count(True) == 1
    claimed = await store.get(request.id)
    assert claimed is not None and claimed.status is RequestStatus.CLAIMED
    assert claimed.helper_id == 2 + wins.index(True), "the one told they won is the helper"


async def test_a_draft_posted_from_four_connections_is_posted_once(connections: list[Database]) -> None:
    await RequestStore(connections[0]).save_draft(request_draft(1))
    posted = await asyncio.gather(*(RequestStore(db).post_draft(request_draft(1), NOW)
                                    for db in connections for _ in range(3)))
    assert len([p for p in posted if p is not None]) == 1
    assert len(await RequestStore(connections[0]).open_in(GROUP)) == 1


async def test_places_go_to_exactly_as_many_as_there_are(connections: list[Database]) -> None:
    store = ActivityStore(connections[0])
    starts = NOW + timedelta(days=3)
    activity = await store.publish(Draft(
        user_id=1, building_id=GROUP, step=DraftStep.PREVIEW, title="Soep eten",
        starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5, updated_at=NOW,
    ), "Anouk", NOW)
    results = await at_once(connections, range(2, 2 + RESIDENTS), lambda db, person: ActivityStore(
        db).respond(activity.id, person, RsvpChoice.GOING, NOW))
    assert all(result is not None and result.decision is not None for result in results)
    rsvps = await store.rsvps(activity.id)
    going = [r.user_id for r in rsvps if r.status is RsvpStatus.GOING]
    waiting = [r for r in rsvps if r.status is RsvpStatus.WAITING]
    assert len(going) == 5 and len(waiting) == RESIDENTS - 5
    told = {person: result.waiting_position for person, result in zip(range(2, 2 + RESIDENTS),
                                                                        results, strict=True)
            if result is not None}
    assert sorted(p for p in told.values() if p is not None) == list(range(1, RESIDENTS - 4))
    assert sorted(person for person, place in told.items() if place is None) == sorted(going), \
        "who was told they have a place has one"


async def test_the_press_that_makes_an_idea_ready_is_one(connections: list[Database]) -> None:
    idea = await IdeaStore(connections[0]).create(GROUP, 1, "Oksana", "Een moestuin", NOW)
    results = await at_once(connections, range(2, 2 + RESIDENTS),
                            lambda db, person: IdeaStore(db).join(idea.id, person, True, NOW))
    assert all(r is not None and r.outcome is JoinOutcome.JOINED for r in results)
    assert [r.became_ready for r in results if r is not None].count(True) == 1
    assert len(await IdeaStore(connections[0]).joiners(idea.id)) == RESIDENTS


# --- end to end: several groups' presses in one batch -----------------------------------------

GROUPS = 4
PER_GROUP = 6


async def test_several_groups_press_at_once_and_each_count_is_right(world: World) -> None:
    """Four buildings, each with a request and an activity with two places; six residents in
    each press "Ik help" and "Ik kom" at the same moment: the bot gets the presses of all four
    groups in one batch and handles the groups side by side."""
    sb = world.sb
    buildings: list[tuple[SandboxChat, list[SandboxUser]]] = []
    for number in range(GROUPS):
        people = [sb.add_user(f"Buur{number}x{i}", language_code="nl") for i in range(PER_GROUP + 1)]
        buildings.append((sb.add_group(f"Flat {number}", members=people, admins=[people[0]]),
                          people))
    async with world.bot():
        cards: list[tuple[int, SandboxMessage, SandboxMessage]] = []
        for group, people in buildings:
            await sb.add_bot_to_group(group, by=people[0])
            await sb.next_message(group)
            await started(world, *people)
            posted = await ask(world, people[0], group=group)
            activity = await post_prepared(world, people[0], capacity=2, group=group)
            cards.append((posted.request_id, posted.card, activity))
        sb.mark()
        presses = await sb.press_together([
            (person, card, button)
            for (_, people), (_, request_card, activity_card) in zip(buildings, cards, strict=True)
            for person in people[1:]
            for card, button in ((request_card, "Ik help"), (activity_card, "Ik kom"))
        ])
        answers = [await press.answer() for press in presses]
        await sb.settle()

        assert all(answer.text for answer in answers), "every press is answered"
        assert _interleaved(world, {group.id for group, _ in buildings}), \
            "the groups' presses were handled side by side"
        store = world.services.stores
        for (group, people), (request_id, _, activity_card) in zip(buildings, cards, strict=True):
            request = await store.requests.get(request_id)
            assert request is not None and request.status is RequestStatus.CLAIMED
            assert request.helper_id in {p.id for p in people[1:]}
            helped = [m for m in sb.bot_messages(people[0]) if "helpt je" in m.text]
            assert len(helped) == 1, f"the requester in {group.title} is told once who helps"
            activity_id = int(str(activity_card.buttons()[0][0]["callback_data"]).split(":")[2])
            rsvps = await store.activities.rsvps(activity_id)
            assert [r.status for r in rsvps].count(RsvpStatus.GOING) == 2
            assert [r.status for r in rsvps].count(RsvpStatus.WAITING) == PER_GROUP - 2
            assert {r.user_id for r in rsvps} == {p.id for p in people[1:]}


def _interleaved(world: World, groups: set[int]) -> bool:
    """The answers to one group's presses were not all given before the next group's began."""
    order = []
    for event in world.sb.events_since_mark():
        if event.method == "answerCallbackQuery":
            query = world.sb.world.callback_queries[str(event.params["callback_query_id"])]
            if query.chat_id in groups:
                order.append(query.chat_id)
    done: set[int] = set()
    for previous, chat in pairwise(order):
        if chat != previous:
            if chat in done:
                return True
            done.add(previous)
    return False
