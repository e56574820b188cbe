"""What lets several processes serve one bot: the HTTP server (webhook and /metrics), the turns
by chat and the shared inbox of webhook workers on PostgreSQL, and Telegram's limits counted in
the database. `bot.app` opens and closes these around the application's life."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ExtBot

from bot.config import Settings
from bot.delivery_worker import DeliveryWorker
from bot.durable import DurableBot, read_update
from bot.http_server import BotHttpServer
from bot.ratelimit import OmzienRateLimiter
from bot.services import Services
from bot.shared_inbox import SharedInbox
from bot.webhook import UpdateReceiver, set_webhook
from storage.chat_turns import ChatTurns
from storage.db import Database
from storage.send_slots import SendSlotStore

App = Application[Any, Any, Any, Any, Any, Any]
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
    Update.CHAT_MEMBER,
]
_HTTP_SERVER = "http_server"
_SHARED_INBOX = "shared_inbox"
_TURNS = "chat_turns"
_LIMITS_DB = "limits_database"


async def open_turns(app: App, settings: Settings, db: Database) -> ChatTurns | None:
    """The turns by chat, when this process is one of several webhook workers."""
    turns = await ChatTurns.open(settings.database) if shares_chats(settings, db) else None
    app.bot_data[_TURNS] = turns
    return turns


async def close_turns(app: App) -> None:
    turns = app.bot_data.get(_TURNS)
    if isinstance(turns, ChatTurns):
        await turns.close()


async def close_limits(app: App) -> None:
    windows = app.bot_data.pop(_LIMITS_DB, None)
    if isinstance(windows, Database):
        await windows.close()


async def start_http_server(app: App, svc: Services, worker: DeliveryWorker) -> None:
    """With a webhook: the server that takes Telegram's updates (and /metrics), then
    `setWebhook`. When polling: a /metrics server, only if OMZIEN_METRICS_PORT is set."""
    settings = svc.settings
    bot = app.bot
    assert isinstance(bot, DurableBot)
    receiver: tuple[str, UpdateReceiver] | None = None
    if settings.webhook_url is not None and settings.webhook_secret is not None:
        secret = settings.webhook_secret.get_secret_value()
        shared = shared_inbox(app)
        enqueue = app.update_queue.put if shared is None else shared.received
        receiver = (settings.webhook_path,
                    UpdateReceiver(bot, svc.inbox, svc.clock, secret, enqueue))
        port = settings.webhook_port
    elif settings.metrics_port is not None:
        port = settings.metrics_port
    else:
        return
    server = BotHttpServer(worker.store, svc.clock, receiver)
    await server.start(settings.webhook_listen, port)
    app.bot_data[_HTTP_SERVER] = server
    if settings.webhook_url is not None and receiver is not None:
        await set_webhook(bot, settings.webhook_url, secret, ALLOWED_UPDATES)


def shares_chats(settings: Settings, db: Database) -> bool:
    """Webhook workers on PostgreSQL (any number of them) take turns by chat to handle the
    stored updates and to send the outbox (bot/shared_inbox.py, storage/chat_turns.py); one
    bot alone (SQLite, or polling) keeps its chats in memory."""
    return settings.webhook_url is not None and db.sql.postgresql


async def share_inbox(app: App, svc: Services) -> SharedInbox | None:
    turns = app.bot_data.get(_TURNS)
    if not isinstance(turns, ChatTurns):
        return None
    bot = app.bot

    def read(payload: dict[str, Any]) -> Update | None:
        found = read_update(bot, payload)
        return None if found is None else found[1]

    shared = SharedInbox(svc.inbox, turns, svc.clock, read, app.process_update)
    app.bot_data[_SHARED_INBOX] = shared
    return shared


def shared_inbox(app: App) -> SharedInbox | None:
    shared = app.bot_data.get(_SHARED_INBOX)
    return shared if isinstance(shared, SharedInbox) else None


def http_server(app: App) -> BotHttpServer | None:
    server = app.bot_data.get(_HTTP_SERVER)
    return server if isinstance(server, BotHttpServer) else None


async def stop_http_server(app: App) -> None:
    server = http_server(app)
    if server is not None:
        await server.stop()


async def share_limits(app: App, db: Database) -> None:
    """On PostgreSQL other processes may send for the bot too: Telegram's limits are then
    counted in the database, across all of them, over a pool of their own (a send must not
    wait for a connection behind the statements of hundreds of chats)."""
    limiter = app.bot.rate_limiter if isinstance(app.bot, ExtBot) else None
    if db.sql.postgresql and isinstance(limiter, OmzienRateLimiter):
        windows = await Database.open(db.location, migrate=False)
        app.bot_data[_LIMITS_DB] = windows
        limiter.share(SendSlotStore(windows))
