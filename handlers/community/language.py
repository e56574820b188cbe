"""/taal (/language): a resident picks their own language privately; an admin picks the group's.
Both lists hold every language the bot speaks, each named in its own language and script."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.languages import LANGUAGE_CODES
from bot.i18n import t
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, is_group, language_for, remember, services
from handlers.kit.guards import admin_now, group_admin
from handlers.kit.press import Press, Speaks
from locales import native_name

RESIDENT_SCOPE, GROUP_SCOPE = "lang", "glang"
"""Callback prefixes: `lang:<code>` for oneself, `glang:<code>` for the group."""
PER_ROW = 2
"""Two names a row: the longest ("Українська") stays whole on a phone."""


def language_keyboard(scope: str, *after: str) -> InlineKeyboardMarkup:
    """Each language named in itself, so anyone can find their own; a button comes back as
    `<scope>:<code>` followed by `after`."""
    buttons = [button(native_name(code), scope, code, *after) for code in LANGUAGE_CODES]
    return keyboard(*(buttons[start:start + PER_ROW] for start in range(0, len(buttons), PER_ROW)))


def first_question() -> str:
    """The question before the bot knows whom it speaks to: asked in every language it speaks,
    each text once (a language without its own text yet would repeat the Dutch)."""
    return "\n".join(dict.fromkeys(t(code, "language.first_contact") for code in LANGUAGE_CODES))


async def ask_language(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await remember(update, context)
    svc = services(context)
    lang = await language_for(update, context)
    if not is_group(chat):
        await svc.out.reply(update, t(lang, "language.choose"),
                            keyboard=language_keyboard(RESIDENT_SCOPE))
    elif await group_admin(update, context, "language.admin_only", lang=lang):
        await svc.out.reply(update, t(lang, "language.choose_group"),
                            keyboard=language_keyboard(GROUP_SCOPE))


async def on_language_chosen(update: Update, context: Context) -> None:
    press = await Press.open(update, context, Speaks.READER)
    if press is None or press.chat is None:
        return
    scope, _, chosen = press.data.partition(":")
    svc, chat = press.svc, press.chat
    if chosen not in LANGUAGE_CODES:
        await press.tell("error.stale_button")
        return
    if scope == GROUP_SCOPE:
        if not press.in_group or not await admin_now(context, chat.id, press.user.id):
            await press.tell("language.admin_only", alert=True)
            return
        await svc.buildings.set_language(chat.id, chosen)
        await press.answer()
        await svc.out.replace_pressed(update, t(chosen, "language.group_set"))
        return
    resident = await remember(update, context) if press.in_own_chat else None
    if resident is None:
        await press.tell("error.not_yours")
        return
    await svc.residents.set_language(press.user.id, chosen)
    await press.answer()
    await svc.out.replace_pressed(update, t(chosen, "language.set"))
