"""Webhook delivery as Telegram does it: each update POSTed to the bot's URL with the secret
header; one at a time per chat, in order, several chats at once (up to `max_connections`);
an update stays queued until the bot answers 2xx, and is tried again after a short pause when it
answers anything else or cannot be reached.

The sandbox accepts an http URL on any port, as the local Bot API server does; Telegram's cloud
asks for https on 443, 80, 88 or 8443.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from sandbox.update_queue import QueuedUpdate
from sandbox.world import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_FIRST_SECONDS = 0.05
RETRY_MAX_SECONDS = 1.0
"""Short pauses (Telegram's are longer) so that tests of a failing webhook stay quick."""
POST_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str | None
    max_connections: int


@dataclass
class DeliveryError:
    at: int
    message: str


def chat_key(update: QueuedUpdate) -> int:
    """The chat whose order an update keeps (the sender's, for one outside any chat)."""
    body = update.body.get(update.kind)
    if not isinstance(body, dict):
        return 0
    message = body.get("message") if update.kind == "callback_query" else body
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        return int(chat["id"])
    sender = body.get("from")
    return int(sender["id"]) if isinstance(sender, dict) and isinstance(sender.get("id"), int) else 0


class WebhookDelivery:
    """Delivers the world's queued updates to one webhook until stopped."""

    def __init__(self, world: World, config: WebhookConfig,
                 check: Callable[[QueuedUpdate, dict[str, Any]], None]) -> None:
        """`check`: called with each update and its body as it is sent (the spec check)."""
        self.world = world
        self.config = config
        self.last_error: DeliveryError | None = None
        self._check = check
        self._changed = asyncio.Event()
        self._chats: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.world.subscribe(self._changed.set)
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS))
        self._task = asyncio.create_task(self._run(), name="webhook-delivery")

    async def stop(self) -> None:
        """Stop delivering; an update under way stays queued (as unconfirmed)."""
        self.world.unsubscribe(self._changed.set)
        tasks = [task for task in (self._task, *self._chats.values()) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._chats.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while True:
            self._changed.clear()
            self._start_chats()
            await self._changed.wait()

    def _start_chats(self) -> None:
        for update in list(self.world.updates.pending):
            key = chat_key(update)
            if key in self._chats:
                continue
            if len(self._chats) >= self.config.max_connections:
                return
            self._chats[key] = asyncio.create_task(self._deliver_chat(key),
                                                   name=f"webhook:{key}")

    async def _deliver_chat(self, key: int) -> None:
        failures = 0
        try:
            while True:
                update = next((u for u in self.world.updates.pending if chat_key(u) == key), None)
                if update is None:
                    return
                if await self._post(update):
                    failures = 0
                    self.world.updates.acknowledge(update)
                    self.world.notify()
                else:
                    await asyncio.sleep(min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** failures))
                    failures += 1
        finally:
            if self._chats.get(key) is asyncio.current_task():
                del self._chats[key]
            self._changed.set()

    async def _post(self, update: QueuedUpdate) -> bool:
        assert self._session is not None
        body = update.to_dict()
        self._check(update, body)
        headers = {SECRET_HEADER: self.config.secret} if self.config.secret else {}
        try:
            async with self._session.post(self.config.url, json=body, headers=headers) as answer:
                await answer.read()
                if 200 <= answer.status < 300:
                    return True
                self._failed(f"Wrong response from the webhook: {answer.status} {answer.reason}")
        except (aiohttp.ClientError, TimeoutError) as error:
            self._failed("Read timeout expired" if isinstance(error, TimeoutError)
                         else "Connection refused")
        return False

    def _failed(self, message: str) -> None:
        self.last_error = DeliveryError(self.world.now(), message)

