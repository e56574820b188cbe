"""A resident's offer: what they like to do for neighbours. Never shown to anyone else; it only
feeds the suggestions. Seen, changed, paused or removed by its owner alone."""

from __future__ import annotations

from telegram import Update

from bot.domain.pairing import DraftPurpose
from bot.i18n import t
from handlers.kit.context import Context, services, user_language
from handlers.kit.guards import is_member
from handlers.kit.press import Press
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
    press = await Press.open(update, context)
    if press is None:
        return
    building_id = press.number(2, parts=3, signed=True)
    if not press.in_own_chat or building_id is None:
        await press.tell("error.stale_button")
        return
    press = await press.remembered()
    svc, user_id, action = press.svc, press.user.id, press.parts[1]
    store, now = svc.stores.pairing, svc.clock.now()
    if action in ("b", "edit"):
        if not await is_member(context, building_id, user_id):
            await press.tell("pairing.flow.not_member", alert=True)
            return
        await press.answer()
        if action == "b":
            await show_offer(update, context, building_id, edit=True)
        else:
            offer = await store.offer(building_id, user_id)
            await begin(update, context, DraftPurpose.OFFER, building_id, edit=True, offer=offer)
        return
    if action == "del":
        if not await store.delete_offer(building_id, user_id):
            await press.tell("error.stale_button")
            return
        await press.answer()
        await show(svc, update, t(press.lang, "offer.removed"))
        return
    if action not in ("pause", "on") \
            or not await store.set_paused(building_id, user_id, action == "pause", now):
        await press.tell("error.stale_button")
        return
    await press.tell("offer.answer.paused" if action == "pause" else "offer.answer.on")
    if action == "on":
        await schedule_matching(svc, building_id)
    await show_offer(update, context, building_id, edit=True)
