"""Many groups, one Sunday evening: digests are spread, sent concurrently and within Telegram's
limits, with no 429 at all."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.domain.schedule import ItemState, ScheduledItem
from bot.ratelimit import LeakyBucket, OmzienRateLimiter, SlidingWindow
from tests.harness import World, local

GROUPS = 500


def most_in_window(stamps: list[float], window: float) -> int:
    """The largest number of stamps inside any half-open window of `window` seconds."""
    ordered = sorted(stamps)
    most, start = 0, 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - window:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_most_in_window_counts_sliding_windows() -> None:
    assert most_in_window([0.0, 0.5, 0.99, 1.0, 1.5], 1.0) == 3
    assert most_in_window([], 1.0) == 0


def test_sliding_window_has_no_burst_on_top_of_the_rate() -> None:
    window = SlidingWindow(3, 1.0)
    for moment in (0.0, 0.1, 0.2):
        assert window.delay(moment) == 0
        window.record(moment)
    assert window.delay(0.5) == pytest.approx(0.5)  # the fourth waits until the first expires
    assert window.delay(1.0) == 0
    assert not window.idle(1.1) and window.idle(1.25)


def test_a_message_under_way_holds_its_place_until_a_period_after_it_came_back() -> None:
    window = SlidingWindow(2, 1.0)
    window.start()
    window.start()
    assert window.delay(5.0) > 0  # both places taken by requests under way
    window.finish(5.5)
    assert window.delay(5.6) == pytest.approx(0.9)
    window.finish(5.7)
    assert window.delay(6.5) == 0
    assert not window.idle(6.6) and window.idle(6.75)


def test_private_chats_allow_a_short_burst_then_one_a_second() -> None:
    bucket = LeakyBucket(3, 1.0)
    for _ in range(3):
        assert bucket.delay(10.0) == 0
        bucket.start()
    assert bucket.delay(10.0) == pytest.approx(1.0)
    assert bucket.delay(11.0) == 0
    assert not bucket.idle(11.0) and bucket.idle(13.0)


async def test_limiter_keeps_group_and_overall_windows() -> None:
    """Scaled down so it runs in seconds: 4 a half second per group, 30 a second overall."""
    limiter = OmzienRateLimiter(
        overall_max_rate=30, group_max_rate=4, group_time_period=0.5, group_margin=0.05,
        overall_margin=0.05, private_max_rate=0,
    )
    loop = asyncio.get_running_loop()
    sent: list[tuple[float, int]] = []

    async def call(chat_id: int) -> dict[str, Any]:
        sent.append((loop.time(), chat_id))
        return {"ok": True}

    busy_group = -100
    chats = [busy_group] * 16 + [-200 - i for i in range(50)] + [3000 + i for i in range(10)]
    await asyncio.gather(*(
        limiter.process_request(call, (chat,), {}, "sendMessage", {"chat_id": chat}, None)
        for chat in chats
    ))
    await limiter.process_request(call, (busy_group,), {}, "getChatMember",
                                  {"chat_id": busy_group, "user_id": 1}, None)
    assert len(sent) == len(chats) + 1
    assert most_in_window([at for at, _ in sent[:-1]], 1.0) <= 30
    busy = [at for at, chat in sent[:-1] if chat == busy_group]
    assert most_in_window(busy, 0.5) <= 4
    assert sent[-1][1] == busy_group  # a read-only call spends no message budget


async def test_a_429_pauses_everything_and_retries() -> None:
    limiter = OmzienRateLimiter(private_max_rate=0)
    calls = Counter[str]()

    async def flaky(name: str) -> bool:
        calls[name] += 1
        if name == "first" and calls[name] == 1:
            raise RetryAfter(1)
        return True

    results = await asyncio.gather(
        limiter.process_request(flaky, ("first",), {}, "sendMessage", {"chat_id": -1}, None),
        limiter.process_request(flaky, ("second",), {}, "sendMessage", {"chat_id": -2}, None),
    )
    assert results == [True, True]
    assert calls == {"first": 2, "second": 1}


async def test_scheduler_runs_groups_concurrently_and_each_group_in_order(world: World) -> None:
    async with world.bot():
        svc = world.services
        now = world.clock.now()
        for chat_id in (-1, -2, -3):
            await svc.buildings.activate(chat_id, "Flat", "nl", now)
        running = 0
        most = 0
        order: list[str] = []

        async def slow(item: ScheduledItem, at: datetime) -> ItemState | None:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.05)
            order.append(item.ref)
            running -= 1
            return None

        svc.scheduler.register("test.slow", slow, calm=False)
        for chat_id in (-1, -2, -3):
            for n in range(3):
                await svc.scheduler.add("test.slow", f"{chat_id}:{n}", now, building_id=chat_id)
        await svc.scheduler.run_due()
        assert len(order) == 9
        assert most == 3
        for chat_id in (-1, -2, -3):
            assert [r for r in order if r.startswith(f"{chat_id}:")] == [
                f"{chat_id}:{n}" for n in range(3)
            ]


@pytest.mark.timeout(90)
async def test_500_groups_on_one_sunday_evening_within_limits(world: World) -> None:
    sb = world.sb
    groups = [
        sb.add_group(f"Flat {n}", members=[world.admin, sb.bot_user], admins=[world.admin],
                     supergroup=True)
        for n in range(GROUPS)
    ]
    ids = {chat.id for chat in groups}
    async with world.bot():
        svc = world.services
        now = world.clock.now()
        for chat in groups:
            await svc.buildings.activate(chat.id, chat.title, "nl", now)

        async def source(building_id: int, lang: str, at: datetime) -> list[str]:
            return ["• Zondag soep in de hal"] if building_id in ids else []

        svc.digest_sources.append(source)
        await world.run_due()
        due = sorted(item.due_at for item in await svc.scheduler.store.pending("digest"))
        assert len(due) == GROUPS
        assert local(2026, 11, 29, 19, 0) <= due[0] and due[-1] < local(2026, 11, 29, 19, 10)
        assert len({moment.replace(second=0) for moment in due}) == 10  # spread over the window

        world.clock.set(local(2026, 11, 29, 19, 10))  # all of them due at once
        sb.mark()
        await world.run_due(timeout=60)  # 500 messages at 30 a second take at least 17 s
        await sb.settle()

    sends = [e for e in sb.events if e.method == "sendMessage" and e.chat_id in ids]
    assert len(sends) == GROUPS and all(e.ok for e in sends)
    assert sb.stats.too_many_requests == 0
    assert Counter(e.chat_id for e in sends) == Counter(ids)
    assert most_in_window([e.at for e in sends], 1.0) <= 30
    outgoing = [e.at for e in sb.events if e.method in ("sendMessage", "editMessageText")]
    assert most_in_window(outgoing, 1.0) <= 30
    for chat in groups[:3]:
        (digest,) = sb.bot_messages(chat)
        assert "Zondag soep in de hal" in digest.text
        assert set(digest.url_buttons()) == {"Vraag hulp", "Nieuwe activiteit"}
    assert timedelta(0) < due[-1] - due[0]
