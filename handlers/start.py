"""/start: onboarding in a private chat, deep links, and a nudge from the group to go private."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.deeplinks import DeepLink, is_valid_payload
from bot.i18n import t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import Context, is_member, remember, resident_language, send_private, services

COMMANDS = [MenuCommand({"nl": "start", "en": "start"}, "cmd.start", group=False)]


async def start_private(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    resident = await remember(update, context)
    if resident is None:
        return
    await svc.residents.mark_started(resident.user_id, svc.clock.now())
    lang = resident_language(svc, resident)
    payload = context.args[0] if context.args else None
    if payload is None:
        await message.reply_text(t(lang, "start.private", name=resident.first_name))
        return
    link = await svc.deep_links.get(payload) if is_valid_payload(payload) else None
    route = svc.link_routes.get(link.kind) if link is not None else None
    if link is None or route is None or not link.usable_at(svc.clock.now()):
        await message.reply_text(t(lang, "start.link_unknown"))
        return
    await route(update, context, link)


async def open_building(update: Update, context: Context, link: DeepLink) -> None:
    """The group's "Begin hier" link: greet, and tie the resident to that building."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or link.building_id is None:
        return
    svc = services(context)
    resident = await svc.residents.get(user.id)
    lang = resident_language(svc, resident)
    building = await svc.buildings.get(link.building_id)
    text = t(lang, "start.private", name=user.first_name)
    # A link can be forwarded: it ties to a building only someone who is in its group.
    if building is not None and await is_member(context, building.chat_id, user.id):
        text += "\n\n" + t(lang, "start.linked", building=building.title)
    await message.reply_text(text)


async def start_in_group(update: Update, context: Context) -> None:
    """`/start` in the group: say hello privately, or show the way there if we may not."""
    user, chat = update.effective_user, update.effective_chat
    resident = await remember(update, context)
    if user is None or chat is None or resident is None:
        return
    svc = services(context)
    lang = resident_language(svc, resident)
    await send_private(
        context,
        user.id,
        t(lang, "start.private", name=user.first_name),
        fallback_chat_id=chat.id,
        fallback_name=user.first_name,
    )


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes["building"] = open_building
    app.add_handler(CommandHandler("start", start_private, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("start", start_in_group, filters=filters.ChatType.GROUPS))
