"""Privacy and safety: what the bot keeps and for how long (/privacy and the nightly clean-up),
a resident's rights over their data (/mijngegevens, /vergeetmij), an admin's over the group's
(/wisgroep), the screen of odd senders with the per-resident limit, and "Meld" reports."""

from __future__ import annotations

from telegram.ext import Application

from bot.services import Services
from handlers.kit.command import route_commands
from handlers.kit.press import route_presses
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
    svc.link_routes.update({
        EXPORT_LINK: open_export_link,
        FORGET_LINK: open_forget_link,
    })
    svc.cards.register(ERASURE_CARD, ErasureQuestion(svc))
    route_commands(app, {
        "privacy": show_privacy,
        ("mijngegevens", "mydata"): on_mydata,
        ("vergeetmij", "forgetme"): on_forgetme,
        ("wisgroep", "erasegroup"): on_erasegroup,
    })
    route_presses(app, {
        rf"^{FORGET}:": on_forget_answer,
        rf"^{WIPE}:": on_erase_answer,
    })
