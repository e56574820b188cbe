"""An idea that became an activity: its card says so, and those who joined hear it privately.

Ideas build on activities (the proposer finishes an activity draft filled in from the idea), so
this side of the link lives here and the ideas feature imports it.
"""

from __future__ import annotations

from bot.domain.activities import Activity
from bot.i18n import t
from bot.services import Services
from handlers.activities.card import when_text
from handlers.activities.feedback import PROMPT_KIND
from handlers.kit.context import resident_language
from handlers.kit.send import CardRef

IDEA_CARD = "idea"
"""The ideas feature registers its card source under this kind."""


def idea_ref(idea_id: int) -> CardRef:
    return CardRef(kind=IDEA_CARD, item_id=idea_id)


async def convert_idea(svc: Services, idea_id: int, activity: Activity) -> list[str]:
    """The first names of those who joined, for the proposer only (the card shows none), and
    only of those who were told so when they joined."""
    ideas = svc.stores.ideas
    if not await ideas.convert(idea_id, activity.id, svc.clock.now()):
        return []
    await svc.cards.refresh(idea_ref(idea_id))
    named = set(await ideas.joiners(idea_id, named=True))
    names: list[str] = []
    for user_id in await ideas.joiners(idea_id):
        resident = await svc.residents.get(user_id)
        if resident is not None and resident.first_name and user_id in named:
            names.append(resident.first_name)
        lang = resident_language(svc, resident)
        await svc.out.prompt(user_id, PROMPT_KIND,
                             t(lang, "idea.became_activity", title=activity.title,
                               when=when_text(lang, svc, activity)))
    return names
