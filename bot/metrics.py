"""Prometheus metrics: what an operator watches to see the bot keep up.

Counters and the latency histogram live in this process (each worker is scraped on its own);
the outbox figures are read from the database at scrape time, so every worker on one database
reports the same queue. Labels never carry names, chat ids or user ids: only the kind of update
and where a retry came from.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from storage.outbox import OutboxStore

REGISTRY = CollectorRegistry()
CONTENT_TYPE = CONTENT_TYPE_LATEST

UPDATES_HANDLED = Counter(
    "omzien_updates_handled", "Updates handled, by kind of update.", ["kind"], registry=REGISTRY,
)
HANDLER_SECONDS = Histogram(
    "omzien_handler_seconds", "Time from the start of an update's handling to its commit.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0), registry=REGISTRY,
)
TELEGRAM_429 = Counter(
    "omzien_telegram_429", "Calls Telegram answered with 429 Too Many Requests.",
    registry=REGISTRY,
)
RETRIES = Counter(
    "omzien_telegram_retries", "Calls to Telegram tried again, by who tried again.", ["by"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "omzien_outbox_pending", "Messages waiting in the outbox to be sent.", registry=REGISTRY,
)
OUTBOX_AGE = Gauge(
    "omzien_outbox_oldest_age_seconds", "How long the oldest waiting message has waited.",
    registry=REGISTRY,
)

UPDATE_KINDS = ("message", "callback_query", "my_chat_member", "chat_member")
RETRY_BY_RATE_LIMITER = "rate_limiter"
RETRY_BY_DELIVERY = "delivery"


def update_kind(update: object) -> str:
    """The kind of a Bot API update, from the few the bot asks for ("other" for the rest)."""
    return next((kind for kind in UPDATE_KINDS if getattr(update, kind, None) is not None),
                "other")


async def render(outbox: OutboxStore, now: datetime) -> bytes:
    """The metrics in Prometheus's text format, the outbox read as it is now."""
    OUTBOX_DEPTH.set(await outbox.pending_count())
    oldest = await outbox.oldest_pending()
    OUTBOX_AGE.set(0.0 if oldest is None else max(0.0, (now - oldest).total_seconds()))
    return generate_latest(REGISTRY)
