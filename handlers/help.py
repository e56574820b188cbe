"""/help lists what a resident can do here, in the reader's language, from the one command list."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.i18n import Safe, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import Context, is_group, language_for, remember, services

COMMANDS = [MenuCommand({"nl": "help", "en": "help"}, "cmd.help")]


def help_text(menu: list[MenuCommand], lang: str, *, in_group: bool) -> str:
    lines = [
        t(lang, "help.line", command=command.name(lang), description=t(lang, command.description_key))
        for command in menu
        if (command.group if in_group else command.private)
    ]
    key = "help.group" if in_group else "help.private"
    return t(lang, key, commands=Safe("\n".join(lines)))


async def show_help(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    await remember(update, context)
    lang = await language_for(update, context)
    text = help_text(services(context).menu, lang, in_group=is_group(update.effective_chat))
    await message.reply_text(text)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("help", show_help))
