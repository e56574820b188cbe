"""The anonymous figures: /cijfers for the group and for the community workers it invited.

`commands` has the commands and buttons, `flow` the worker's typed name and organisation,
`data` the report read from storage and the worker's own data, `render` the message, file
and chart a person reads.
"""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.services import Services
from handlers.insights import commands, flow
from handlers.insights.commands import COMMANDS
from handlers.insights.data import WorkerData

__all__ = ["COMMANDS", "register"]


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    """The invitations and their stop buttons first, then /cijfers, as they have always been."""
    svc.link_routes[flow.LINK_KIND] = flow.open_invite
    svc.personal_data.append(WorkerData(app, svc))
    app.add_handler(CommandHandler(["uitnodigen", "invite"], commands.invite))
    app.add_handler(CommandHandler(["cijfersstop", "stopstats"], commands.show_workers))
    app.add_handler(CallbackQueryHandler(commands.on_stop, pattern=rf"^{flow.PREFIX}:stop:"))
    app.add_handler(CallbackQueryHandler(flow.on_cancel, pattern=rf"^{flow.PREFIX}:cancel$"))
    app.add_handler(
        CommandHandler("start", flow.refuse_used_invite, filters=filters.ChatType.PRIVATE),
        group=flow.START_GROUP,
    )
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, flow.on_text),
        group=flow.TEXT_GROUP,
    )
    app.add_handler(CommandHandler(["cijfers", "stats"], commands.show_insights))
