"""One bad update never stops the bot: log it (without its content), tell the resident kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.i18n import t
from bot.services import Services
from handlers.common import Context, language_for

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or "services" not in context.bot_data:
        return
    try:
        lang = await language_for(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(t(lang, "error.generic"))
        elif update.effective_message is not None and update.effective_chat is not None \
                and update.effective_chat.type == "private":
            await update.effective_message.reply_text(t(lang, "error.generic"))
    except TelegramError:
        log.warning("could not tell the resident about the failed update %s", update_id)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    app.add_error_handler(on_error)
