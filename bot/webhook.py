"""Webhook mode: Telegram POSTs each update to the bot's own HTTP server.

Only a call that carries the secret agreed with Telegram at `setWebhook` is read at all (missing:
401, wrong: 403, compared in constant time). Its update is stored in the same durable inbox that
polling uses before Telegram hears 200, so a crash after the answer loses nothing (the update is
handled at the next start); an update id stored before is answered 200 and not handled again.
Then it joins the same update queue as a polled one: per-chat order, one unit of work each.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from telegram import Update
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.durable import read_update
from storage.inbox import UpdateInbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CONNECTIONS = 40
"""Telegram's default: how many updates it may have under way at once, across chats."""


def refusal(given: str | None, secret: str) -> int | None:
    """The status for a call whose secret header is `given`; None when it is the right one."""
    if given is None:
        return 401
    if not hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
        return 403
    return None


class UpdateReceiver:
    """The webhook's request handler: check, store, answer, then hand over."""

    def __init__(self, bot: ExtBot[None], inbox: UpdateInbox, clock: Clock, secret: str,
                 enqueue: Callable[[Update], Awaitable[None]]) -> None:
        self._bot = bot
        self._inbox = inbox
        self._clock = clock
        self._secret = secret
        self._enqueue = enqueue

    async def handle(self, request: web.Request) -> web.Response:
        status = refusal(request.headers.get(SECRET_HEADER), self._secret)
        if status is not None:
            log.warning("a webhook call without the right secret was refused (%d)", status)
            return web.Response(status=status)
        try:
            item = json.loads(await request.text())
        except ValueError:
            log.warning("a webhook call whose body is not JSON was refused")
            return web.Response(status=400)
        read = read_update(self._bot, item)
        if read is None:
            return web.Response(status=400)
        update_id, update = read
        now = self._clock.now()
        if not await self._inbox.store_new(update_id, item, now):
            log.info("update %s was delivered again; already stored", update_id)
        elif update is None:
            await self._inbox.mark_handled(update_id, now)
        else:
            await self._enqueue(update)
        return web.Response(status=200)


async def set_webhook(bot: ExtBot[None], url: str, secret: str,
                      allowed_updates: Sequence[str]) -> None:
    """Tell Telegram where to send updates (replacing any webhook or polling before)."""
    await bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates,
                          max_connections=MAX_CONNECTIONS)
    log.info("webhook set; Telegram sends updates to the bot's HTTP server")
