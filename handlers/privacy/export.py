"""/mijngegevens: everything the bot keeps about a resident, from every feature, as one file."""

from __future__ import annotations

import logging

from telegram import Update

from bot.domain.deeplinks import DeepLink
from bot.domain.privacy import EXPORT_FILE_NAME, export_document
from bot.i18n import t
from bot.logs import pseudonym
from bot.services import Services
from handlers.kit.command import Command
from handlers.kit.context import Context

log = logging.getLogger(__name__)


async def collect_export(svc: Services, user_id: int) -> tuple[bytes, bool]:
    """Every feature's part of what is kept about this resident, and whether all parts came."""
    sections: dict[str, object] = {}
    complete = True
    for personal in svc.personal_data:
        try:
            sections[personal.name] = await personal.export(user_id)
        except Exception:
            log.exception("export of %s failed", personal.name)
            sections[personal.name] = {"unavailable": True}
            complete = False
    return export_document(user_id, svc.clock.now(), sections), complete


async def send_export(update: Update, context: Context) -> None:
    """The file goes to the resident's private chat only."""
    command = await Command.open(update, context, record=False)
    if command is None:
        return
    svc, user_id, lang = command.svc, command.user.id, command.lang
    document, complete = await collect_export(svc, user_id)
    caption = t(lang, "data.export.caption") if complete else t(lang, "data.export.partial")
    await svc.out.document(user_id, EXPORT_FILE_NAME, document, caption=caption, private=True)
    log.info("data export sent to %s", pseudonym(user_id))


async def open_export_link(update: Update, context: Context, link: DeepLink) -> None:
    await send_export(update, context)
