"""/wisgroep: a group admin erases everything the bot keeps about the group, after two
confirmations on the one message that asked (so a stray or a second admin's press erases once)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.cards import RenderedCard
from handlers.kit.command import Command
from handlers.kit.context import Context
from handlers.kit.guards import admin_now, group_admin
from handlers.kit.press import Press, Speaks
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
    command = await Command.open(update, context, record=False)
    if command is None:
        return
    chat_id = command.chat.id
    if not command.in_group:
        await command.reply("erase.in_group")
    elif await command.svc.buildings.get(chat_id) is None:
        await command.reply("erase.nothing")
    elif await group_admin(update, context, "erase.admin_only", lang=command.lang):
        await command.svc.cards.post(CardRef(kind=ERASURE_CARD, item_id=chat_id))


async def on_erase_answer(update: Update, context: Context) -> None:
    press = await Press.open(update, context, Speaks.READER)
    if press is None or press.chat is None or press.query.message is None:
        return
    svc, chat, lang = press.svc, press.chat, press.lang
    if await svc.buildings.get(chat.id) is None:
        await press.tell("error.stale_button")
        return
    if not press.in_group or not await admin_now(context, chat.id, press.user.id):
        await press.tell("erase.admin_only", alert=True)
        return
    store = svc.stores.erasures
    erasure = await store.get(chat.id)
    message_id = press.query.message.message_id
    choice = press.data.partition(":")[2]
    if choice == "no":
        if erasure is not None and erasure.message_id == message_id:
            await store.call_off(chat.id)
        await press.answer()
        await svc.out.edit(chat.id, message_id, t(lang, "erase.called_off"))
        return
    step = {"1": 1, "2": 2}.get(choice)
    if step is None or erasure is None or not erasure.accepts(message_id, step, svc.clock.now()):
        await press.tell("error.stale_button")
        return
    if step == 1:
        if not await store.advance(chat.id, message_id):
            await press.tell("error.stale_button")
            return
        await press.answer()
        await svc.out.edit(chat.id, message_id, t(lang, "erase.ask2"),
                           keyboard=erase_keyboard(lang, 2))
        return
    building = await svc.buildings.get(chat.id)
    if building is None or not await store.erase_building(chat.id, message_id):
        await press.tell("error.stale_button")
        return
    # The bot stays in the group, so the group starts again with a clean slate.
    await svc.buildings.activate(chat.id, building.title, building.language, svc.clock.now())
    log.info("all data of group %s erased at an admin's request", chat.id)
    await press.answer()
    await svc.out.edit(chat.id, message_id, t(lang, "erase.done"))
