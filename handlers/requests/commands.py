"""/vraag in the group and privately, the group's "Vraag hulp" link, and /weghalen for admins."""

from __future__ import annotations

from telegram import Update

from bot.domain.deeplinks import DeepLink
from bot.i18n import t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.command import Command
from handlers.kit.context import (
    Context,
    services,
    user_language,
)
from handlers.kit.guards import group_admin, is_member, member_buildings
from handlers.requests.flow import FLOW_STEPS, begin, current_draft, show
from handlers.requests.notices import take_down
from handlers.requests.questions import stop_row

COMMANDS = [
    MenuCommand({"nl": "vraag", "en": "ask"}, "cmd.request"),
    MenuCommand({"nl": "weghalen", "en": "remove"}, "cmd.remove_request", private=False,
                admin=True),
]


async def ask_in_group(update: Update, context: Context) -> None:
    """In the group: one short line with a button that continues privately."""
    command = await Command.open(update, context)
    if command is not None:
        await command.go_private("ask", "request.group.go_private", "request.button.ask")


async def _resume(update: Update, svc: Services, user_id: int, lang: str,
                  building_id: int | None = None) -> bool:
    """A request half written (for this building, if given) continues where it was."""
    draft = await current_draft(svc.stores.requests, user_id, svc.clock.now())
    if draft is None or draft.step not in FLOW_STEPS \
            or (building_id is not None and draft.building_id != building_id):
        return False
    await show(update, svc, draft, lang, edit=False, prefix=t(lang, "request.flow.continue"))
    return True


async def ask_in_private(update: Update, context: Context) -> None:
    command = await Command.open(update, context)
    if command is None:
        return
    svc, user, lang = command.svc, command.user, command.lang
    await svc.residents.mark_started(user.id, svc.clock.now())
    if await _resume(update, svc, user.id, lang):
        return
    buildings = await member_buildings(context, user.id)
    if not buildings:
        await svc.out.message(user.id, t(lang, "request.flow.no_building"))
        return
    if len(buildings) == 1:
        await begin(update, svc, buildings[0])
        return
    rows = []
    for building_id in buildings:
        building = await svc.buildings.get(building_id)
        if building is not None:
            rows.append([button(building.title or str(building_id), "rqf", "b", building_id)])
    rows.append(stop_row(lang))
    await svc.out.message(user.id, t(lang, "request.flow.choose_building"),
                          keyboard=keyboard(*rows))


async def open_ask_link(update: Update, context: Context, link: DeepLink) -> None:
    """The "Vraag hulp" deep link of a building."""
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    if not await is_member(context, link.building_id, user.id):
        await svc.out.message(user.id, t(lang, "request.flow.not_member"))
        return
    if await _resume(update, svc, user.id, lang, link.building_id):
        return
    await begin(update, svc, link.building_id)


async def remove_command(update: Update, context: Context) -> None:
    """`/weghalen` as a reply to a card: a group admin takes down a request that does not belong."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    building = await svc.buildings.get(chat.id)
    if building is None:
        return
    lang = building.language
    if not await group_admin(update, context, "request.remove.not_admin", lang=lang):
        return
    target = message.reply_to_message
    if target is None:
        await svc.out.reply(update, t(lang, "request.remove.how"))
        return
    store = svc.stores.requests
    request = await store.by_card(chat.id, target.message_id)
    if request is None or not await store.remove(request.id, svc.clock.now()):
        await svc.out.reply(update, t(lang, "request.remove.not_a_card"))
        return
    await take_down(svc, request)
