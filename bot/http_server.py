"""The bot's own HTTP server: the webhook (when one is set) and `/metrics`.

In webhook mode it is how updates arrive; when polling it serves only `/metrics`, and only when
OMZIEN_METRICS_PORT asks for it.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.clock import Clock
from bot.metrics import CONTENT_TYPE, render
from bot.webhook import UpdateReceiver
from storage.outbox import OutboxStore

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 1.0
"""At a stop, how long a request under way (an update being stored) may take to finish."""


class BotHttpServer:
    def __init__(self, outbox: OutboxStore, clock: Clock,
                 receiver: tuple[str, UpdateReceiver] | None = None) -> None:
        """`receiver`: the webhook's path and handler; None when polling."""
        self._outbox = outbox
        self._clock = clock
        self._receiver = receiver
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        """The port it listens on once started (the one asked for, or the one given for 0)."""

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        if self._receiver is not None:
            path, receiver = self._receiver
            app.router.add_post(path, receiver.handle)
        return app

    async def _metrics(self, request: web.Request) -> web.Response:
        body = await render(self._outbox, self._clock.now())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    async def start(self, host: str, port: int) -> None:
        runner = web.AppRunner(self.application(), access_log=None,
                               shutdown_timeout=SHUTDOWN_SECONDS)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("HTTP server listening on port %d", self.port)

    async def stop(self) -> None:
        """Take no further requests; those under way finish first. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
