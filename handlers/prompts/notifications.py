"""/meldingen (/notifications): a resident chooses, privately, which prompts they want.

The choices are applied where every scheduled private prompt passes (`svc.prompt_filters`), so
no feature has to remember them. A second filter looks after residents who have not used the bot
for two months: they are asked once, with a button, whether the messages should keep coming;
without a yes they stop until the resident comes back. Calm, not nagging, and never silent.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import settings as rules
from bot.domain.deeplinks import DeepLink
from bot.i18n import plain, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.kit.buttons import button, column, keyboard
from handlers.kit.command import Command
from handlers.kit.context import (
    Context,
    is_group,
    language_for,
    remember,
    resident_language,
    services,
)
from handlers.kit.press import Press, Speaks
from handlers.prompts.data import PromptPreferences
from handlers.prompts.links import link_to

COMMANDS = [
    MenuCommand({"nl": "meldingen", "en": "notifications"}, "cmd.notifications", group=False),
]
PREFIX = "mute"
QUIET = "quiet"
"""Callback prefix of the "keep them coming" button (`quiet:keep`)."""
LINK = "notifications"


def kind_name(lang: str, kind: str) -> str:
    names = {
        "request": plain(lang, "notify.kind.request"),
        "activity": plain(lang, "notify.kind.activity"),
        "pairing": plain(lang, "notify.kind.pairing"),
    }
    return names[kind]


def menu(lang: str, muted: set[str]) -> tuple[str, InlineKeyboardMarkup]:
    """One line a kind of prompt, on or off; each line is also the button that turns it round."""
    on, off = plain(lang, "notify.on"), plain(lang, "notify.off")
    lines = [plain(lang, "notify.line", kind=kind_name(lang, kind),
                   state=off if kind in muted else on) for kind in rules.PROMPT_KINDS]
    text = t(lang, "notify.menu", lines="\n".join(lines))
    return text, column([button(line, PREFIX, kind)
                         for line, kind in zip(lines, rules.PROMPT_KINDS, strict=True)])


async def show_menu(update: Update, context: Context) -> None:
    chat, user = update.effective_chat, update.effective_user
    if update.effective_message is None or chat is None or user is None:
        return
    svc = services(context)
    resident = await remember(update, context)
    if is_group(chat):
        lang = await language_for(update, context)
        if await svc.buildings.get(chat.id) is None:
            return
        open_private = await link_to(svc, plain(lang, "button.open_private"), LINK, chat.id)
        await svc.redirects.reply(update, t(lang, "notify.in_private"),
                                  keyboard=keyboard([open_private]))
        return
    lang = resident_language(svc, resident)
    text, buttons = menu(lang, await svc.stores.prompts.muted(user.id))
    await svc.out.reply(update, text, keyboard=buttons)


async def open_link(update: Update, context: Context, link: DeepLink) -> None:
    command = await Command.open(update, context, record=False)
    if command is None:
        return
    user_id = command.user.id
    text, buttons = menu(command.lang, await command.svc.stores.prompts.muted(user_id))
    await command.svc.out.message(user_id, text, keyboard=buttons)


async def on_toggle(update: Update, context: Context) -> None:
    press = await Press.open_own_chat(update, context, "notify.not_yours", Speaks.READER)
    if press is None:
        return
    kind = press.data.partition(":")[2]
    if not rules.is_mutable(kind):
        await press.tell("notify.stale")
        return
    await remember(update, context)
    svc, user_id = press.svc, press.user.id
    store = svc.stores.prompts
    muted = await store.muted(user_id)
    await store.set_muted(user_id, kind, kind not in muted, svc.clock.now())
    await press.tell("notify.saved")
    await svc.out.replace_pressed(update, *menu(press.lang, await store.muted(user_id)))


class QuietResidents:
    """Before prompts stop for a resident who went quiet, they are asked once to keep them."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.store = svc.stores.prompts

    async def allows(self, user_id: int, kind: str, now: datetime) -> bool:
        resident = await self.svc.residents.get(user_id)
        if resident is None:
            return True
        check = await self.store.quiet_check(user_id)
        decided = rules.quiet_answer(resident.last_seen_at, check.asked_at if check else None,
                                     check is not None and check.kept_at is not None, now)
        if decided is rules.QuietAnswer.HOLD:
            return False
        if decided is rules.QuietAnswer.ASK_AND_SEND:
            await self.store.asked_quiet(user_id, now)
            lang = resident_language(self.svc, resident)
            keep = button(plain(lang, "notify.quiet.keep"), QUIET, "keep")
            await self.svc.out.private(user_id, t(lang, "notify.quiet.ask"),
                                       keyboard=keyboard([keep]))
        return True

    async def on_keep(self, update: Update, context: Context) -> None:
        """"Blijf sturen": the messages keep coming, however quiet the resident is."""
        press = await Press.open_own_chat(update, context, "notify.not_yours", Speaks.READER)
        if press is None:
            return
        await remember(update, context)
        await self.store.keep_prompts(press.user.id, self.svc.clock.now())
        await press.answer()
        await self.svc.out.replace_pressed(update, t(press.lang, "notify.quiet.kept"))


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    store = svc.stores.prompts
    quiet = QuietResidents(svc)

    async def not_muted(user_id: int, kind: str, now: datetime) -> bool:
        return not await store.is_muted(user_id, kind)

    svc.prompt_filters.extend([not_muted, quiet.allows])
    app.add_handler(CallbackQueryHandler(quiet.on_keep, pattern=rf"^{QUIET}:keep$"))
    svc.personal_data.append(PromptPreferences(store))
    svc.link_routes[LINK] = open_link
    app.add_handler(CommandHandler(["meldingen", "notifications"], show_menu))
    app.add_handler(CallbackQueryHandler(on_toggle, pattern=rf"^{PREFIX}:"))
