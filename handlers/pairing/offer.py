"""A resident's offer: what they like to do for neighbours. Never shown to anyone else; it only
feeds the suggestions. Seen, changed, paused or removed by its owner alone."""

from __future__ import annotations

from telegram import Update

from bot.domain.pairing import DraftPurpose
from bot.i18n import plain, t
from handlers.kit.buttons import parse_id
from handlers.kit.context import (
    Context,
    presser_language,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.guards import answer, in_own_chat, is_member
from handlers.pairing.flow import begin
from handlers.pairing.pairs import schedule_matching
from handlers.pairing.views import offer_card, show


async def show_offer(update: Update, context: Context, building_id: int, *, edit: bool) -> None:
    """The resident's offer for this building, or the flow to make one."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    offer = await svc.stores.pairing.offer(building_id, user.id)
    if offer is None:
        await begin(update, context, DraftPurpose.OFFER, building_id, edit=edit)
        return
    await show(svc, update, *await offer_card(svc, lang, offer), edit=edit)


async def on_offer_button(update: Update, context: Context) -> None:
    """`off:<action>:<building>`: pick the building, change, pause, resume or remove; each press
    acts only on the presser's own offer."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    building_id = parse_id(parts[2], signed=True) if len(parts) == 3 else None
    if building_id is None or not in_own_chat(update):
        await answer(update, plain(await presser_language(svc, user), "error.stale_button"))
        return
    lang = resident_language(svc, await remember(update, context))
    action = parts[1]
    store, now = svc.stores.pairing, svc.clock.now()
    if action in ("b", "edit"):
        if not await is_member(context, building_id, user.id):
            await answer(update, plain(lang, "pairing.flow.not_member"), show_alert=True)
            return
        await answer(update)
        if action == "b":
            await show_offer(update, context, building_id, edit=True)
        else:
            offer = await store.offer(building_id, user.id)
            await begin(update, context, DraftPurpose.OFFER, building_id, edit=True, offer=offer)
        return
    if action == "del":
        if not await store.delete_offer(building_id, user.id):
            await answer(update, plain(lang, "error.stale_button"))
            return
        await answer(update)
        await show(svc, update, t(lang, "offer.removed"))
        return
    if action not in ("pause", "on") \
            or not await store.set_paused(building_id, user.id, action == "pause", now):
        await answer(update, plain(lang, "error.stale_button"))
        return
    said = "offer.answer.paused" if action == "pause" else "offer.answer.on"
    await answer(update, plain(lang, said))
    if action == "on":
        await schedule_matching(svc, building_id)
    await show_offer(update, context, building_id, edit=True)
