"""/wisgroep: a group admin erases everything the bot keeps about the group, after two
confirmations on the one message that asked (so a stray or a second admin's press erases once)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.cards import RenderedCard
from handlers.kit.context import Context, is_group, language_for, services
from handlers.kit.guards import admin_now, answer, group_admin
from handlers.kit.send import CardRef

log = logging.getLogger(__name__)

ERASURE_CARD = "erasure"
"""The question in the group is a card, keyed by the group's chat id: posting it begins the
erasure, which then only accepts presses on that message."""
WIPE = "wipe"
"""Callback prefix: `wipe:1`, `wipe:2` (the confirmation steps) or `wipe:no`."""


def erase_keyboard(lang: str, step: int) -> InlineKeyboardMarkup:
    confirm = plain(lang, "erase.yes1") if step == 1 else plain(lang, "erase.yes2")
    return keyboard([button(confirm, WIPE, step), button(plain(lang, "erase.no"), WIPE, "no")])


class ErasureQuestion:
    """The first question of a group erasure; its message id is where confirmations count."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc

    async def render(self, item_id: int) -> RenderedCard | None:
        building = await self._svc.buildings.get(item_id)
        if building is None:
            return None
        lang = building.language
        return RenderedCard(item_id, t(lang, "erase.ask1"), erase_keyboard(lang, 1))

    async def message_id(self, item_id: int) -> int | None:
        erasure = await self._svc.stores.erasures.get(item_id)
        return erasure.message_id if erasure is not None else None

    async def record(self, item_id: int, message_id: int) -> None:
        await self._svc.stores.erasures.begin(item_id, message_id, self._svc.clock.now())


async def on_erasegroup(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    if not is_group(chat):
        await svc.out.reply(update, t(lang, "erase.in_group"))
        return
    if await svc.buildings.get(chat.id) is None:
        await svc.out.reply(update, t(lang, "erase.nothing"))
        return
    if await group_admin(update, context, "erase.admin_only", lang=lang):
        await svc.cards.post(CardRef(kind=ERASURE_CARD, item_id=chat.id))


async def on_erase_answer(update: Update, context: Context) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None or query.message is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    if await svc.buildings.get(chat.id) is None:
        await answer(update, plain(lang, "error.stale_button"))
        return
    if not is_group(chat) or not await admin_now(context, chat.id, user.id):
        await answer(update, plain(lang, "erase.admin_only"), show_alert=True)
        return
    store = svc.stores.erasures
    erasure = await store.get(chat.id)
    message_id = query.message.message_id
    choice = (query.data or "").partition(":")[2]
    if choice == "no":
        if erasure is not None and erasure.message_id == message_id:
            await store.call_off(chat.id)
        await answer(update)
        await svc.out.edit(chat.id, message_id, t(lang, "erase.called_off"))
        return
    step = {"1": 1, "2": 2}.get(choice)
    if step is None or erasure is None or not erasure.accepts(message_id, step, svc.clock.now()):
        await answer(update, plain(lang, "error.stale_button"))
        return
    if step == 1:
        if not await store.advance(chat.id, message_id):
            await answer(update, plain(lang, "error.stale_button"))
            return
        await answer(update)
        await svc.out.edit(chat.id, message_id, t(lang, "erase.ask2"),
                           keyboard=erase_keyboard(lang, 2))
        return
    building = await svc.buildings.get(chat.id)
    if building is None or not await store.erase_building(chat.id, message_id):
        await answer(update, plain(lang, "error.stale_button"))
        return
    # The bot stays in the group, so the group starts again with a clean slate.
    await svc.buildings.activate(chat.id, building.title, building.language, svc.clock.now())
    log.info("all data of group %s erased at an admin's request", chat.id)
    await answer(update)
    await svc.out.edit(chat.id, message_id, t(lang, "erase.done"))
