"""/instellingen (/settings): the group's admins choose how the bot behaves in their group.

One menu message that edits itself. Every press is checked again: only the group's Telegram
admins (asked of Telegram, cached a minute) change anything; anyone else gets a kind no. A change
takes effect at once: the pending digest and nudge are planned again from the new settings.

The care contact shown by /zorgen is free text. Admins type it privately (a button opens a
private chat; the waiting state is a row in the database, so a restart in between loses
nothing), or in the group with `/instellingen contact <text>`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain import settings as rules
from bot.domain.community import Building, BuildingSettings
from bot.domain.deeplinks import DeepLink, link_url
from bot.i18n import Safe, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers import digest, nudges, order
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_group_admin,
    language_for,
    remember,
    resident_language,
    services,
)
from locales import SUPPORTED_LANGUAGES
from storage.prompts import PromptStore

log = logging.getLogger(__name__)

COMMANDS = [
    MenuCommand({"nl": "instellingen", "en": "settings"}, "cmd.settings", private=False),
]
PREFIX = "cfg"
CONTACT_LINK = "cfgcontact"
CONTACT_FIELD = "contact"
DRAFT_MINUTES = 60
TEXT_HANDLER_GROUP = order.SETTINGS_TEXT

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


def weekday_name(lang: str, day: int) -> str:
    names = (
        t(lang, "settings.weekday.mon"), t(lang, "settings.weekday.tue"),
        t(lang, "settings.weekday.wed"), t(lang, "settings.weekday.thu"),
        t(lang, "settings.weekday.fri"), t(lang, "settings.weekday.sat"),
        t(lang, "settings.weekday.sun"),
    )
    return names[day]


def _hm(moment: time) -> str:
    return moment.strftime("%H:%M")


def summary(building: Building, lang: str) -> str:
    """What is set now, one line a setting."""
    s = building.settings
    digest_text = (
        t(lang, "settings.digest.on", day=weekday_name(lang, s.digest_weekday),
          hour=f"{s.digest_hour:02d}:00")
        if s.digest_enabled else t(lang, "settings.off")
    )
    nudge_text = (
        t(lang, "settings.nudges.on", days=s.nudge_after_days)
        if s.nudges_enabled else t(lang, "settings.off")
    )
    contact = s.care_contact or t(lang, "settings.contact.none")
    return t(
        lang, "settings.summary",
        building=building.title,
        language=t(building.language, "language.name"),
        digest=digest_text,
        nudges=nudge_text,
        quiet=t(lang, "settings.quiet.value", start=_hm(s.quiet_hours.start),
                end=_hm(s.quiet_hours.end)),
        bump=t(lang, "settings.bump.value", hours=s.bump_hours_before),
        max_open=s.max_open_requests,
        contact=contact,
    )


def _button(label: str, *data: object, chosen: bool = False) -> InlineKeyboardButton:
    return InlineKeyboardButton(f"✓ {label}" if chosen else label,
                                callback_data=callback_data(PREFIX, *data))


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def main_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button(t(lang, "settings.button.language"), "v", "lang"),
         _button(t(lang, "settings.button.digest"), "v", "digest")],
        [_button(t(lang, "settings.button.nudges"), "v", "nudge"),
         _button(t(lang, "settings.button.quiet"), "v", "quiet")],
        [_button(t(lang, "settings.button.bump"), "v", "bump"),
         _button(t(lang, "settings.button.max_open"), "v", "max")],
        [_button(t(lang, "settings.button.contact"), "v", "contact")],
        [_button(t(lang, "settings.button.done"), "done")],
    ])


async def view(svc: Services, building: Building, name: str) -> tuple[str, InlineKeyboardMarkup]:
    """The text and keyboard of one screen of the menu."""
    lang = building.language
    s = building.settings
    back = [_button(t(lang, "settings.button.back"), "v", "main")]
    rows: list[list[InlineKeyboardButton]]
    if name == "lang":
        text = t(lang, "settings.view.language")
        rows = [[_button(t(code, "language.name"), "lang", code, chosen=code == building.language)
                 for code in SUPPORTED_LANGUAGES]]
    elif name == "digest":
        text = t(lang, "settings.view.digest", current=_digest_text(building, lang))
        days = [_button(weekday_name(lang, day)[:2], rules.Field.DIGEST_DAY, day,
                        chosen=s.digest_enabled and s.digest_weekday == day) for day in range(7)]
        hours = [_button(f"{hour:02d}:00", rules.Field.DIGEST_HOUR, hour,
                         chosen=s.digest_enabled and s.digest_hour == hour)
                 for hour in rules.DIGEST_HOURS]
        rows = [*_rows(days, 4), *_rows(hours, 4),
                [_button(t(lang, "settings.button.off"), rules.Field.DIGEST_OFF, 0,
                         chosen=not s.digest_enabled)]]
    elif name == "nudge":
        text = t(lang, "settings.view.nudges")
        options = [_button(t(lang, "settings.button.off"), rules.Field.NUDGES, 0,
                           chosen=not s.nudges_enabled)]
        options += [_button(t(lang, "settings.button.days", days=days), rules.Field.NUDGES, days,
                            chosen=s.nudges_enabled and s.nudge_after_days == days)
                    for days in rules.NUDGE_DAYS]
        rows = _rows(options, 3)
    elif name == "quiet":
        text = t(lang, "settings.view.quiet")
        rows = _rows([_button(t(lang, "settings.quiet.value", start=_hm(preset.start),
                                end=_hm(preset.end)), rules.Field.QUIET, i,
                              chosen=preset == s.quiet_hours)
                      for i, preset in enumerate(rules.QUIET_PRESETS)], 2)
    elif name == "bump":
        text = t(lang, "settings.view.bump")
        rows = _rows([_button(t(lang, "settings.button.hours", hours=hours), rules.Field.BUMP, hours,
                              chosen=s.bump_hours_before == hours) for hours in rules.BUMP_HOURS], 3)
    elif name == "max":
        text = t(lang, "settings.view.max_open")
        rows = _rows([_button(str(count), rules.Field.MAX_OPEN, count,
                              chosen=s.max_open_requests == count) for count in rules.MAX_OPEN], 5)
    elif name == "contact":
        text = t(lang, "settings.view.contact",
                 contact=s.care_contact or t(lang, "settings.contact.none"))
        link = await svc.deep_links.reusable(CONTACT_LINK, building.chat_id, "", svc.clock.now())
        rows = [[InlineKeyboardButton(t(lang, "settings.button.type_contact"),
                                      url=link_url(svc.bot_username, link.token))]]
        if s.care_contact:
            rows.append([_button(t(lang, "settings.button.clear_contact"),
                                 rules.Field.CONTACT_CLEAR, 0)])
    else:
        return summary(building, lang) + "\n\n" + t(lang, "settings.tap"), main_keyboard(lang)
    return text, InlineKeyboardMarkup([*rows, back])


def _digest_text(building: Building, lang: str) -> str:
    s = building.settings
    if not s.digest_enabled:
        return t(lang, "settings.off")
    return t(lang, "settings.digest.on", day=weekday_name(lang, s.digest_weekday),
             hour=f"{s.digest_hour:02d}:00")


async def save(svc: Services, building: Building, new: BuildingSettings) -> Building:
    """Store the settings and plan the digest and nudge again, so they apply right away."""
    await svc.buildings.save_settings(building.chat_id, new)
    saved = await svc.buildings.get(building.chat_id)
    assert saved is not None
    now = svc.clock.now()
    if rules.digest_changed(building.settings, new):
        await digest.plan_digest(svc, saved, now, replace=True)
    if rules.nudges_changed(building.settings, new):
        await nudges.replan_nudge(svc, PromptStore(svc.db), saved)
    log.info("settings of group %s changed", building.chat_id)
    return saved


async def _is_admin_here(update: Update, context: Context) -> bool:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if chat is None:
        return False
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin posts as the group
    return user is not None and await is_group_admin(context, chat.id, user.id)


async def show_settings(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    await remember(update, context)
    lang = await language_for(update, context)
    if not is_group(chat):
        await message.reply_text(t(lang, "settings.in_group_only"))
        return
    building = await svc.buildings.get(chat.id)
    if building is None or not building.active:
        return
    if not await _is_admin_here(update, context):
        await message.reply_text(t(lang, "settings.admin_only"))
        return
    args = context.args or []
    if args and args[0].lower() == CONTACT_FIELD:
        await set_contact_in_group(svc, building, message)
        return
    text, keyboard = await view(svc, building, "main")
    await message.reply_text(text, reply_markup=keyboard)


async def set_contact_in_group(svc: Services, building: Building, message: Message) -> None:
    lang = building.language
    raw = (message.text or "").split(maxsplit=2)
    typed = raw[2] if len(raw) > 2 else ""
    if not typed.strip():
        await message.reply_text(t(lang, "settings.contact.usage"))
        return
    try:
        contact = rules.clean_contact(typed)
    except rules.InvalidContact as problem:
        await message.reply_text(_contact_problem(lang, problem, typed))
        return
    async with _save_lock:
        current = await svc.buildings.get(building.chat_id)
        assert current is not None
        await save(svc, current, current.settings.model_copy(update={"care_contact": contact}))
    await message.reply_text(t(lang, "settings.contact.saved", contact=contact))


def _contact_problem(lang: str, problem: rules.InvalidContact, typed: str) -> str:
    if problem.problem is rules.ContactProblem.TOO_LONG:
        return t(lang, "settings.contact.too_long", length=len(typed.strip()),
                 limit=rules.CONTACT_MAX)
    return t(lang, "settings.contact.empty")


async def on_settings_button(update: Update, context: Context) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    building = await svc.buildings.get(chat.id) if is_group(chat) else None
    if building is None or not building.active:
        await answer(update, t(lang, "settings.stale"))
        return
    if not await is_group_admin(context, chat.id, user.id):
        await answer(update, t(lang, "settings.admin_only_short"), show_alert=True)
        return
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    value = parts[2] if len(parts) > 2 else ""
    if action == "done" and len(parts) == 2:
        await answer(update)
        await _edit(query.message, t(lang, "settings.closed", summary=Safe(summary(building, lang))),
                    None)
        return
    if action == "v" and len(parts) == 3:
        await answer(update)
        text, keyboard = await view(svc, building, value)
        await _edit(query.message, text, keyboard)
        return
    async with _save_lock:
        building = await svc.buildings.get(chat.id)
        assert building is not None
        if action == "lang" and len(parts) == 3 and value in SUPPORTED_LANGUAGES:
            await svc.buildings.set_language(chat.id, value)
        elif len(parts) == 3:
            try:
                new = rules.apply_choice(building.settings, action, value)
            except rules.InvalidChoice:
                await answer(update, t(lang, "settings.stale"))
                return
            building = await save(svc, building, new)
        else:
            await answer(update, t(lang, "settings.stale"))
            return
    building = await svc.buildings.get(chat.id)
    assert building is not None
    await answer(update, t(building.language, "settings.saved"))
    text, keyboard = await view(svc, building, VIEW_OF.get(action, "main"))
    await _edit(query.message, text, keyboard)


async def _edit(message: object, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


# -- the care contact, typed privately -----------------------------------------------------------


async def open_contact_link(update: Update, context: Context, link: DeepLink) -> None:
    """The menu's "type it privately" button: wait for the admin's text in this chat."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or link.building_id is None:
        return
    svc = services(context)
    resident = await svc.residents.get(user.id)
    lang = resident_language(svc, resident)
    building = await svc.buildings.get(link.building_id)
    if building is None or not building.active:
        await message.reply_text(t(lang, "start.link_unknown"))
        return
    if not await is_group_admin(context, building.chat_id, user.id):
        await message.reply_text(t(lang, "settings.contact.not_admin"))
        return
    now = svc.clock.now()
    await PromptStore(svc.db).start_draft(
        user.id, building.chat_id, CONTACT_FIELD, now, now + timedelta(minutes=DRAFT_MINUTES)
    )
    stop = InlineKeyboardMarkup([[_button(t(lang, "settings.button.stop"), "stop")]])
    current = building.settings.care_contact or t(lang, "settings.contact.none")
    await message.reply_text(
        t(lang, "settings.contact.ask", building=building.title, current=current,
          limit=rules.CONTACT_MAX),
        reply_markup=stop,
    )


async def on_private_text(update: Update, context: Context) -> None:
    """Only acts when this resident has a contact draft waiting; otherwise lets the text pass."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    svc = services(context)
    store = PromptStore(svc.db)
    draft = await store.draft(user.id, svc.clock.now())
    if draft is None or draft.field != CONTACT_FIELD:
        return
    resident = await remember(update, context)
    lang = resident_language(svc, resident)
    try:
        contact = rules.clean_contact(message.text)
    except rules.InvalidContact as problem:
        await message.reply_text(_contact_problem(lang, problem, message.text))
        raise ApplicationHandlerStop from None
    building = await svc.buildings.get(draft.building_id)
    if building is None or not building.active or not await is_group_admin(
        context, draft.building_id, user.id
    ):
        await store.end_draft(user.id)
        await message.reply_text(t(lang, "settings.contact.not_admin"))
        raise ApplicationHandlerStop
    async with _save_lock:
        current = await svc.buildings.get(draft.building_id)
        assert current is not None
        await save(svc, current, current.settings.model_copy(update={"care_contact": contact}))
    await store.end_draft(user.id)
    await message.reply_text(
        t(lang, "settings.contact.saved_private", building=building.title, contact=contact)
    )
    raise ApplicationHandlerStop


async def on_private_command(update: Update, context: Context) -> None:
    """Any command means the admin moved on: stop waiting for the contact text, so it cannot
    catch text meant for another flow. Lets the command through to its own handler."""
    user = update.effective_user
    if user is not None:
        await PromptStore(services(context).db).end_draft(user.id)


async def on_stop_button(update: Update, context: Context) -> None:
    user = update.effective_user
    query = update.callback_query
    if user is None or query is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    ended = await PromptStore(svc.db).end_draft(user.id)
    await answer(update)
    if ended:
        await _edit(query.message, t(lang, "settings.contact.cancelled"), None)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes[CONTACT_LINK] = open_contact_link
    app.add_handler(CommandHandler(["instellingen", "settings"], show_settings))
    app.add_handler(CallbackQueryHandler(on_stop_button, pattern=rf"^{PREFIX}:stop$"))
    app.add_handler(CallbackQueryHandler(on_settings_button, pattern=rf"^{PREFIX}:"))
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_private_text),
        group=TEXT_HANDLER_GROUP,
    )
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, on_private_command),
        group=TEXT_HANDLER_GROUP,
    )
