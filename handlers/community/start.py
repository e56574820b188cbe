"""/start: onboarding in a private chat, deep links routed to the feature that made them, and a
nudge from the group to go private.

A plain /start finds the resident's building by itself: from what the bot saw in the group, or
by asking Telegram whether they are in each group the bot is in. Only when neither knows does it
ask for one /start in the group, never for a button on an old message far up.

A resident whose language the bot does not know yet (Telegram's is none of those it speaks) is
first asked for it, by buttons; the press goes on with the same /start, deep link included.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.domain.community import Resident
from bot.domain.deeplinks import DeepLink, is_valid_payload
from bot.domain.languages import LANGUAGE_CODES, own_language
from bot.i18n import t
from bot.services import Services
from handlers.community.language import first_question, language_keyboard
from handlers.community.menu import home_keyboard
from handlers.kit.buttons import CALLBACK_DATA_LIMIT
from handlers.kit.context import BUILDING_LINK, Context, remember, resident_language, services
from handlers.kit.guards import is_member, resident_buildings
from handlers.kit.press import Press, Speaks
from handlers.kit.reach import need_start_line

FIRST_CONTACT = "hello"
"""Callback prefix of the language buttons at first contact: `hello:<code>[:<deep-link payload>]`."""


def first_contact_keyboard(payload: str | None) -> InlineKeyboardMarkup:
    """The languages, each carrying the deep link the resident came with. A payload too long to
    ride along (ours are far shorter) is left behind: the press then greets."""
    after: tuple[str, ...] = ()
    widest = max(len(code) for code in LANGUAGE_CODES)
    if payload is not None and is_valid_payload(payload) \
            and len(f"{FIRST_CONTACT}:{'x' * widest}:{payload}") <= CALLBACK_DATA_LIMIT:
        after = (payload,)
    return language_keyboard(FIRST_CONTACT, *after)


async def start_private(update: Update, context: Context) -> None:
    svc = services(context)
    resident = await remember(update, context)
    if resident is None:
        return
    await svc.residents.mark_started(resident.user_id, svc.clock.now())
    payload = context.args[0] if context.args else None
    lang = own_language(resident.language, resident.telegram_language)
    if lang is None:
        await svc.out.reply(update, first_question(), keyboard=first_contact_keyboard(payload))
        return
    await go_on(update, context, resident, lang, payload)


async def on_first_language(update: Update, context: Context) -> None:
    """A language picked at first contact: kept as the resident's, then /start goes on."""
    press = await Press.open_own_chat(update, context, "error.stale_button", Speaks.RESIDENT)
    if press is None:
        return
    chosen, payload = press.part(1), press.part(2) or None
    if len(press.parts) > 3 or chosen not in LANGUAGE_CODES:
        await press.tell("error.stale_button")
        return
    svc = press.svc
    await svc.residents.set_language(press.user.id, chosen)
    resident = await svc.residents.get(press.user.id)
    assert resident is not None
    await press.answer()
    await svc.out.replace_pressed(update, t(chosen, "language.set"))
    await go_on(update, context, resident, chosen, payload)


async def go_on(update: Update, context: Context, resident: Resident, lang: str,
                payload: str | None) -> None:
    """/start in the resident's language: a greeting, or where the deep link leads."""
    svc = services(context)
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
    message = update.effective_message
    fallback = await need_start_line(svc, chat.id, user.id,
                                     reply_to=message.message_id if message else None)
    lang = own_language(resident.language, resident.telegram_language)
    if lang is None:
        await svc.out.private(user.id, first_question(), keyboard=first_contact_keyboard(None),
                              fallback=fallback)
        return
    text = t(lang, "start.private", name=resident.first_name)
    building = await svc.buildings.get(chat.id)
    if building is not None:
        text += "\n\n" + t(lang, "start.linked", building=building.title)
    await svc.out.private(user.id, text, keyboard=home_keyboard(lang), fallback=fallback)


def register_start(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes[BUILDING_LINK] = open_building
    app.add_handler(CommandHandler("start", start_private, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("start", start_in_group, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(on_first_language, pattern=rf"^{FIRST_CONTACT}:"))
