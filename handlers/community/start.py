"""/start: onboarding in a private chat, deep links routed to the feature that made them, and a
nudge from the group to go private.

A plain /start finds the resident's building by itself: from what the bot saw in the group, or
by asking Telegram whether they are in each group the bot is in. Only when neither knows does it
ask for one /start in the group, never for a button on an old message far up.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.deeplinks import DeepLink, is_valid_payload
from bot.i18n import t
from bot.services import Services
from handlers.community.menu import home_keyboard
from handlers.kit.context import BUILDING_LINK, Context, remember, resident_language, services
from handlers.kit.guards import is_member, resident_buildings
from handlers.kit.reach import need_start_line


async def start_private(update: Update, context: Context) -> None:
    svc = services(context)
    resident = await remember(update, context)
    if resident is None:
        return
    await svc.residents.mark_started(resident.user_id, svc.clock.now())
    lang = resident_language(svc, resident)
    payload = context.args[0] if context.args else None
    if payload is None:
        await greet(svc, update, context, resident.user_id, resident.first_name, lang)
        return
    link = await svc.deep_links.get(payload) if is_valid_payload(payload) else None
    route = svc.link_routes.get(link.kind) if link is not None else None
    if link is None or route is None or not link.usable_at(svc.clock.now()):
        await svc.out.reply(update, t(lang, "start.link_unknown"))
        return
    if not link.opens_for(resident.user_id):
        await svc.out.reply(update, t(lang, "start.link_not_yours"))
        return
    await route(update, context, link)


async def greet(svc: Services, update: Update, context: Context, user_id: int, name: str,
                lang: str) -> None:
    """Hello, the resident's building (found if need be) and the private menu."""
    text = t(lang, "start.private", name=name)
    buildings = await resident_buildings(context, user_id)
    if not buildings:
        await svc.out.reply(update, text + "\n\n" + t(lang, "start.find_building"))
        return
    for building_id in buildings:
        building = await svc.buildings.get(building_id)
        if building is not None:
            text += "\n\n" + t(lang, "start.linked", building=building.title)
    await svc.out.reply(update, text, keyboard=home_keyboard(lang))


async def open_building(update: Update, context: Context, link: DeepLink) -> None:
    """The group's "Begin hier" link: greet, and tie the resident to that building."""
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    lang = resident_language(svc, await svc.residents.get(user.id))
    building = await svc.buildings.get(link.building_id)
    resident = await svc.residents.get(user.id)
    text = t(lang, "start.private", name=resident.first_name if resident else "")
    # A link can be forwarded: it ties to a building only someone who is in its group.
    if building is not None and await is_member(context, building.chat_id, user.id):
        text += "\n\n" + t(lang, "start.linked", building=building.title)
        await svc.out.reply(update, text, keyboard=home_keyboard(lang))
        return
    await svc.out.reply(update, text)


async def start_in_group(update: Update, context: Context) -> None:
    """`/start` in the group: say hello privately, or show the way there if we may not."""
    user, chat = update.effective_user, update.effective_chat
    resident = await remember(update, context)
    if user is None or chat is None or resident is None:
        return
    svc = services(context)
    lang = resident_language(svc, resident)
    text = t(lang, "start.private", name=resident.first_name)
    building = await svc.buildings.get(chat.id)
    if building is not None:
        text += "\n\n" + t(lang, "start.linked", building=building.title)
    message = update.effective_message
    fallback = await need_start_line(svc, chat.id, user.id,
                                     reply_to=message.message_id if message else None)
    await svc.out.private(user.id, text, keyboard=home_keyboard(lang), fallback=fallback)


def register_start(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes[BUILDING_LINK] = open_building
    app.add_handler(CommandHandler("start", start_private, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("start", start_in_group, filters=filters.ChatType.GROUPS))
