"""The sandbox's webhook behaves as Telegram's: setWebhook, getWebhookInfo and deleteWebhook
per the spec, getUpdates refused while a webhook is set, each chat's updates POSTed one at a
time in order (chats in parallel) with the secret header, and tried again until the bot
answers 2xx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram.error import BadRequest, Conflict

from sandbox import Sandbox
from tests.delivery.webhook_steps import free_port
from tests.foundation.sandbox_helpers import make_bot

WAIT = 5.0


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sandbox:
        yield sandbox
        assert sandbox.violations == []


class Receiver:
    """A bot's webhook: records each POST; answers with the statuses queued in `answers` (200
    once they run out); holds a chosen update until it is released."""

    def __init__(self) -> None:
        self.posts: list[tuple[int, int, str | None]] = []
        """(chat id, update id, secret header) of each POST, in arrival order."""
        self.answers: list[int] = []
        self.hold_update: int | None = None
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        chat = update["message"]["chat"]["id"]
        self.posts.append((chat, update["update_id"],
                           request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.arrived.set()
        if update["update_id"] == self.hold_update:
            await self.release.wait()
        return web.Response(status=self.answers.pop(0) if self.answers else 200)


@asynccontextmanager
async def receiving(port: int) -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def until(check: Callable[[], bool]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not check():
        if loop.time() > deadline:
            raise TimeoutError(f"not so within {WAIT} s")
        await asyncio.sleep(0.01)


async def test_set_info_delete_and_getupdates_refused_meanwhile(sb: Sandbox) -> None:
    port = free_port()
    async with make_bot(sb) as bot, receiving(port):
        url = f"http://127.0.0.1:{port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret_-x", max_connections=5,
                                     allowed_updates=["message"])
        info = await bot.get_webhook_info()
        assert (info.url, info.max_connections, info.allowed_updates) == (url, 5, ("message",))
        assert info.pending_update_count == 0 and info.last_error_message is None
        with pytest.raises(Conflict, match=r"^Conflict: can't use getUpdates method while webhook is active; "
                           r"use deleteWebhook to delete the webhook first$"):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates(timeout=0) == ()
        with pytest.raises(BadRequest, match=r"(?i)https url must be provided for webhook"):
            await bot.set_webhook("ftp://127.0.0.1/hook")
        with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
            await bot.set_webhook(url, secret_token="not allowed!")
        assert (await bot.get_webhook_info()).url == ""


async def test_each_chat_in_order_one_at_a_time_and_chats_in_parallel(sb: Sandbox) -> None:
    fatma, kees = sb.add_user("Fatma"), sb.add_user("Kees")
    port = free_port()
    async with make_bot(sb) as bot, receiving(port) as receiver:
        first = await sb.say(fatma, fatma, "een")
        receiver.hold_update = first.update_id
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        second = await sb.say(fatma, fatma, "twee")
        his = [(await sb.say(kees, kees, text)).update_id for text in ("a", "b", "c")]
        await until(lambda: len(receiver.posts) == 4)
        assert [post[0] for post in receiver.posts].count(fatma.id) == 1
        assert (await bot.get_webhook_info()).pending_update_count == 2
        receiver.release.set()
        await until(lambda: sb.pending_updates == 0)
    by_chat = {chat: [update for c, update, _ in receiver.posts if c == chat]
               for chat in (fatma.id, kees.id)}
    assert by_chat == {fatma.id: [first.update_id, second.update_id], kees.id: his}
    assert {secret for _, _, secret in receiver.posts} == {"s3cret"}
    assert sorted(sb.delivered_updates) == sorted(update for _, update, _ in receiver.posts)


async def test_a_failed_delivery_is_tried_again_until_answered_2xx(sb: Sandbox) -> None:
    fatma = sb.add_user("Fatma")
    port = free_port()
    async with make_bot(sb) as bot:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        said = await sb.say(fatma, fatma, "hallo")
        await until(lambda: sb.api.webhook is not None and sb.api.webhook.last_error is not None)
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Connection refused" and info.pending_update_count == 1
        async with receiving(port) as receiver:
            receiver.answers = [500, 502]
            await until(lambda: sb.pending_updates == 0)
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert [update for _, update, _ in receiver.posts] == [said.update_id] * 3
    assert sb.delivered_updates == [said.update_id]
