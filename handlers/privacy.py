"""/privacy says in plain words what the bot keeps and for how long; the nightly clean-up makes
it true: old texts are erased and groups that removed the bot are erased after a grace period."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.domain.privacy import (
    ERASURE_CONFIRM_WINDOW,
    REMOVED_GROUP_GRACE,
    next_retention_run,
    removed_group_cutoff,
    retention_cutoff,
    retention_ref,
)
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import t
from bot.logs import set_pseudonym_key
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import Context, language_for, services
from storage.privacy import GroupErasureStore, ReportStore, RetentionStore

log = logging.getLogger(__name__)

COMMANDS = [MenuCommand({"nl": "privacy", "en": "privacy"}, "cmd.privacy")]
RETENTION_KIND = "privacy.retention"
LOG_KEY_SECRET = "log_pseudonym_key"


async def show_privacy(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    await message.reply_text(t(
        lang, "privacy.text",
        days=svc.settings.retention_days, grace=REMOVED_GROUP_GRACE.days,
    ))


async def schedule_retention(svc: Services, after: datetime) -> None:
    """The next nightly clean-up, stored once per night (so restarts and reruns add nothing)."""
    zone = svc.settings.zone
    due = next_retention_run(after, zone)
    await svc.scheduler.add(RETENTION_KIND, retention_ref(due, zone), due)


async def run_retention(svc: Services, now: datetime) -> int:
    """Forget by default: every feature erases what is older than the retention period."""
    await schedule_retention(svc, now)
    before = retention_cutoff(now, svc.settings.retention_days)
    erased = 0
    for personal in svc.personal_data:
        try:
            erased += await personal.expire(before)
        except Exception:
            log.exception("retention in %s failed", personal.name)
    erased += await ReportStore(svc.db).expire(before)
    erased += await GroupErasureStore(svc.db).expire(now - ERASURE_CONFIRM_WINDOW)
    groups = await RetentionStore(svc.db).erase_removed_groups(removed_group_cutoff(now))
    log.info("retention: %d row(s) erased, %d removed group(s) erased", erased, len(groups))
    return erased


async def _start(context: Context) -> None:
    """Once the bot runs: a stable key for pseudonyms in logs, and the clean-up on the schedule."""
    svc = services(context)
    now = svc.clock.now()
    salt = svc.settings.log_salt
    key = salt.get_secret_value() if salt else await RetentionStore(svc.db).secret(LOG_KEY_SECRET, now)
    set_pseudonym_key(key)
    await schedule_retention(svc, now)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    async def retention_job(item: ScheduledItem, now: datetime) -> ItemState | None:
        await run_retention(svc, now)
        return ItemState.DONE

    svc.scheduler.register(RETENTION_KIND, retention_job)
    assert app.job_queue is not None
    app.job_queue.run_once(_start, when=0, name="privacy.start")
    app.add_handler(CommandHandler("privacy", show_privacy))
