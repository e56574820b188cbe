"""/idee (/idea): in the group with the idea typed after it, the card goes up at once; without
it, a button to a private chat. Privately, the idea typed after it or asked for."""

from __future__ import annotations

from telegram import Update

from bot.domain.activities import InvalidInput
from bot.domain.deeplinks import DeepLink
from bot.domain.ideas import clean_idea
from bot.i18n import t
from bot.menu import MenuCommand
from handlers.activities.flow import building_choice
from handlers.ideas.card import propose
from handlers.ideas.flow import post_typed, start_typing
from handlers.kit.command import Command
from handlers.kit.context import (
    Context,
    services,
    user_language,
)
from handlers.kit.guards import member_buildings, member_link

COMMANDS = [MenuCommand({"nl": "idee", "en": "idea"}, "cmd.idea")]
NEW_LINK = "ideanew"
"""Deep-link kind: open the bot to type an idea for this building."""


async def on_command(update: Update, context: Context) -> None:
    """/idee: in the group with words, the idea is proposed at once, without them a line to the
    private chat; there, the resident types the idea (for which building, if more than one)."""
    command = await Command.open(update, context)
    if command is None or command.resident is None:
        return
    svc, user, lang = command.svc, command.user, command.lang
    typed = " ".join(context.args or [])
    if command.in_group:
        if typed and await svc.buildings.get(command.chat.id) is not None:
            try:
                text = clean_idea(typed)
            except InvalidInput as error:
                await command.reply(f"idea.problem.{error.problem.value}")
                return
            await propose(svc, user, command.chat.id, text)
        elif not typed:
            await command.go_private(NEW_LINK, "idea.group.go_private", "idea.button.start_private")
        return
    await svc.residents.mark_started(user.id, svc.clock.now())
    buildings = await member_buildings(context, user.id)
    if not buildings:
        await svc.out.reply(update, t(lang, "idea.no_building"))
    elif len(buildings) > 1:
        await svc.out.reply(update, t(lang, "activity.flow.which_building"),
                            keyboard=await building_choice(svc, buildings, "idea"))
    elif typed:
        await post_typed(svc, user, lang, buildings[0], typed)
    else:
        await start_typing(svc, user.id, lang, buildings[0])


async def open_new_link(update: Update, context: Context, link: DeepLink) -> None:
    """The group's "Stel een idee voor" button: a private chat tied to that building."""
    user = await member_link(update, context, link, "start.link_unknown")
    if user is None or link.building_id is None:
        return
    svc = services(context)
    await start_typing(svc, user.id, await user_language(svc, user.id), link.building_id)
