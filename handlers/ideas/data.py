"""What other features ask of ideas: when residents last proposed one, a resident's data
(export, erase, expiry), departures, and reported cards."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import t
from bot.services import ReportedCard, Services
from handlers.activities.data import CardData
from handlers.activities.from_idea import idea_ref
from handlers.activities.reach import tell


class IdeaData(CardData):
    """Ideas a resident proposed or joined."""

    name = "ideas"

    def __init__(self, svc: Services) -> None:
        super().__init__(svc, svc.stores.ideas)
        self.store = svc.stores.ideas

    async def last_activity(self, building_id: int) -> datetime | None:
        return await self.store.last_idea_in(building_id)

    async def refresh(self, idea_ids: list[int]) -> None:
        for idea_id in idea_ids:
            await self.svc.cards.refresh(idea_ref(idea_id))

    async def forget(self, user_id: int, now: datetime) -> None:
        await self.refresh(await self.store.forget(user_id, now))

    async def departed(self, building_id: int, user_id: int, now: datetime) -> None:
        """Someone who left no longer counts on the ideas still open there."""
        await self.refresh(await self.store.leave_open(user_id, building_id))

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        idea = await self.store.get(item_id)
        if idea is None or idea.removed_at is not None:
            return None
        return self.reported(idea.building_id, idea.message_id,
                             idea.text or t(lang, "idea.erased"))

    async def hide(self, item_id: int, now: datetime) -> bool:
        """The card goes (the caller deletes it) and nobody can join or build on the idea after;
        the proposer hears privately that an admin took it down."""
        idea = await self.store.get(item_id)
        if idea is None or not await self.store.remove(item_id, now):
            return False
        if idea.proposer_id is not None:
            await tell(self.svc, idea.proposer_id, "idea.removed.proposer", text=idea.text)
        return True
