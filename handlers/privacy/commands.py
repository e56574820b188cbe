"""/privacy says in plain words what the bot keeps and for how long; /mijngegevens and
/vergeetmij are personal, so in a group they only show the way to the private chat."""

from __future__ import annotations

from telegram import Update

from bot.domain.deeplinks import link_url
from bot.domain.privacy import REMOVED_GROUP_GRACE
from bot.i18n import plain, t, tsn
from bot.menu import MenuCommand
from handlers.kit.buttons import keyboard, link_button
from handlers.kit.context import Context, is_group, language_for, services
from handlers.privacy.export import send_export
from handlers.privacy.forget import ask_forget

COMMANDS = [
    MenuCommand({"nl": "privacy", "en": "privacy"}, "cmd.privacy"),
    MenuCommand({"nl": "mijngegevens", "en": "mydata"}, "cmd.mydata", group=False),
    MenuCommand({"nl": "vergeetmij", "en": "forgetme"}, "cmd.forgetme", group=False),
    MenuCommand({"nl": "wisgroep", "en": "erasegroup"}, "cmd.erasegroup", private=False,
                admin=True),
]
EXPORT_LINK, FORGET_LINK = "mydata", "forgetme"
"""Deep-link kinds: the group pointer opens the private chat straight into the export or the
question to forget."""


async def show_privacy(update: Update, context: Context) -> None:
    svc = services(context)
    lang = await language_for(update, context)
    await svc.out.reply(update, t(
        lang, "privacy.text",
        days=tsn(lang, "privacy.days", svc.settings.retention_days),
        grace=tsn(lang, "privacy.days", REMOVED_GROUP_GRACE.days),
    ))


async def point_to_private(update: Update, context: Context, kind: str) -> None:
    """In a group: one short line with a button that opens the private chat for this."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    url = f"https://t.me/{svc.bot_username}"
    if await svc.buildings.get(chat.id) is not None:
        link = await svc.deep_links.reusable(kind, chat.id, "", svc.clock.now())
        url = link_url(svc.bot_username, link.token)
    await svc.redirects.reply(update, t(lang, "data.go_private"), keyboard=keyboard(
        [link_button(plain(lang, "button.open_private"), url)]))


async def on_mydata(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await point_to_private(update, context, EXPORT_LINK)
    else:
        await send_export(update, context)


async def on_forgetme(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await point_to_private(update, context, FORGET_LINK)
    else:
        await ask_forget(update, context)
