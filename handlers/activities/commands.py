"""/activiteit (/activity): in the group, a button to a private chat; privately, the list of
what the resident manages, or the flow for a new activity."""

from __future__ import annotations

from telegram import Update

from bot.dates_text import long_day_text
from bot.domain.deeplinks import DeepLink
from bot.i18n import plain, t
from bot.menu import MenuCommand
from handlers.activities.flow import begin
from handlers.activities.manage import manageable
from handlers.kit.buttons import button, keyboard
from handlers.kit.command import Command
from handlers.kit.context import (
    Context,
    services,
    user_language,
)
from handlers.kit.guards import member_link

COMMANDS = [MenuCommand({"nl": "activiteit", "en": "activity"}, "cmd.activity")]
NEW_LINK = "activity"
"""Deep-link kind that opens a new activity for a building (the digest and nudges use it too)."""


async def on_command(update: Update, context: Context) -> None:
    """/activiteit: in the group, a line to the private chat; there, the activities the resident
    may manage, or a new one."""
    command = await Command.open(update, context)
    if command is None or command.resident is None:
        return
    if command.in_group:
        await command.go_private(NEW_LINK, "activity.group.go_private",
                                 "activity.button.start_private")
        return
    svc, user, lang = command.svc, command.user, command.lang
    await svc.residents.mark_started(user.id, svc.clock.now())
    if await svc.stores.activities.draft(user.id) is None:
        mine = await manageable(context, user)
        if mine:
            zone = svc.settings.zone
            rows = [[button(f"{a.title[:40]} – {long_day_text(lang, a.starts_at.astimezone(zone))}",
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
