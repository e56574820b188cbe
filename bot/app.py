"""The composition root: the one place where the bot is wired together.

Handler order matters: the features are registered in `FEATURES` order, their commands and buttons
in handler group 0, so for one update the first matching handler wins; the few handlers that must
run before or after those (the rate limit, the flows' typed answers, the safety net) use the
groups named in `handlers/order.py`. Errors go to `handlers.community.errors`, which logs and
carries on.

Everything the bot says goes through the outbox: handlers and jobs leave rows in it (in the unit
of work of their update or schedule row), and the delivery worker sends them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from types import ModuleType
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery_worker import STOP_GRACE_SECONDS, DeliveryWorker
from bot.durable import DurableBot, OmzienApplication, PerChatUpdateProcessor
from bot.health import beat
from bot.profile import publish_profile
from bot.ratelimit import OmzienRateLimiter
from bot.services import Services
from bot.sharing import (
    ALLOWED_UPDATES,
    close_limits,
    close_turns,
    open_turns,
    share_inbox,
    share_limits,
    shared_inbox,
    start_http_server,
    stop_http_server,
)
from handlers import (
    activities,
    community,
    ideas,
    insights,
    order,
    pairing,
    privacy,
    prompts,
)
from handlers import requests as help_requests
from handlers.kit.at_start import HOWEVER_LATE
from storage.db import Database

log = logging.getLogger(__name__)

FEATURES: Sequence[ModuleType] = (
    community, help_requests, privacy, prompts, activities, ideas, insights, pairing
)
"""Registered in this order; each module has `register(app, services)` and may list COMMANDS."""

SCHEDULE_POLL_SECONDS = 20.0
INBOX_KEEP_DAYS = 7
OUTBOX_KEEP_DAYS = 7
ANSWERS_AT_STOP_SECONDS = 1.0
"""How long a stop waits for answers to presses still under way (Telegram drops late ones)."""
STOP_DEADLINE_SECONDS = 9.0
"""After SIGTERM or SIGINT the process is gone within this time, stopped cleanly or not (all
that matters is committed; a container runtime kills after 10 s)."""
_WORKER = "delivery_worker"

App = Application[Any, Any, Any, Any, Any, Any]


def file_url(api_url: str) -> str:
    """Telegram serves files at /file/bot<token>/... beside /bot<token>/...."""
    return api_url[: -len("/bot")] + "/file/bot" if api_url.endswith("/bot") else api_url


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    schedule_poll_seconds: float = SCHEDULE_POLL_SECONDS,
    send_timeout: float | None = None,
    rate_limiter: OmzienRateLimiter | None = None,
) -> App:
    """`send_timeout`: how long the delivery worker waits for Telegram to answer a send before
    it tries again (default: the connection's read timeout). `rate_limiter`: Telegram's limits
    as the settings give them, unless another is passed."""
    clock = clock or SystemClock()
    bot = DurableBot(
        token=settings.token,
        base_url=settings.bot_api_url,
        base_file_url=file_url(settings.bot_api_url),
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            tzinfo=settings.zone,
        ),
        rate_limiter=rate_limiter or OmzienRateLimiter(
            overall_max_rate=settings.messages_per_second,
            group_max_rate=settings.group_messages_per_minute,
        ),
        request=HTTPXRequest(connection_pool_size=32, read_timeout=15.0),
        get_updates_request=HTTPXRequest(read_timeout=40.0),
    )
    app: App = (
        ApplicationBuilder()
        .application_class(OmzienApplication)
        .bot(bot)
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["settings"] = settings
    app.bot_data["clock"] = clock
    app.bot_data["schedule_poll_seconds"] = schedule_poll_seconds
    app.bot_data["send_timeout"] = send_timeout
    return app


def delivery_worker(app: App) -> DeliveryWorker | None:
    worker = app.bot_data.get(_WORKER)
    return worker if isinstance(worker, DeliveryWorker) else None


async def _post_init(app: App) -> None:
    settings: Settings = app.bot_data["settings"]
    clock: Clock = app.bot_data["clock"]
    db = await Database.open(settings.database)
    await share_limits(app, db)
    turns = await open_turns(app, settings, db)
    worker = DeliveryWorker(app.bot, db, clock, send_timeout=app.bot_data["send_timeout"],
                            turns=turns)
    app.bot_data[_WORKER] = worker
    svc = Services.create(settings, clock, db, app.bot, delivery=worker.delivery)
    svc.bot_username = app.bot.username
    app.bot_data["services"] = svc
    bot = app.bot
    assert isinstance(bot, DurableBot)
    bot.inbox, bot.clock = svc.inbox, clock
    wire(app, svc)
    await publish_profile(app.bot, svc.menu, settings.language)
    if turns is not None:
        svc.scheduler.share(turns)
    await svc.scheduler.recover()
    shared = await share_inbox(app, svc)
    if shared is None:
        await replay_inbox(app, svc)
    else:
        await svc.inbox.prune(clock.now() - timedelta(days=INBOX_KEEP_DAYS))
    await worker.store.prune(clock.now() - timedelta(days=OUTBOX_KEEP_DAYS))
    await worker.start(svc.cards, svc.mark_unreachable)
    if shared is not None:
        shared.start()
    await start_http_server(app, svc, worker)
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        _run_schedule, interval=app.bot_data["schedule_poll_seconds"], first=0.05,
        name="schedule", job_kwargs={"max_instances": 1, "coalesce": True, **HOWEVER_LATE},
    )


def wire(app: App, svc: Services) -> None:
    svc.flows.install(app, order.FLOWS)
    for feature in FEATURES:
        feature.register(app, svc)
        svc.menu.extend(getattr(feature, "COMMANDS", ()))


async def _post_stop(app: App) -> None:
    """Updates and jobs are done: let the answers and sends under way finish (bounded)."""
    shared = shared_inbox(app)
    if shared is not None:
        await shared.stop()
    if isinstance(app, OmzienApplication):
        await app.press_answers.finish(ANSWERS_AT_STOP_SECONDS)
    worker = delivery_worker(app)
    if worker is not None:
        await worker.stop(STOP_GRACE_SECONDS)


async def _post_shutdown(app: App) -> None:
    await stop_http_server(app)
    shared = shared_inbox(app)
    if shared is not None:
        await shared.stop()
    worker = delivery_worker(app)
    if worker is not None:
        await worker.stop(0)
    await close_turns(app)
    svc = app.bot_data.get("services")
    if isinstance(svc, Services):
        await svc.out.close()
        await svc.db.close()
    await close_limits(app)


async def _run_schedule(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc: Services = context.bot_data["services"]
    await svc.scheduler.run_due()
    beat(svc.settings.database)


async def replay_inbox(app: App, svc: Services) -> None:
    """Updates stored but not handled before a stop are handled now, before new ones."""
    pending = await svc.inbox.unhandled()
    for payload in pending:
        update = Update.de_json(payload, app.bot)
        if update is not None:
            await app.update_queue.put(update)
    if pending:
        log.info("replaying %d update(s) stored before the last stop", len(pending))
    await svc.inbox.prune(svc.clock.now() - timedelta(days=INBOX_KEEP_DAYS))


@asynccontextmanager
async def running(app: App, *, poll_timeout: int = 10) -> AsyncIterator[App]:
    """Run the bot inside an existing event loop (tests, the demo); stops cleanly on exit.

    Does what `run` does around the polling itself, post_init, post_stop and
    post_shutdown included. With a webhook URL set it does not poll: post_init started the
    webhook's server and called setWebhook, and the server stops first at the end.
    """
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        if app.bot_data["settings"].webhook_url is None:
            await app.updater.start_polling(
                timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES, poll_interval=0.0
            )
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            await stop_http_server(app)
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def run(settings: Settings, *, clock: Clock | None = None,
                rate_limiter: OmzienRateLimiter | None = None) -> None:
    """Until SIGTERM or SIGINT: then no more updates are fetched (or taken from the webhook),
    those received are handled, the delivery worker finishes what it is sending, and the
    process exits (within STOP_DEADLINE_SECONDS, whatever happens). With a webhook URL set,
    Telegram sends the updates instead. `clock` and `rate_limiter` as for
    `build_application`."""
    app = build_application(settings, clock=clock, rate_limiter=rate_limiter)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if settings.webhook_url is not None:
        stop = asyncio.Event()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop_signal, _stop_webhook_by_signal, stop)
        try:
            loop.run_until_complete(_serve_webhook(app, stop))
        finally:
            loop.close()
        return
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, _stop_by_signal)
    app.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=True, stop_signals=None)


async def _serve_webhook(app: App, stop: asyncio.Event) -> None:
    async with running(app):
        await stop.wait()


_stopping = threading.Event()


def _begin_stop() -> bool:
    """The first signal starts the stop and its deadline; a second one only waits for it."""
    if _stopping.is_set():
        return False
    _stopping.set()
    log.info("stopping")
    deadline = threading.Timer(STOP_DEADLINE_SECONDS, _exit_now)
    deadline.daemon = True
    deadline.start()
    return True


def _stop_by_signal() -> None:
    """Leave the loop as PTB's own handler does (it then stops cleanly). A stop that hangs is
    cut off by the deadline."""
    if _begin_stop():
        raise SystemExit


def _stop_webhook_by_signal(stop: asyncio.Event) -> None:
    if _begin_stop():
        stop.set()


def _exit_now() -> None:
    log.error("the stop took longer than %.0f s; exiting now", STOP_DEADLINE_SECONDS)
    logging.shutdown()
    os._exit(1)
