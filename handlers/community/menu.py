"""The private menu: what a resident can do from their own chat with the bot, in four buttons.

Shown after a plain /start and whenever the private chat gets something nothing waits for
(handlers.community.home); the presses are answered there too (`home:<what>`).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import plain
from handlers.kit.buttons import button, keyboard

HOME = "home"
"""Callback prefix of the menu's buttons."""
ASK, HELP, ACTIVITIES, MINE = "ask", "help", "act", "mine"


def home_keyboard(lang: str) -> InlineKeyboardMarkup:
    return keyboard(
        [button(plain(lang, "home.button.ask"), HOME, ASK),
         button(plain(lang, "home.button.help"), HOME, HELP)],
        [button(plain(lang, "home.button.activities"), HOME, ACTIVITIES),
         button(plain(lang, "home.button.mine"), HOME, MINE)],
    )
