"""What Telegram shows of the bot outside its messages, per language: the command menus (per
scope) and the bot's description (in an empty chat, before /start) and short description (on its
profile and beside a shared link).

Each is set once without a language, in the bot's default one, for anyone whose app language has
no texts of its own, and once for every language with a catalog. Published at every start, so a
changed text reaches Telegram with the next release.
"""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)

from bot.i18n import plain
from bot.menu import MenuCommand
from locales import SUPPORTED_LANGUAGES

DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120
COMMAND_DESCRIPTION_LIMIT = 256
MENU_SCOPES: tuple[tuple[BotCommandScope, bool, bool], ...] = (
    (BotCommandScopeAllPrivateChats(), False, False),
    (BotCommandScopeAllGroupChats(), True, False),
    (BotCommandScopeAllChatAdministrators(), True, True),
)
"""Each scope with whether it is a group's menu and whether it is its admins' (who alone see the
admin commands: Telegram shows them this menu instead)."""


def published_languages(default: str) -> list[tuple[str | None, str]]:
    """Telegram's `language_code` for each set of texts, with the language they are written in:
    none (everyone else) in `default`, then each language with a catalog in itself."""
    return [(None, default), *((lang, lang) for lang in SUPPORTED_LANGUAGES)]


def menu_commands(menu: list[MenuCommand], lang: str, *, in_group: bool,
                  to_admin: bool) -> list[BotCommand]:
    return [BotCommand(item.name(lang), plain(lang, item.description_key))
            for item in menu if item.shown_in(in_group=in_group, to_admin=to_admin)]


async def publish_profile(bot: Bot, menu: list[MenuCommand], default: str) -> None:
    """The command menus and both descriptions, in every language."""
    for code, lang in published_languages(default):
        for scope, in_group, to_admin in MENU_SCOPES:
            await bot.set_my_commands(
                menu_commands(menu, lang, in_group=in_group, to_admin=to_admin),
                scope=scope, language_code=code)
        await bot.set_my_description(plain(lang, "bot.description"), language_code=code)
        await bot.set_my_short_description(plain(lang, "bot.short_description"),
                                           language_code=code)
