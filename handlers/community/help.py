"""/help lists what a resident can do here, in the reader's language, from the one command list."""

from __future__ import annotations

from telegram import Update

from bot.i18n import Safe, t, ts
from bot.menu import MenuCommand
from handlers.kit.context import Context, is_group, language_for, remember, services


def help_text(menu: list[MenuCommand], lang: str, *, in_group: bool) -> str:
    lines = [
        # Both are whole pieces of their own (a command name in Latin letters, a translated
        # text): no isolates, so "/help" stays a command Telegram can tap, in Arabic too.
        t(lang, "help.line", command=Safe(command.name(lang)),
          description=ts(lang, command.description_key))
        for command in menu
        if (command.group if in_group else command.private)
    ]
    key = "help.group" if in_group else "help.private"
    return t(lang, key, commands=Safe("\n".join(lines)))


async def show_help(update: Update, context: Context) -> None:
    await remember(update, context)
    svc = services(context)
    lang = await language_for(update, context)
    await svc.out.reply(update, help_text(svc.menu, lang, in_group=is_group(update.effective_chat)))
