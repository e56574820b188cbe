"""Forget by default: the nightly clean-up erases old texts, and groups that removed the bot are
erased after a grace period. Also, once the bot runs, the key that pseudonymises logs."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram.ext import Application

from bot.domain.privacy import (
    ERASURE_CONFIRM_WINDOW,
    next_retention_run,
    removed_group_cutoff,
    retention_cutoff,
    retention_ref,
)
from bot.domain.schedule import ItemState, ScheduledItem
from bot.logs import set_pseudonym_key
from bot.services import Services
from handlers.kit.at_start import run_at_start
from handlers.kit.context import Context, services

log = logging.getLogger(__name__)

RETENTION_KIND = "privacy.retention"
LOG_KEY_SECRET = "log_pseudonym_key"


async def schedule_retention(svc: Services, after: datetime) -> None:
    """The next nightly clean-up, stored once per night (so restarts and reruns add nothing)."""
    zone = svc.settings.zone
    due = next_retention_run(after, zone)
    await svc.scheduler.add(RETENTION_KIND, retention_ref(due, zone), due)


async def run_retention(svc: Services, now: datetime) -> int:
    """Every feature erases what is older than the retention period; one failing feature does
    not keep the others from forgetting."""
    await schedule_retention(svc, now)
    before = retention_cutoff(now, svc.settings.retention_days)
    erased = 0
    for personal in svc.personal_data:
        try:
            erased += await personal.expire(before)
        except Exception:
            log.exception("retention in %s failed", personal.name)
    erased += await svc.stores.reports.expire(before)
    erased += await svc.stores.erasures.expire(now - ERASURE_CONFIRM_WINDOW)
    groups = await svc.stores.retention.erase_removed_groups(removed_group_cutoff(now))
    log.info("retention: %d row(s) erased, %d removed group(s) erased", erased, len(groups))
    return erased


async def _start(context: Context) -> None:
    """Once the bot runs: a stable key for pseudonyms in logs, and the clean-up on the schedule."""
    svc = services(context)
    now = svc.clock.now()
    salt = svc.settings.log_salt
    key = (salt.get_secret_value() if salt
           else await svc.stores.retention.secret(LOG_KEY_SECRET, now))
    set_pseudonym_key(key)
    await schedule_retention(svc, now)


def register_jobs(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    async def retention_job(item: ScheduledItem, now: datetime) -> ItemState | None:
        await run_retention(svc, now)
        return ItemState.DONE

    svc.scheduler.register(RETENTION_KIND, retention_job, calm=False)  # it sends nothing
    run_at_start(app, _start, after=0, name="privacy.start")
