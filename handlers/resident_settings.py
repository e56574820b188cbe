"""/meldingen (/notifications): a resident chooses, privately, which prompts they want.

The choices are applied where every scheduled private prompt passes (`svc.prompt_filters`), so
no feature has to remember them. A second filter stops all prompts to someone who has not used
the bot for two months, until they come back: calm, not nagging.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import settings as rules
from bot.domain.deeplinks import DeepLink, link_url
from bot.i18n import Safe, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    language_for,
    remember,
    resident_language,
    services,
    user_language,
)
from storage.prompts import PromptStore

COMMANDS = [
    MenuCommand({"nl": "meldingen", "en": "notifications"}, "cmd.notifications", group=False),
]
PREFIX = "mute"
LINK = "notifications"


def kind_name(lang: str, kind: str) -> str:
    names = {
        "request": t(lang, "notify.kind.request"),
        "activity": t(lang, "notify.kind.activity"),
        "pairing": t(lang, "notify.kind.pairing"),
    }
    return names[kind]


def menu(lang: str, muted: set[str]) -> tuple[str, InlineKeyboardMarkup]:
    lines = []
    buttons = []
    for kind in rules.PROMPT_KINDS:
        state = t(lang, "notify.off") if kind in muted else t(lang, "notify.on")
        line = t(lang, "notify.line", kind=kind_name(lang, kind), state=state)
        lines.append(line)
        buttons.append([InlineKeyboardButton(line, callback_data=callback_data(PREFIX, kind))])
    text = t(lang, "notify.menu", lines=Safe("\n".join(lines)))
    return text, InlineKeyboardMarkup(buttons)


async def show_menu(update: Update, context: Context) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    svc = services(context)
    resident = await remember(update, context)
    if is_group(chat):
        lang = await language_for(update, context)
        building = await svc.buildings.get(chat.id)
        if building is None:
            return
        link = await svc.deep_links.reusable(LINK, chat.id, "", svc.clock.now())
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            t(lang, "button.open_private"), url=link_url(svc.bot_username, link.token))]])
        await message.reply_text(t(lang, "notify.in_private"), reply_markup=keyboard)
        return
    lang = resident_language(svc, resident)
    text, keyboard = menu(lang, await PromptStore(svc.db).muted(user.id))
    await message.reply_text(text, reply_markup=keyboard)


async def open_link(update: Update, context: Context, link: DeepLink) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    text, keyboard = menu(lang, await PromptStore(svc.db).muted(user.id))
    await message.reply_text(text, reply_markup=keyboard)


async def on_toggle(update: Update, context: Context) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    kind = query.data.partition(":")[2]
    if is_group(chat) or chat.id != user.id:
        await answer(update, t(lang, "notify.not_yours"))
        return
    if not rules.is_mutable(kind):
        await answer(update, t(lang, "notify.stale"))
        return
    await remember(update, context)
    store = PromptStore(svc.db)
    muted = await store.muted(user.id)
    await store.set_muted(user.id, kind, kind not in muted, svc.clock.now())
    await answer(update, t(lang, "notify.saved"))
    text, keyboard = menu(lang, await store.muted(user.id))
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise


class PromptPreferences:
    """What /meldingen keeps about a resident: the kinds of prompt they muted."""

    name = "prompts"

    def __init__(self, store: PromptStore) -> None:
        self._store = store

    async def export(self, user_id: int) -> dict[str, Any]:
        return {"muted_prompts": await self._store.mutes_export(user_id)}

    async def forget(self, user_id: int, now: datetime) -> None:
        await self._store.forget_resident(user_id)

    async def expire(self, before: datetime) -> int:
        return await self._store.expire_drafts(before)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    store = PromptStore(svc.db)

    async def not_muted(user_id: int, kind: str, now: datetime) -> bool:
        return not await store.is_muted(user_id, kind)

    async def not_gone_quiet(user_id: int, kind: str, now: datetime) -> bool:
        resident = await svc.residents.get(user_id)
        return resident is None or rules.still_around(resident.last_seen_at, now)

    svc.prompt_filters.extend([not_muted, not_gone_quiet])
    svc.personal_data.append(PromptPreferences(store))
    svc.link_routes[LINK] = open_link
    app.add_handler(CommandHandler(["meldingen", "notifications"], show_menu))
    app.add_handler(CallbackQueryHandler(on_toggle, pattern=rf"^{PREFIX}:"))
