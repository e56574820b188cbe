""""Doe mee" on an idea card; at enough neighbours the proposer is invited privately to turn
the idea into an activity, with a draft already filled in."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Update, User

from bot.domain.activities import Draft, DraftStep
from bot.domain.deeplinks import DeepLink
from bot.domain.ideas import Idea, JoinOutcome, draft_title
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import plain, t, tn
from bot.services import Services
from handlers.activities.card import MEMBERS_ONLY
from handlers.activities.flow import start_draft
from handlers.activities.from_idea import idea_ref
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import (
    Context,
    services,
    user_language,
)
from handlers.kit.guards import knows_of
from handlers.kit.press import Press
from handlers.kit.reach import need_start_line

READY = "idea.ready"
MAKE_LINK = "ideamake"
"""Deep-link kind: the proposer opens the bot to make the idea an activity."""


def make_keyboard(lang: str, idea_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "idea.button.make"), "idea", "make", idea_id)])


async def on_join(update: Update, context: Context) -> None:
    press = await Press.open(update, context)
    if press is None:
        return
    svc = press.svc
    store = svc.stores.ideas

    async def on_its_card(idea_id: int) -> Idea | None:
        """Not once the admins took the card down."""
        idea = await store.get(idea_id)
        return idea if idea is not None and idea.removed_at is None else None

    idea = await press.card_item(on_its_card, MEMBERS_ONLY)
    if idea is None:
        return
    press = await press.remembered()
    now = svc.clock.now()
    # The answer to a join says that the proposer will see the first name (idea.answer.joined).
    result = await store.join(idea.id, press.user.id, press.parts[1] == "join", now,
                              name_shown=True)
    if result is None:
        await press.tell("error.stale_button")
        return
    await press.tell(f"idea.answer.{result.outcome.value}", missing=result.idea.missing,
                     alert=result.outcome is JoinOutcome.JOINED)
    if result.outcome in (JoinOutcome.JOINED, JoinOutcome.LEFT):
        await svc.cards.refresh(idea_ref(idea.id))
    if result.became_ready:
        await svc.scheduler.soon(READY, str(idea.id), building_id=idea.building_id,
                                 payload={"idea_id": idea.id})


class Jobs:
    """The schedule's handler for ideas: enough neighbours joined."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def register(self) -> None:
        self.svc.scheduler.register(READY, self.ready)

    async def ready(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """The proposer is invited privately; if the bot cannot write to them, a line in the
        group brings them to the bot."""
        svc = self.svc
        idea_id = item.payload.get("idea_id")
        idea = await svc.stores.ideas.get(idea_id) if isinstance(idea_id, int) else None
        if idea is None or not idea.is_open or idea.proposer_id is None:
            return ItemState.SKIPPED
        lang = await user_language(svc, idea.proposer_id)
        fallback = await need_start_line(svc, idea.building_id, idea.proposer_id,
                                         kind=MAKE_LINK, target=str(idea.id),
                                         reply_to_card=idea_ref(idea.id))
        await svc.out.private(idea.proposer_id,
                              tn(lang, "idea.ready", idea.joined, text=idea.text),
                              keyboard=make_keyboard(lang, idea.id), fallback=fallback,
                              key=f"{READY}:{idea.id}")
        return None


async def on_make(update: Update, context: Context) -> None:
    """The proposer turns the idea into an activity: a draft filled in with the idea."""
    press = await Press.open(update, context)
    if press is None:
        return
    idea_id = press.number(2, parts=3)
    idea = await press.svc.stores.ideas.get(idea_id) \
        if idea_id is not None and press.in_own_chat else None
    if idea is None or not idea.is_open \
            or not await knows_of(context, idea.building_id, press.user.id, idea.proposer_id):
        await press.tell("error.stale_button")
        return
    if idea.proposer_id != press.user.id:
        await press.tell("idea.proposer_only", alert=True)
        return
    await press.answer()
    await begin_from_idea(press.svc, press.user, press.lang, idea)


async def begin_from_idea(svc: Services, user: User, lang: str, idea: Idea) -> None:
    draft = Draft(user_id=user.id, building_id=idea.building_id, step=DraftStep.WHEN,
                  title=draft_title(idea.text), description=idea.text, idea_id=idea.id,
                  updated_at=svc.clock.now())
    await start_draft(svc, user, lang, draft, t(lang, "activity.flow.from_idea",
                                                title=draft.title, description=draft.description))


async def open_make_link(update: Update, context: Context, link: DeepLink) -> None:
    """For a proposer who had not opened the bot when the idea reached enough neighbours."""
    user = update.effective_user
    if user is None or not link.target.isdigit():
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    idea = await svc.stores.ideas.get(int(link.target))
    if idea is None or not idea.is_open or idea.proposer_id != user.id:
        await svc.out.message(user.id, t(lang, "start.link_unknown"))
        return
    await svc.out.message(user.id, tn(lang, "idea.ready", idea.joined, text=idea.text),
                          keyboard=make_keyboard(lang, idea.id))
