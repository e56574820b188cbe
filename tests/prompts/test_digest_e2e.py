"""The weekly digest and the gentle nudges, as a building group lives with them over weeks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

import bot.app as bot_app
from bot.domain.digest import fanout_offset
from bot.domain.nudges import PROMPTS
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import t
from bot.services import Services
from handlers.prompts.nudges import prompt_text
from sandbox import SandboxMessage
from tests.activities.test_activities_e2e import post_prepared
from tests.harness import World, local
from tests.requests.request_steps import ask, started

DIGEST_TITLE = "Deze week in Flat De Linde"
NUDGES_NL = {prompt_text("nl", prompt) for prompt in PROMPTS}


@dataclass
class Extras:
    """What the test adds to every bot it starts: digest lines and activity per group."""

    lines: dict[int, list[str]] = field(default_factory=dict)
    activity: dict[int, datetime] = field(default_factory=dict)


@pytest.fixture
def extras(monkeypatch: pytest.MonkeyPatch) -> Extras:
    added = Extras()
    wire: Callable[[Any, Services], None] = bot_app.wire

    def wire_with_extras(app: Any, svc: Services) -> None:
        wire(app, svc)

        async def source(building_id: int, lang: str, now: datetime) -> list[str]:
            return list(added.lines.get(building_id, []))

        async def probe(building_id: int) -> datetime | None:
            return added.activity.get(building_id)

        svc.digest_sources.append(source)
        svc.activity_probes.append(probe)

    monkeypatch.setattr(bot_app, "wire", wire_with_extras)
    return added


def digests(world: World) -> list[SandboxMessage]:
    return [m for m in world.sb.bot_messages(world.group) if DIGEST_TITLE in m.text]


def nudges_posted(world: World) -> list[SandboxMessage]:
    return [m for m in world.sb.bot_messages(world.group) if m.text in NUDGES_NL]


async def pending(world: World, kind: str) -> list[ScheduledItem]:
    items = await world.services.scheduler.store.pending(kind)
    return [item for item in items if item.building_id == world.group.id]


def first_digest(world: World) -> datetime:
    """Sunday 29 November 19:00 in Amsterdam, plus this group's fixed fan-out offset."""
    return local(2026, 11, 29, 19, 0) + fanout_offset(world.group.id)


async def test_digest_on_sunday_evening_with_open_requests_and_buttons(
    world: World, extras: Extras
) -> None:
    fatma, anouk = world.user("Fatma"), world.user("Anouk")
    sb = world.sb
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, anouk)
        await ask(world, fatma, text="Wie kan mijn plant water geven?", when="Deze week")
        await post_prepared(world, anouk, title="Samen pannenkoeken bakken",
                            starts_at=local(2026, 12, 2, 15, 0), ends_at=local(2026, 12, 2, 17, 0))
        await world.run_due()
        due = first_digest(world)
        assert [item.due_at for item in await pending(world, "digest")] == [due]

        world.clock.set(local(2026, 11, 29, 18, 59))
        await world.run_due()
        assert digests(world) == []

        world.clock.set(due + timedelta(seconds=30))
        await world.run_due()
        digest = await sb.next_message(world.group, containing=DIGEST_TITLE)
        assert "Open vragen" in digest.text
        assert t("nl", "request.digest.neighbour") in digest.text  # asked as "een buur"
        assert "Fatma" not in digest.text
        assert "Activiteiten deze week" in digest.text
        assert "Samen pannenkoeken bakken" in digest.text
        assert "Iets nodig?" in digest.text
        buttons = digest.url_buttons()
        assert set(buttons) == {"Vraag hulp", "Nieuwe activiteit"}
        assert all(url.startswith("https://t.me/OmzienBot?start=") for url in buttons.values())

        for button in ("Vraag hulp", "Nieuwe activiteit"):  # the features take over from here
            await sb.open_private(anouk, buttons[button])
            reply = await sb.next_message(anouk)
            assert reply.text != t("nl", "start.link_unknown")

        await world.run_due()
        await sb.settle()
        assert len(digests(world)) == 1
        assert [item.due_at for item in await pending(world, "digest")] == [
            due + timedelta(days=7)
        ]


async def test_nothing_to_say_means_no_digest(world: World, extras: Extras) -> None:
    async with world.bot():
        await world.add_bot()
        await world.run_due()
        due = first_digest(world)
        world.clock.set(due + timedelta(minutes=1))
        await world.run_due()
        await world.sb.settle()
        assert digests(world) == []
        item = await world.services.scheduler.store.get("digest", f"{world.group.id}:2026-11-29")
        assert item is not None and item.state is ItemState.SKIPPED

        extras.lines[world.group.id] = ["• Woensdag soep eten in de hal"]
        world.clock.set(due + timedelta(days=7, minutes=1))
        await world.run_due()
        digest = await world.sb.next_message(world.group, containing=DIGEST_TITLE)
        assert "Woensdag soep eten in de hal" in digest.text


async def test_bot_down_over_the_digest_sends_it_once_after_restart(
    world: World, extras: Extras
) -> None:
    extras.lines[world.group.id] = ["• Zaterdag koffie in de hal"]
    async with world.bot():
        await world.add_bot()
        await world.run_due()
        due = first_digest(world)
        world.clock.set(due - timedelta(minutes=1))
        await world.run_due()
    assert digests(world) == []

    world.clock.set(due + timedelta(minutes=5))  # the bot was down at the digest's moment
    async with world.bot():
        digest = await world.sb.next_message(world.group, containing=DIGEST_TITLE)
        assert "Zaterdag koffie in de hal" in digest.text
        await world.run_due()

    sent_before = len(world.sb.bot_messages(world.group))
    for _ in range(2):  # restarted twice within a minute
        world.clock.advance(timedelta(seconds=20))
        async with world.bot():
            await world.run_due()
            await world.sb.settle()
    assert len(digests(world)) == 1
    assert len(world.sb.bot_messages(world.group)) == sent_before


async def test_digest_missed_at_night_waits_for_the_morning(world: World, extras: Extras) -> None:
    extras.lines[world.group.id] = ["• Zondag samen wandelen"]
    async with world.bot():
        await world.add_bot()
        await world.run_due()
    due = first_digest(world)

    world.clock.set(local(2026, 11, 29, 23, 0))  # restarted in the quiet hours
    async with world.bot():
        await world.run_due()
        await world.sb.settle()
        assert digests(world) == []
        world.clock.set(local(2026, 11, 30, 7, 30))
        await world.run_due()
        assert digests(world) == []
        world.clock.set(local(2026, 11, 30, 8, 30))
        await world.run_due()
        await world.sb.next_message(world.group, containing=DIGEST_TITLE)
        await world.run_due()
        assert len(digests(world)) == 1
        assert [item.due_at for item in await pending(world, "digest")] == [
            due + timedelta(days=7)
        ]


async def test_a_digest_days_too_late_is_skipped(world: World, extras: Extras) -> None:
    extras.lines[world.group.id] = ["• Kerstboom zetten in de hal"]
    async with world.bot():
        await world.add_bot()
        await world.run_due()
    due = first_digest(world)
    world.clock.set(local(2026, 12, 1, 12, 0))  # down from before Sunday until Tuesday
    # No poll of its own: the one run must both skip the missed week and plan the next.
    async with world.bot(schedule_poll_seconds=3600):
        await world.run_due()
        await world.sb.settle()
        assert digests(world) == []
        missed = await world.services.scheduler.store.get("digest", f"{world.group.id}:2026-11-29")
        assert missed is not None and missed.state is ItemState.SKIPPED
        assert [item.due_at for item in await pending(world, "digest")] == [
            due + timedelta(days=7)
        ]


async def test_nudge_after_quiet_days_varied_and_at_most_weekly(
    world: World, extras: Extras
) -> None:
    sb = world.sb
    async with world.bot():
        await world.add_bot()  # Monday 23 November, 11:00: quiet since now
        await world.run_due()
        slot = local(2026, 12, 4, 10, 0) + fanout_offset(world.group.id)
        assert [item.due_at for item in await pending(world, "nudge")] == [slot]

        world.clock.set(local(2026, 12, 3, 12, 0))  # ten quiet days, but not the morning yet
        await world.run_due()
        assert nudges_posted(world) == []

        world.clock.set(slot + timedelta(minutes=1))
        await world.run_due()
        first = await sb.wait_for(
            lambda e: e.message is not None and e.message.text in NUDGES_NL, timeout=10
        )
        assert first.message is not None
        assert first.message.url_buttons().keys() == {"Nieuwe activiteit"}

        for day in range(5, 11):  # the following days: nothing, a week has not passed
            world.clock.set(local(2026, 12, day, 10, 30))
            await world.run_due()
        await sb.settle()
        assert len(nudges_posted(world)) == 1

        world.clock.set(slot + timedelta(days=7, minutes=1))
        await world.run_due()
        await sb.settle()
        posted = nudges_posted(world)
        assert len(posted) == 2
        assert posted[1].text != posted[0].text  # never the same idea twice in a row

        extras.activity[world.group.id] = world.clock.now()  # residents did something
        world.clock.set(slot + timedelta(days=14, minutes=1))
        await world.run_due()
        await sb.settle()
        assert len(nudges_posted(world)) == 2
        later = await pending(world, "nudge")
        assert len(later) == 1 and later[0].due_at >= local(2026, 12, 21, 10, 0)
