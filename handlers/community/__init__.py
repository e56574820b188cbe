"""The bot among neighbours: its life in a group (added, removed, members coming and going),
/start with its deep links, /help, /taal, the private menu and "Mijn dingen" (/mijn), a private
chat that always answers, messages passed on between two neighbours, and the error handler that
keeps one bad update from stopping the bot."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.menu import MenuCommand
from bot.services import Services
from handlers.community.errors import on_error
from handlers.community.group_life import register_group_life
from handlers.community.help import show_help
from handlers.community.home import register_home
from handlers.community.language import ask_language, on_language_chosen
from handlers.community.mine import show_mine
from handlers.community.relay import register_relay
from handlers.community.start import register_start
from handlers.kit.command import route_commands

__all__ = ["COMMANDS", "register"]

COMMANDS = [
    MenuCommand({"nl": "start", "en": "start"}, "cmd.start", group=False),
    MenuCommand({"nl": "help", "en": "help"}, "cmd.help"),
    MenuCommand({"nl": "taal", "en": "language"}, "cmd.language"),
    MenuCommand({"nl": "mijn", "en": "mine"}, "cmd.mine", group=False),
]


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    register_group_life(app)
    register_start(app, svc)
    register_relay(app, svc)
    route_commands(app, {
        "help": show_help,
        ("taal", "language"): ask_language,
    })
    app.add_handler(CallbackQueryHandler(on_language_chosen, pattern=r"^g?lang:"))
    app.add_handler(CommandHandler(["mijn", "mine"], show_mine,
                                   filters=filters.ChatType.PRIVATE | filters.ChatType.GROUPS))
    register_home(app)
    app.add_error_handler(on_error)
