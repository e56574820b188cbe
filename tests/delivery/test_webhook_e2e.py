"""Webhook mode end to end: Telegram (the sandbox) POSTs each update to the bot's own server,
which checks the secret, stores the update, answers, and hands it to the same handlers as
polling."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.i18n import t
from storage.db import Database
from storage.inbox import UpdateInbox
from tests.delivery.webhook_steps import (
    HOOK_PATH,
    SECRET,
    every_table,
    free_port,
    metrics,
    webhook_mode,
)
from tests.harness import World
from tests.requests.request_steps import ask, started, tap


async def test_residents_ask_and_claim_with_updates_on_a_webhook(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    webhook_mode(world)
    async with world.bot():
        info = sb.api.webhook
        assert info is not None and info.config.url.endswith(HOOK_PATH)
        assert info.config.secret == SECRET
        assert sb.world.allowed_updates == ["message", "callback_query", "my_chat_member",
                                            "chat_member"]
        await world.add_bot()
        await started(world, kees, world.user("Anouk"))
        posted = await ask(world, fatma, text="Wie neemt melk mee?")
        assert (await tap(world, kees, posted.card, "Ik help")).text == t("nl", "request.answer.claimed")
        assert "Er helpt al iemand" in (await sb.next_edit(world.group)).text
        assert (await sb.next_message(fatma)).text.startswith("Fijn! Kees helpt je")
        assert (await sb.next_message(kees)).text.startswith("Dank je wel! Je helpt Fatma")
        await sb.settle()
    assert sb.stats.calls["getUpdates"] == 0
    assert sb.stats.calls["setWebhook"] == 1
    assert sb.pending_updates == 0


async def test_a_call_without_the_secret_changes_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    sb, john = world.sb, world.user("John")
    base = webhook_mode(world)
    forged = {"update_id": 900_000_001, "message": {
        "message_id": 77, "date": 1_795_000_000, "text": "/start forged-body-text",
        "chat": {"id": john.id, "type": "private", "first_name": "John"},
        "from": {"id": john.id, "is_bot": False, "first_name": "John"}}}
    async with world.bot():
        await world.add_bot()
        await world.run_due()  # the new group's schedule is planned now, not by a later poll
        await sb.settle()
        before = await every_table(world.database)
        sb.mark()
        async with aiohttp.ClientSession() as session:
            for headers, status in (({}, 401), ({"X-Telegram-Bot-Api-Secret-Token": "guess"}, 403),
                                    ({"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}, 403)):
                async with session.post(base + HOOK_PATH, json=forged, headers=headers) as answer:
                    assert answer.status == status
        await sb.settle()
        assert await every_table(world.database) == before
        assert sb.events_since_mark() == []
    assert "forged-body-text" not in caplog.text


async def test_an_update_delivered_twice_is_handled_once(world: World) -> None:
    sb, john = world.sb, world.user("John")
    webhook_mode(world)
    async with world.bot():
        await world.add_bot()
        said = await sb.say(john, john, "/help")
        await sb.next_message(john)
        await sb.settle()
        assert said.update_id is not None
        sb.mark()
        await sb.redeliver(said.update_id)
        await sb.settle()
        assert sb.delivered_updates.count(said.update_id) == 2
        assert [e for e in sb.events_since_mark() if e.method == "sendMessage"] == []


async def test_updates_stored_before_a_crash_are_handled_after_the_restart(world: World) -> None:
    """The state a crash between storing and answering leaves: the update is in the inbox, not
    handled, and Telegram (never told 200) sends it again. It is handled once."""
    sb, john, anouk = world.sb, world.user("John"), world.user("Anouk")
    webhook_mode(world)
    async with world.bot():
        await world.add_bot()
        await sb.settle()
    sb.mark()
    await sb.say(john, john, "/help")
    await sb.say(anouk, anouk, "/help")
    waiting = [update.to_dict() for update in sb.world.updates.pending]
    assert len(waiting) == 2
    db = await Database.open(world.database)
    try:
        await UpdateInbox(db).store([(item["update_id"], item) for item in waiting], world.clock.now())
    finally:
        await db.close()
    async with world.bot():
        await sb.settle()
        for resident in (john, anouk):
            replies = [e for e in sb.events_since_mark()
                       if e.ok and e.method == "sendMessage" and e.chat_id == resident.id]
            assert len(replies) == 1
        assert [await world.services.inbox.is_handled(item["update_id"]) for item in waiting] \
            == [True, True]


async def test_metrics_count_what_the_bot_does_and_name_nobody(world: World) -> None:
    sb, john = world.sb, world.user("John")
    base = webhook_mode(world)
    async with world.bot():
        await world.add_bot()
        await sb.settle()
        first = await metrics(base)
        sb.faults.fail(1, status=429, retry_after=1, method="sendMessage", chat_id=john.id)
        sb.faults.fail(1, status=502, method="sendMessage", chat_id=john.id)
        await sb.say(john, john, "/help")
        await sb.say(john, john, "/help")
        await sb.next_message(john)
        await sb.next_message(john)
        await sb.settle(timeout=15)
        after = await metrics(base)
    handled = 'omzien_updates_handled_total{kind="message"}'
    assert after[handled] == first.get(handled, 0) + 2
    assert after["omzien_handler_seconds_count"] == first["omzien_handler_seconds_count"] + 2
    assert after["omzien_telegram_429_total"] == first["omzien_telegram_429_total"] + 1
    assert after['omzien_telegram_retries_total{by="rate_limiter"}'] == \
        first.get('omzien_telegram_retries_total{by="rate_limiter"}', 0) + 1
    assert after['omzien_telegram_retries_total{by="delivery"}'] == \
        first.get('omzien_telegram_retries_total{by="delivery"}', 0) + 1
    assert after["omzien_outbox_pending"] == 0
    assert after["omzien_outbox_oldest_age_seconds"] == 0
    labels = " ".join(after)
    assert str(john.id) not in labels and str(world.group.id) not in labels


async def test_metrics_when_polling_only_on_the_port_asked_for(world: World) -> None:
    port = free_port()
    world.settings_overrides.update(metrics_port=port, webhook_listen="127.0.0.1")
    async with world.bot():
        await world.add_bot()
        await world.sb.settle()
        samples = await metrics(f"http://127.0.0.1:{port}")
        assert 'omzien_updates_handled_total{kind="my_chat_member"}' in samples
        assert world.sb.api.webhook is None
    assert world.sb.stats.calls["setWebhook"] == 0


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Every record down to DEBUG is captured, so a body that reached a log would be seen."""
    caplog.set_level(logging.DEBUG)
