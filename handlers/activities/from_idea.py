"""An idea that became an activity: those who joined it are signed up (in the order they
joined, on the waiting list once it is full), hear it privately with their own buttons, and the
idea's card says what it became.

Ideas build on activities (the proposer finishes an activity draft filled in from the idea), so
this side of the link lives here and the ideas feature imports it.
"""

from __future__ import annotations

from bot.domain.activities import Activity, RsvpChoice, RsvpStatus
from bot.i18n import t
from bot.services import Services
from handlers.activities.answers import answer_keyboard, status_text
from handlers.activities.card import card_ref
from handlers.activities.feedback import PROMPT_KIND
from handlers.kit.context import resident_language
from handlers.kit.send import CardRef

IDEA_CARD = "idea"
"""The ideas feature registers its card source under this kind."""


def idea_ref(idea_id: int) -> CardRef:
    return CardRef(kind=IDEA_CARD, item_id=idea_id)


async def convert_idea(svc: Services, idea_id: int, activity: Activity) -> list[str]:
    """Sign up those who joined and were told the proposer would see their name; their first
    names, for the proposer only (cards show none). Those who joined before that was said are
    asked to answer themselves, and stay nameless."""
    ideas, store, now = svc.stores.ideas, svc.stores.activities, svc.clock.now()
    if not await ideas.convert(idea_id, activity.id, now):
        return []
    await svc.cards.refresh(idea_ref(idea_id))
    activity = await store.get(activity.id) or activity
    named = set(await ideas.joiners(idea_id, named=True))
    names: list[str] = []
    for user_id in await ideas.joiners(idea_id):
        if user_id == activity.organiser_id:
            continue
        membership = await svc.memberships.get(activity.building_id, user_id)
        if membership is None or not membership.is_current:
            continue
        resident = await svc.residents.get(user_id)
        lang = resident_language(svc, resident)
        if user_id not in named:
            await svc.out.prompt(user_id, PROMPT_KIND,
                                 t(lang, "idea.became_activity_ask", title=activity.title),
                                 keyboard=answer_keyboard(lang, activity, None))
            continue
        result = await store.respond(activity.id, user_id, RsvpChoice.GOING, now)
        mine = result.decision.mine if result is not None and result.decision else None
        status = mine.status if mine is not None else RsvpStatus.GOING
        if resident is not None and resident.first_name:
            names.append(resident.first_name)
        await svc.out.prompt(
            user_id, PROMPT_KIND,
            t(lang, "idea.became_activity", title=activity.title) + "\n"
            + status_text(lang, svc, activity, status, result.waiting_position if result else None),
            keyboard=answer_keyboard(lang, activity, status))
    await svc.cards.refresh(card_ref(activity.id))
    return names
