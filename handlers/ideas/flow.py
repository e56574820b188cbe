"""A typed idea: privately, the resident is asked what they would like to do together, and what
they type next goes up in the group as an idea card."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update, User

from bot.domain.activities import InvalidInput
from bot.domain.ideas import JOINS_NEEDED, clean_idea
from bot.i18n import plain, t, tn
from bot.services import Services
from handlers.activities.flow import DraftFlow
from handlers.ideas.card import propose
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, user_language
from handlers.kit.guards import member_buildings
from handlers.kit.press import Press

FLOW = "idea"


def stop_keyboard(lang: str) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "activity.flow.stop"), "idea", "stop")])


async def wait_for_idea(svc: Services, user_id: int, building_id: int) -> None:
    """The next thing the resident types is their idea for this building."""
    await svc.flows.begin(user_id, FLOW)
    await svc.stores.ideas.start_draft(user_id, building_id, svc.clock.now())


async def start_typing(svc: Services, user_id: int, lang: str, building_id: int) -> None:
    await wait_for_idea(svc, user_id, building_id)
    await svc.out.message(user_id, t(lang, "idea.ask"), keyboard=stop_keyboard(lang))


async def post_typed(svc: Services, user: User, lang: str, building_id: int, typed: str) -> None:
    """Post the idea, or say what is wrong with it and wait for another try."""
    try:
        text = clean_idea(typed)
    except InvalidInput as error:
        await svc.out.message(
            user.id, t(lang, f"idea.problem.{error.problem.value}") + "\n\n" + t(lang, "idea.ask"),
            keyboard=stop_keyboard(lang))
        await wait_for_idea(svc, user.id, building_id)
        return
    building = await svc.buildings.get(building_id)
    if building is None or not building.active:
        await svc.stores.ideas.delete_draft(user.id)
        await svc.out.message(user.id, t(lang, "activity.flow.group_gone"))
        return
    await propose(svc, user, building_id, text)
    await svc.out.message(user.id, tn(lang, "idea.posted", JOINS_NEEDED,
                                      group=building.title))


class IdeaFlow(DraftFlow):
    """The typed idea, and /stop."""

    name = FLOW
    stopped = "idea.stopped"

    def __init__(self, svc: Services) -> None:
        super().__init__(svc, svc.stores.ideas)
        self.store = svc.stores.ideas

    async def waiting(self, user_id: int) -> bool:
        return await self.store.draft_building(user_id) is not None

    async def on_text(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        building_id = await self.store.draft_building(user.id)
        if building_id is None:
            return
        lang = await user_language(self.svc, user.id)
        await post_typed(self.svc, user, lang, building_id, message.text)


async def on_idea_button(update: Update, context: Context) -> None:
    """Stop typing, or the building the idea is for (for a resident of more than one)."""
    press = await Press.open(update, context)
    if press is None:
        return
    svc, user_id, lang, action = press.svc, press.user.id, press.lang, press.parts[1]
    if not press.in_own_chat:
        await press.tell("error.stale_button")
        return
    if action == "stop":
        await svc.stores.ideas.delete_draft(user_id)
        await press.answer()
        await svc.out.replace_pressed(update, t(lang, "idea.stopped"))
        return
    building_id = press.number(2, parts=3, signed=True)
    if action == "b" and building_id is not None \
            and building_id in await member_buildings(context, user_id):
        await press.answer()
        await start_typing(svc, user_id, lang, building_id)
        return
    await press.tell("error.stale_button")
