"""A resident's rights over their data: see all of it (/mijngegevens), have all of it erased
(/vergeetmij); and a group admin's: erase everything the bot keeps about the group (/wisgroep).

Personal things happen in a private chat; in a group these commands only show the way there.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.deeplinks import DeepLink, link_url
from bot.domain.privacy import EXPORT_FILE_NAME, export_document
from bot.i18n import t
from bot.logs import pseudonym
from bot.menu import MenuCommand
from bot.services import PersonalData, Services
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_group_admin,
    language_for,
    services,
)
from handlers.group_life import run_departure_hooks
from storage.privacy import FoundationData, GroupErasureStore

log = logging.getLogger(__name__)

COMMANDS = [
    MenuCommand({"nl": "mijngegevens", "en": "mydata"}, "cmd.mydata", group=False),
    MenuCommand({"nl": "vergeetmij", "en": "forgetme"}, "cmd.forgetme", group=False),
    MenuCommand({"nl": "wisgroep", "en": "erasegroup"}, "cmd.erasegroup", private=False),
]
EXPORT_LINK, FORGET_LINK = "mydata", "forgetme"


# --- shared ---------------------------------------------------------------------------------

def _foundation(svc: Services) -> PersonalData:
    return next(pd for pd in svc.personal_data if pd.name == FoundationData.name)


async def _private_pointer(update: Update, context: Context, kind: str) -> None:
    """In a group: one short line with a button that opens the private chat for this."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    url = f"https://t.me/{svc.bot_username}"
    if await svc.buildings.get(chat.id) is not None:
        link = await svc.deep_links.reusable(kind, chat.id, "", svc.clock.now())
        url = link_url(svc.bot_username, link.token)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(t(lang, "button.open_private"), url=url)]])
    await message.reply_text(t(lang, "data.go_private"), reply_markup=keyboard)


# --- /mijngegevens --------------------------------------------------------------------------

async def collect_export(svc: Services, user_id: int) -> tuple[bytes, bool]:
    """Every feature's part of what is kept about this resident, and whether all parts came."""
    sections: dict[str, object] = {}
    complete = True
    for personal in svc.personal_data:
        try:
            sections[personal.name] = await personal.export(user_id)
        except Exception:
            log.exception("export of %s failed", personal.name)
            sections[personal.name] = {"unavailable": True}
            complete = False
    return export_document(user_id, svc.clock.now(), sections), complete


async def send_export(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    document, complete = await collect_export(svc, user.id)
    await message.reply_document(
        document, filename=EXPORT_FILE_NAME,
        caption=t(lang, "data.export.caption") if complete else t(lang, "data.export.partial"),
    )
    log.info("data export sent to %s", pseudonym(user.id))


async def on_mydata(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await _private_pointer(update, context, EXPORT_LINK)
    else:
        await send_export(update, context)


async def open_export_link(update: Update, context: Context, link: DeepLink) -> None:
    await send_export(update, context)


# --- /vergeetmij ----------------------------------------------------------------------------

def forget_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "data.forget.yes"), callback_data=callback_data("fgt", "yes")),
        InlineKeyboardButton(t(lang, "data.forget.no"), callback_data=callback_data("fgt", "no")),
    ]])


async def ask_forget(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    lang = await language_for(update, context)
    await message.reply_text(t(lang, "data.forget.ask"), reply_markup=forget_keyboard(lang))


async def on_forgetme(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await _private_pointer(update, context, FORGET_LINK)
    else:
        await ask_forget(update, context)


async def open_forget_link(update: Update, context: Context, link: DeepLink) -> None:
    await ask_forget(update, context)


async def forget_resident(svc: Services, user_id: int) -> bool:
    """Erase everything about a resident: features first (they may still need the memberships
    to edit cards), the foundation last. Harmless to repeat; False when some part failed."""
    now = svc.clock.now()
    for building_id in await svc.memberships.buildings_of(user_id):
        await run_departure_hooks(svc, building_id, user_id, now)
    foundation = _foundation(svc)
    complete = True
    for personal in svc.personal_data:
        if personal is foundation:
            continue
        try:
            await personal.forget(user_id, now)
        except Exception:
            log.exception("forgetting in %s failed", personal.name)
            complete = False
    if complete:
        await foundation.forget(user_id, now)
    return complete


async def on_forget_answer(update: Update, context: Context) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None:
        return
    lang = await language_for(update, context)
    if chat.id != user.id:
        await answer(update, t(lang, "error.not_yours"))
        return
    if query.data == "fgt:no":
        await answer(update)
        await query.edit_message_text(t(lang, "data.forget.kept"))
        return
    if query.data != "fgt:yes":
        await answer(update, t(lang, "error.stale_button"))
        return
    complete = await forget_resident(services(context), user.id)
    log.info("resident %s was forgotten%s", pseudonym(user.id), "" if complete else " in part")
    await answer(update)
    await query.edit_message_text(
        t(lang, "data.forget.done") if complete else t(lang, "data.forget.partial")
    )


# --- /wisgroep ------------------------------------------------------------------------------

def erase_keyboard(lang: str, step: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "erase.yes1") if step == 1 else t(lang, "erase.yes2"),
                             callback_data=callback_data("wipe", step)),
        InlineKeyboardButton(t(lang, "erase.no"), callback_data=callback_data("wipe", "no")),
    ]])


async def on_erasegroup(update: Update, context: Context) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    lang = await language_for(update, context)
    if not is_group(chat):
        await message.reply_text(t(lang, "erase.in_group"))
        return
    svc = services(context)
    if await svc.buildings.get(chat.id) is None:
        await message.reply_text(t(lang, "erase.nothing"))
        return
    if not await is_group_admin(context, chat.id, user.id):
        await message.reply_text(t(lang, "erase.admin_only"))
        return
    asked: Message = await message.reply_text(t(lang, "erase.ask1"), reply_markup=erase_keyboard(lang, 1))
    await GroupErasureStore(svc.db).begin(chat.id, asked.message_id, svc.clock.now())


async def on_erase_answer(update: Update, context: Context) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None or query.message is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    if not is_group(chat) or not await is_group_admin(context, chat.id, user.id):
        await answer(update, t(lang, "erase.admin_only"), show_alert=True)
        return
    store = GroupErasureStore(svc.db)
    erasure = await store.get(chat.id)
    message_id = query.message.message_id
    choice = (query.data or "").partition(":")[2]
    if choice == "no":
        if erasure is not None and erasure.message_id == message_id:
            await store.call_off(chat.id)
        await answer(update)
        await query.edit_message_text(t(lang, "erase.called_off"))
        return
    step = {"1": 1, "2": 2}.get(choice)
    if step is None or erasure is None or not erasure.accepts(message_id, step, svc.clock.now()):
        await answer(update, t(lang, "error.stale_button"))
        return
    if step == 1:
        if not await store.advance(chat.id, message_id):
            await answer(update, t(lang, "error.stale_button"))
            return
        await answer(update)
        await query.edit_message_text(t(lang, "erase.ask2"), reply_markup=erase_keyboard(lang, 2))
        return
    building = await svc.buildings.get(chat.id)
    if building is None or not await store.erase_building(chat.id, message_id):
        await answer(update, t(lang, "error.stale_button"))
        return
    # The bot stays in the group, so the group starts again with a clean slate.
    await svc.buildings.activate(chat.id, building.title, building.language, svc.clock.now())
    log.info("all data of group %s erased at an admin's request", chat.id)
    await answer(update)
    await query.edit_message_text(t(lang, "erase.done"))


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.personal_data.append(FoundationData(svc.db))
    svc.link_routes[EXPORT_LINK] = open_export_link
    svc.link_routes[FORGET_LINK] = open_forget_link
    app.add_handler(CommandHandler(["mijngegevens", "mydata"], on_mydata))
    app.add_handler(CommandHandler(["vergeetmij", "forgetme"], on_forgetme))
    app.add_handler(CommandHandler(["wisgroep", "erasegroup"], on_erasegroup))
    app.add_handler(CallbackQueryHandler(on_forget_answer, pattern=r"^fgt:"))
    app.add_handler(CallbackQueryHandler(on_erase_answer, pattern=r"^wipe:"))
