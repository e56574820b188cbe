"""The idea card in the group: who proposed what, how many joined (never who), "Doe mee" and
"Toch niet"; once the idea became an activity, when that is."""

from __future__ import annotations

from telegram import User

from bot.domain.ideas import JOINS_NEEDED, Idea
from bot.domain.text import display_name
from bot.i18n import plain, t, tn
from bot.services import Services
from handlers.activities.card import catch_up, organiser_label, when_text
from handlers.activities.from_idea import idea_ref
from handlers.kit.buttons import button, keyboard, report_button
from handlers.kit.cards import RenderedCard
from handlers.kit.context import group_language

REPORT_KIND = "idea"
"""Card kind in the "Meld" button and in `svc.reportables`."""


class IdeaCards:
    """The card source of ideas: rendered from the stored idea."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._store = svc.stores.ideas

    async def render(self, item_id: int) -> RenderedCard | None:
        idea = await self._store.get(item_id)
        if idea is None or idea.removed_at is not None:
            return None
        lang = await group_language(self._svc, idea.building_id)
        text = t(lang, "idea.card", name=organiser_label(lang, idea.proposer_name),
                 text=idea.text or t(lang, "idea.erased"))
        if not idea.is_open:
            activities = self._svc.stores.activities
            activity = await activities.get(idea.activity_id) if idea.activity_id else None
            if activity is not None:
                text += "\n\n" + t(lang, "idea.card.converted", title=activity.title,
                                   when=when_text(lang, self._svc, activity))
            return RenderedCard(chat_id=idea.building_id, text=text, keyboard=None)
        text += "\n\n" + tn(lang, "idea.card.count", JOINS_NEEDED, joined=idea.joined)
        markup = keyboard([button(plain(lang, "idea.button.join"), "idea", "join", idea.id),
                           button(plain(lang, "idea.button.leave"), "idea", "leave", idea.id)],
                          [report_button(lang, REPORT_KIND, idea.id)])
        return RenderedCard(chat_id=idea.building_id, text=text, keyboard=markup)

    async def message_id(self, item_id: int) -> int | None:
        """A card the group's admins took down has no message any more: edits still waiting
        for it are dropped."""
        idea = await self._store.get(item_id)
        if idea is None or idea.removed_at is not None:
            return None
        return idea.message_id

    async def record(self, item_id: int, message_id: int) -> None:
        idea = await self._store.get(item_id)
        if idea is not None:
            await self._store.set_message(item_id, message_id, idea.card_version)


async def propose(svc: Services, user: User, building_id: int, text: str) -> Idea:
    """Store the idea and post its card in the group."""
    idea = await svc.stores.ideas.create(building_id, user.id, display_name(user.first_name), text,
                                         svc.clock.now())
    await svc.cards.post(idea_ref(idea.id))
    return idea


async def repost_after_move(svc: Services, building_id: int) -> None:
    """The group became a supergroup: the open ideas get their card there."""
    for idea in await svc.stores.ideas.open_without_card(building_id):
        await svc.cards.post(idea_ref(idea.id))


async def recover(svc: Services) -> None:
    """After a stop: cards that fell behind show what is true now."""
    await catch_up(svc, svc.stores.ideas, idea_ref)
