"""Privacy and safety: what the bot keeps and for how long (/privacy and the nightly clean-up),
a resident's rights over their data (/mijngegevens, /vergeetmij), an admin's over the group's
(/wisgroep), the screen of odd senders with the per-resident limit, and "Meld" reports."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.services import Services
from handlers.privacy.commands import (
    COMMANDS,
    EXPORT_LINK,
    FORGET_LINK,
    on_forgetme,
    on_mydata,
    show_privacy,
)
from handlers.privacy.erase_group import (
    ERASURE_CARD,
    WIPE,
    ErasureQuestion,
    on_erase_answer,
    on_erasegroup,
)
from handlers.privacy.export import open_export_link
from handlers.privacy.forget import FORGET, on_forget_answer, open_forget_link
from handlers.privacy.jobs import register_jobs
from handlers.privacy.reports import register_reports
from handlers.privacy.screen import register_screen

__all__ = ["COMMANDS", "register"]


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    register_screen(app)
    register_reports(app)
    register_jobs(app, svc)
    svc.personal_data.append(svc.stores.foundation)
    svc.link_routes[EXPORT_LINK] = open_export_link
    svc.link_routes[FORGET_LINK] = open_forget_link
    svc.cards.register(ERASURE_CARD, ErasureQuestion(svc))
    app.add_handler(CommandHandler("privacy", show_privacy))
    app.add_handler(CommandHandler(["mijngegevens", "mydata"], on_mydata))
    app.add_handler(CommandHandler(["vergeetmij", "forgetme"], on_forgetme))
    app.add_handler(CommandHandler(["wisgroep", "erasegroup"], on_erasegroup))
    app.add_handler(CallbackQueryHandler(on_forget_answer, pattern=rf"^{FORGET}:"))
    app.add_handler(CallbackQueryHandler(on_erase_answer, pattern=rf"^{WIPE}:"))
