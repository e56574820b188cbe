"""A wish for a regular neighbour: started from /vastebuur (or its deep link), and withdrawn
there; the taps in between are the flow's."""

from __future__ import annotations

from telegram import Update

from bot.domain.pairing import DraftPurpose
from bot.i18n import t
from handlers.kit.context import Context, services, user_language
from handlers.kit.guards import is_member, member_buildings
from handlers.kit.press import Press, Speaks
from handlers.pairing.flow import begin
from handlers.pairing.views import building_choice, show, want_text


async def start_wish(update: Update, context: Context, *, edit: bool,
                     building_id: int | None = None) -> None:
    """Ask for a regular neighbour: for the given building, the only one, or pick one."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    buildings = await member_buildings(context, user.id)
    if building_id is not None and building_id in buildings:
        buildings = [building_id]
    if not buildings:
        await show(svc, update, t(lang, "pairing.no_building"), edit=edit)
    elif len(buildings) == 1:
        await begin(update, context, DraftPurpose.WISH, buildings[0], edit=edit)
    else:
        await show(svc, update, t(lang, "wish.choose_building"),
                   await building_choice(svc, buildings, "wsh"), edit=edit)


async def on_wish_button(update: Update, context: Context) -> None:
    """`wsh:new`, `wsh:b:<building>` (start the wish flow) and `wsh:x:<wish>` (withdraw)."""
    press = await Press.open_own_chat(update, context, "error.not_yours", Speaks.RESIDENT)
    if press is None:
        return
    if press.parts == ["wsh", "new"]:
        await press.answer()
        await start_wish(update, context, edit=False)
        return
    target = press.number(2, parts=3, signed=True)
    if target is None or press.parts[1] not in ("b", "x"):
        await press.tell("error.stale_button")
        return
    svc, user_id = press.svc, press.user.id
    if press.parts[1] == "b":
        if not await is_member(context, target, user_id):
            await press.tell("pairing.flow.not_member", alert=True)
            return
        await press.answer()
        await begin(update, context, DraftPurpose.WISH, target, edit=True)
        return
    store = svc.stores.pairing
    wish = await store.wish(target)
    if wish is None or wish.user_id != user_id:
        # A wish is shown to nobody but its owner: to anyone else it does not exist.
        await press.tell("error.stale_button")
        return
    if not await store.withdraw_wish(target, user_id, svc.clock.now()):
        await press.tell("error.stale_button")
        return
    await press.answer()
    await svc.out.message(user_id, t(press.lang, "wish.withdrawn",
                                     want=want_text(press.lang, wish.kind)))
