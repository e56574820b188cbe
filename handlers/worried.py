"""/zorgen (/worried): whom to talk to when a helper is worried about the neighbour they help.

Shows what the group's admins set as contact in /instellingen for each of the resident's
buildings, and 112 for emergencies. The bot passes nothing on to anyone itself.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.domain.deeplinks import DeepLink
from bot.i18n import Safe, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import Context, is_group, remember, services, user_language
from handlers.offers import go_private_line

COMMANDS = [MenuCommand({"nl": "zorgen", "en": "worried"}, "cmd.worried", group=False)]
WORRIED_LINK = "worried"


async def contacts_text(svc: Services, lang: str, user_id: int) -> str:
    blocks = []
    for building_id in await svc.memberships.buildings_of(user_id):
        building = await svc.buildings.get(building_id)
        if building is None:
            continue
        contact = building.settings.care_contact.strip()
        if contact:
            blocks.append(t(lang, "worried.contact", building=building.title, contact=contact))
        else:
            blocks.append(t(lang, "worried.no_contact", building=building.title))
    if not blocks:
        return t(lang, "worried.text_no_group")
    return t(lang, "worried.text", contacts=Safe("\n\n".join(blocks)))


async def show_contacts(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    await context.bot.send_message(user.id, await contacts_text(svc, lang, user.id))


async def worried_command(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await go_private_line(update, context, WORRIED_LINK, "worried.group.go_private")
        return
    await remember(update, context)
    await show_contacts(update, context)


async def open_worried_link(update: Update, context: Context, link: DeepLink) -> None:
    await show_contacts(update, context)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes[WORRIED_LINK] = open_worried_link
    app.add_handler(CommandHandler(["zorgen", "worried"], worried_command))
