"""/idee (/idea): in the group with the idea typed after it, the card goes up at once; without
it, a button to a private chat. Privately, the idea typed after it or asked for."""

from __future__ import annotations

from telegram import Update

from bot.domain.activities import InvalidInput
from bot.domain.deeplinks import DeepLink
from bot.domain.ideas import clean_idea
from bot.i18n import plain, t
from bot.menu import MenuCommand
from handlers.activities.commands import reply_with_link
from handlers.activities.flow import building_choice
from handlers.ideas.card import propose
from handlers.ideas.flow import post_typed, start_typing
from handlers.kit.context import (
    Context,
    is_group,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.guards import member_buildings, member_link

COMMANDS = [MenuCommand({"nl": "idee", "en": "idea"}, "cmd.idea")]
NEW_LINK = "ideanew"
"""Deep-link kind: open the bot to type an idea for this building."""


async def on_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    resident = await remember(update, context)
    if resident is None:
        return
    svc = services(context)
    typed = " ".join(context.args or [])
    if is_group(chat):
        building = await svc.buildings.get(chat.id)
        if building is None:
            return
        glang = building.language
        if typed:
            try:
                text = clean_idea(typed)
            except InvalidInput as error:
                await svc.out.reply(update, t(glang, f"idea.problem.{error.problem.value}"))
                return
            await propose(svc, user, chat.id, text)
            return
        await reply_with_link(update, svc, NEW_LINK, t(glang, "idea.group.go_private"),
                              plain(glang, "idea.button.start_private"))
        return
    await svc.residents.mark_started(user.id, svc.clock.now())
    lang = resident_language(svc, resident)
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
