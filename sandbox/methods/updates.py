"""How the bot learns what happened: long polling (one poller at a time, as Telegram allows) or a
webhook (then getUpdates is refused, as Telegram does), and who the bot is."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sandbox.errors import ApiError, bad_request
from sandbox.methods.base import ApiBase, Reply
from sandbox.params import Params
from sandbox.update_queue import QueuedUpdate
from sandbox.webhook_delivery import WebhookConfig, WebhookDelivery

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete"
    " the webhook first"
)
MAX_CONNECTIONS_DEFAULT = 40
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class UpdateMethods(ApiBase):
    def _start_polling(self) -> None:
        self._poll_generation = 0
        self._closing = False
        self._waiters: set[asyncio.Event] = set()
        self.world.subscribe(self._wake)
        self.webhook: WebhookDelivery | None = None
        self.check_webhook_update: Callable[[QueuedUpdate, dict[str, Any]], None] = (
            lambda update, body: None
        )
        """Set by the server: the spec check of an update as the webhook sends it."""

    def _wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    async def _wait_for_change(self, timeout: float) -> None:
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), timeout)
        finally:
            self._waiters.discard(waiter)

    def close_polls(self) -> None:
        """Answer waiting long polls now (the server is stopping)."""
        self._closing = True
        self._wake()

    def open_polls(self) -> None:
        self._closing = False

    async def close_webhook(self) -> None:
        """Stop delivering to the webhook (the server is stopping, or it was removed)."""
        webhook, self.webhook = self.webhook, None
        if webhook is not None:
            await webhook.stop()

    async def get_updates(self, p: Params) -> Reply:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = p.get_int("offset")
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = max(p.get_float("timeout") or 0.0, 0.0)
        allowed = p.get_json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise bad_request("wrong type of parameter allowed_updates")
            self.world.allowed_updates = list(allowed)
        if offset is not None:
            self.world.updates.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting is terminated, as Telegram does
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        batch = []
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT)
            if self.webhook is not None:
                raise ApiError(409, WEBHOOK_ACTIVE)
            if self._closing or not p.is_alive():
                break
            if self.world.updates.pending:
                batch = self.world.updates.take(limit)
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._wait_for_change(remaining)
        result = [update.to_dict() for update in batch]
        checks: list[tuple[tuple[str, ...], Any]] = [
            (("Update",), data) for update, data in zip(batch, result, strict=True) if not update.raw
        ]
        if batch:
            self.world.notify()
        return Reply(result, checks=checks)

    async def set_webhook(self, p: Params) -> Reply:
        url = p.get_str("url") or ""
        secret = p.get_str("secret_token")
        max_connections = p.get_int("max_connections")
        allowed = p.get_json("allowed_updates")
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not _SECRET.match(secret):
            raise bad_request("secret token contains unallowed characters")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise bad_request("wrong type of parameter allowed_updates")
            self.world.allowed_updates = list(allowed)
        await self.close_webhook()
        if p.get_bool("drop_pending_updates"):
            self.world.updates.clear()
        if url:
            config = WebhookConfig(url, secret, min(max(max_connections or
                                                        MAX_CONNECTIONS_DEFAULT, 1), 100))
            self.webhook = WebhookDelivery(self.world, config, self.check_webhook_update)
            self.webhook.start()
        self._wake()  # a long poll still waiting ends with a conflict
        return Reply(True)

    async def delete_webhook(self, p: Params) -> Reply:
        await self.close_webhook()
        if p.get_bool("drop_pending_updates"):
            self.world.updates.clear()
        return Reply(True)

    async def get_webhook_info(self, p: Params) -> Reply:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates.pending),
        }
        webhook = self.webhook
        if webhook is not None:
            info["url"] = webhook.config.url
            info["max_connections"] = webhook.config.max_connections
            if self.world.allowed_updates:
                info["allowed_updates"] = list(self.world.allowed_updates)
            if webhook.last_error is not None:
                info["last_error_date"] = webhook.last_error.at
                info["last_error_message"] = webhook.last_error.message
        return Reply(info)

    async def get_me(self, p: Params) -> Reply:
        return Reply(
            {
                **self.world.bot_user.to_dict(),
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )

    async def log_out(self, p: Params) -> Reply:
        return Reply(True)
