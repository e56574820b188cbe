"""/activiteit (/activity): in the group, a button to a private chat; privately, the list of
what the resident manages, or the flow for a new activity."""

from __future__ import annotations

from telegram import Update

from bot.domain.activities import format_day
from bot.domain.deeplinks import DeepLink, link_url
from bot.i18n import plain, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.activities.flow import begin
from handlers.activities.manage import manageable
from handlers.kit.buttons import button, keyboard, link_button
from handlers.kit.context import (
    Context,
    is_group,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.guards import member_link

COMMANDS = [MenuCommand({"nl": "activiteit", "en": "activity"}, "cmd.activity")]
NEW_LINK = "activity"
"""Deep-link kind that opens a new activity for a building (the digest and nudges use it too)."""


async def reply_with_link(update: Update, svc: Services, link_kind: str, text: str,
                          label: str) -> None:
    """In the group: one line with a button that opens a private chat tied to this building;
    it is removed after a minute, so the group does not fill up with them."""
    chat = update.effective_chat
    if chat is None:
        return
    link = await svc.deep_links.reusable(link_kind, chat.id, "", svc.clock.now())
    await svc.redirects.reply(update, text, keyboard=keyboard([
        link_button(label, link_url(svc.bot_username, link.token))]))


async def on_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    resident = await remember(update, context)
    if resident is None:
        return
    svc = services(context)
    if is_group(chat):
        building = await svc.buildings.get(chat.id)
        if building is None:
            return
        lang = building.language
        await reply_with_link(update, svc, NEW_LINK, t(lang, "activity.group.go_private"),
                              plain(lang, "activity.button.start_private"))
        return
    await svc.residents.mark_started(user.id, svc.clock.now())
    lang = resident_language(svc, resident)
    if await svc.stores.activities.draft(user.id) is None:
        mine = await manageable(context, user)
        if mine:
            rows = [[button(f"{a.title[:40]} – {format_day(a.starts_at, lang, svc.settings.zone)}",
                            "actm", "open", a.id)] for a in mine]
            rows.append([button(plain(lang, "activity.flow.new"), "actf", "new")])
            await svc.out.reply(update, t(lang, "activity.manage.list"), keyboard=keyboard(*rows))
            return
    await begin(context, user, lang)


async def open_new_link(update: Update, context: Context, link: DeepLink) -> None:
    """The group's "Maak een activiteit" button: a private chat tied to that building."""
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    building = await svc.buildings.get(link.building_id)
    lang = await user_language(svc, user.id)
    if building is None or not building.active:
        await svc.out.message(user.id, t(lang, "start.link_unknown"))
        return
    if await member_link(update, context, link, "activity.members_only") is None:
        return
    await begin(context, user, lang, building.chat_id)
