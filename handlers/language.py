"""/taal (/language): a resident picks their own language privately; an admin picks the group's."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.i18n import t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_group_admin,
    language_for,
    remember,
    services,
)
from locales import SUPPORTED_LANGUAGES

COMMANDS = [MenuCommand({"nl": "taal", "en": "language"}, "cmd.language")]


def language_keyboard(scope: str) -> InlineKeyboardMarkup:
    """Each language named in itself, so anyone can find their own."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "language.name"), callback_data=callback_data(scope, lang))
          for lang in SUPPORTED_LANGUAGES]]
    )


async def ask_language(update: Update, context: Context) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    await remember(update, context)
    lang = await language_for(update, context)
    if is_group(chat):
        if not await is_group_admin(context, chat.id, user.id):
            await message.reply_text(t(lang, "language.admin_only"))
            return
        await message.reply_text(t(lang, "language.choose_group"),
                                 reply_markup=language_keyboard("glang"))
        return
    await message.reply_text(t(lang, "language.choose"), reply_markup=language_keyboard("lang"))


async def on_language_chosen(update: Update, context: Context) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    scope, _, chosen = query.data.partition(":")
    svc = services(context)
    if chosen not in SUPPORTED_LANGUAGES:
        await answer(update, t(await language_for(update, context), "error.stale_button"))
        return
    if scope == "glang":
        if not is_group(chat) or not await is_group_admin(context, chat.id, user.id):
            await answer(update, t(await language_for(update, context), "language.admin_only"),
                         show_alert=True)
            return
        await svc.buildings.set_language(chat.id, chosen)
        await answer(update)
        await query.edit_message_text(t(chosen, "language.group_set"))
        return
    resident = await remember(update, context)
    if resident is None or is_group(chat):
        await answer(update, t(await language_for(update, context), "error.not_yours"))
        return
    await svc.residents.set_language(user.id, chosen)
    await answer(update)
    await query.edit_message_text(t(chosen, "language.set"))


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(["taal", "language"], ask_language))
    app.add_handler(CallbackQueryHandler(on_language_chosen, pattern=r"^g?lang:"))
