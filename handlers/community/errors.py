"""One bad update never stops the bot: log it (without its content), tell the resident kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.i18n import plain, t
from handlers.kit.context import Context, language_for, services
from handlers.kit.guards import answer

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or "services" not in context.bot_data:
        return
    try:
        lang = await language_for(update, context)
        if update.callback_query is not None:
            await answer(update, plain(lang, "error.generic"))
        elif update.effective_message is not None and update.effective_chat is not None \
                and update.effective_chat.type == ChatType.PRIVATE:
            await services(context).out.reply(update, t(lang, "error.generic"))
    except TelegramError:
        log.warning("could not tell the resident about the failed update %s", update_id)
