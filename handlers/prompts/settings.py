"""/instellingen (/settings): the group's admins choose how the bot behaves in their group.

One menu message that edits itself (its screens are in `menu`). Every press is checked again:
only the group's Telegram admins (asked of Telegram, cached a minute) change anything; anyone
else gets a kind no. A change takes effect at once: the pending digest and nudge are planned
again from the new settings.

The care contact shown by /zorgen is free text: typed in the group with
`/instellingen contact <text>`, or privately (see `contact_flow`).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import settings as rules
from bot.domain.community import Building, BuildingSettings
from bot.domain.languages import LANGUAGE_CODES
from bot.i18n import Safe, plain, t, tn
from bot.menu import MenuCommand
from bot.services import Services
from handlers.kit.command import Command, for_admins
from handlers.kit.context import Context
from handlers.kit.guards import group_admin
from handlers.kit.press import Press, Speaks
from handlers.prompts.digest import plan_digest
from handlers.prompts.menu import PREFIX, summary, view
from handlers.prompts.nudges import replan_nudge

log = logging.getLogger(__name__)

COMMANDS = [
    MenuCommand({"nl": "instellingen", "en": "settings"}, "cmd.settings", private=False,
                admin=True),
]
CONTACT_ARGUMENT = "contact"

VIEW_OF: dict[str, str] = {
    rules.Field.DIGEST_DAY: "digest",
    rules.Field.DIGEST_HOUR: "digest",
    rules.Field.DIGEST_OFF: "digest",
    rules.Field.NUDGES: "nudge",
    rules.Field.QUIET: "quiet",
    rules.Field.BUMP: "bump",
    rules.Field.MAX_OPEN: "max",
    rules.Field.CONTACT_CLEAR: "contact",
}
"""After a choice the same screen shows again, with the choice marked; the language shows the
whole menu in the new language."""

_save_lock = asyncio.Lock()
"""Settings are saved whole; two saves for one group must not interleave (group and private)."""


async def save(svc: Services, building: Building, new: BuildingSettings) -> Building:
    """Store the settings and plan the digest and nudge again, so they apply right away."""
    await svc.buildings.save_settings(building.chat_id, new)
    saved = await svc.buildings.get(building.chat_id)
    assert saved is not None
    if rules.digest_changed(building.settings, new):
        await plan_digest(svc, saved, svc.clock.now(), replace=True)
    if rules.nudges_changed(building.settings, new):
        await replan_nudge(svc, saved)
    log.info("settings of group %s changed", building.chat_id)
    return saved


async def save_contact(svc: Services, building_id: int, contact: str) -> None:
    async with _save_lock:
        current = await svc.buildings.get(building_id)
        assert current is not None
        await save(svc, current, current.settings.model_copy(update={"care_contact": contact}))


def contact_problem(lang: str, problem: rules.InvalidContact, typed: str) -> str:
    if problem.problem is rules.ContactProblem.TOO_LONG:
        return tn(lang, "settings.contact.too_long", len(typed.strip()),
                  limit=rules.CONTACT_MAX)
    return t(lang, "settings.contact.empty")


@for_admins("settings.in_group_only", "settings.admin_only")
async def show_settings(command: Command, building: Building) -> None:
    args = command.context.args or []
    if args and args[0].lower() == CONTACT_ARGUMENT:
        await set_contact_in_group(command.svc, command.update, building)
        return
    text, keyboard = await view(command.svc, building, "main")
    await command.svc.out.reply(command.update, text, keyboard=keyboard)


async def set_contact_in_group(svc: Services, update: Update, building: Building) -> None:
    """`/instellingen contact <text>`: the text after the command, exactly as typed."""
    lang = building.language
    message = update.effective_message
    raw = (message.text or "").split(maxsplit=2) if message is not None else []
    typed = raw[2] if len(raw) > 2 else ""
    if not typed.strip():
        await svc.out.reply(update, t(lang, "settings.contact.usage"))
        return
    try:
        contact = rules.clean_contact(typed)
    except rules.InvalidContact as problem:
        await svc.out.reply(update, contact_problem(lang, problem, typed))
        return
    await save_contact(svc, building.chat_id, contact)
    await svc.out.reply(update, t(lang, "settings.contact.saved", contact=contact))


async def _show(svc: Services, update: Update, text: str,
                keyboard: InlineKeyboardMarkup | None) -> None:
    """The menu message shows `text` now (in the group, so never sent again as a new one)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is not None:
        await svc.out.edit(message.chat.id, message.message_id, text, keyboard=keyboard)


async def on_settings_button(update: Update, context: Context) -> None:
    press = await Press.open(update, context, Speaks.READER)
    if press is None or press.chat is None:
        return
    svc, lang, parts = press.svc, press.lang, press.parts
    building = await svc.buildings.get(press.chat.id) if press.in_group else None
    if building is None or not building.active:
        await press.tell("settings.stale")
        return
    if not await group_admin(update, context, "settings.admin_only_short"):
        return
    action, value = press.part(1), press.part(2)
    if action == "done" and len(parts) == 2:
        await press.answer()
        await _show(svc, update, t(lang, "settings.closed", summary=Safe(summary(building, lang))),
                    None)
        return
    if action == "v" and len(parts) == 3:
        await press.answer()
        await _show(svc, update, *await view(svc, building, value))
        return
    if len(parts) != 3 or not await _apply(svc, building.chat_id, action, value):
        await press.tell("settings.stale")
        return
    building = await svc.buildings.get(building.chat_id)
    assert building is not None
    await press.answer(plain(building.language, "settings.saved"))
    await _show(svc, update, *await view(svc, building, VIEW_OF.get(action, "main")))


async def _apply(svc: Services, building_id: int, action: str, value: str) -> bool:
    """Carry out one choice; False for a button the menu does not (or no longer) offer."""
    async with _save_lock:
        current = await svc.buildings.get(building_id)
        assert current is not None
        if action == "lang":
            if value not in LANGUAGE_CODES:
                return False
            await svc.buildings.set_language(current.chat_id, value)
            return True
        try:
            new = rules.apply_choice(current.settings, action, value)
        except rules.InvalidChoice:
            return False
        await save(svc, current, new)
        return True


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(["instellingen", "settings"], show_settings))
    app.add_handler(CallbackQueryHandler(on_settings_button, pattern=rf"^{PREFIX}:"))
