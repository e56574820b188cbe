"""A wish for a regular neighbour: started from /vastebuur (or its deep link), and withdrawn
there; the taps in between are the flow's."""

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
from handlers.kit.guards import answer, in_own_chat, is_member, member_buildings
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
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    if not in_own_chat(update):
        await answer(update, plain(await presser_language(svc, user), "error.not_yours"))
        return
    lang = resident_language(svc, await remember(update, context))
    parts = (query.data or "").split(":")
    if parts == ["wsh", "new"]:
        await answer(update)
        await start_wish(update, context, edit=False)
        return
    target = parse_id(parts[2], signed=True) if len(parts) == 3 else None
    if target is None or parts[1] not in ("b", "x"):
        await answer(update, plain(lang, "error.stale_button"))
        return
    if parts[1] == "b":
        if not await is_member(context, target, user.id):
            await answer(update, plain(lang, "pairing.flow.not_member"), show_alert=True)
            return
        await answer(update)
        await begin(update, context, DraftPurpose.WISH, target, edit=True)
        return
    store = svc.stores.pairing
    wish = await store.wish(target)
    if wish is None or wish.user_id != user.id:
        # A wish is shown to nobody but its owner: to anyone else it does not exist.
        await answer(update, plain(lang, "error.stale_button"))
        return
    if not await store.withdraw_wish(target, user.id, svc.clock.now()):
        await answer(update, plain(lang, "error.stale_button"))
        return
    await answer(update)
    await svc.out.message(user.id, t(lang, "wish.withdrawn", want=want_text(lang, wish.kind)))
