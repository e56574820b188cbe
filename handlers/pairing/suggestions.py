"""Anonymous suggestions with a double opt-in, and the introduction.

A suggestion goes first to the helper, without names; only after their yes is the resident
asked, again without names; only when both said yes do they learn each other's first name and
get a button to write to each other. A "no" is silent.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.pairing import Pairing, PairKind, PairStatus, first_checkin
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, services, user_language
from handlers.kit.guards import answer, is_member, knows_of
from handlers.pairing.pairs import (
    first_name,
    quiet_hours,
    reachable,
    schedule_ask,
    schedule_checkin,
    schedule_matching,
    schedule_tell,
)
from handlers.pairing.views import kind_label, partner_button, want_text, when_text, yes_no

ANSWERS = {"h": PairStatus.ASKED_HELPER, "r": PairStatus.ASKED_RESIDENT}
"""Which side a suggestion's question is for, by the status the suggestion waits in."""


async def ask(svc: Services, pairing: Pairing, side: str) -> None:
    """The anonymous question to the helper ("h") or, after their yes, to the resident ("r").
    A refusal (they blocked the bot) reaches `pairs.refused` through the delivery."""
    user_id = pairing.helper_id if side == "h" else pairing.resident_id
    assert user_id is not None
    lang = await user_language(svc, user_id)
    if pairing.request_id is not None:
        text = t(lang, "pairing.request.to_helper",
                 requester=await first_name(svc, pairing.resident_id),
                 kind=kind_label(lang, pairing.kind))
    else:
        key = "pairing.suggest.helper" if side == "h" else "pairing.suggest.resident"
        text = t(lang, key, want=want_text(lang, pairing.kind), when=when_text(lang, pairing.when))
    await svc.out.private(user_id, text, keyboard=yes_no(lang, side, pairing.id),
                          key=f"pairing:ask:{pairing.id}:{side}")


async def made_text(svc: Services, pairing: Pairing, user_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """Both said yes: the first name of the other, a button to write, and one to stop."""
    lang = await user_language(svc, user_id)
    partner = pairing.partner_of(user_id)
    name = await first_name(svc, partner)
    text = t(lang, "pairing.made", name=name, want=want_text(lang, pairing.kind),
             when=when_text(lang, pairing.when))
    return text, keyboard(
        await partner_button(svc, lang, pairing, user_id),
        [button(plain(lang, "pairing.button.end"), "pair", "end", pairing.id)],
    )


async def paired(svc: Services, pairing_id: int, tell: int | None) -> Pairing | None:
    """After both said yes: the other hears it (calmly), and the first check-in is planned."""
    pairing = await svc.stores.pairing.get(pairing_id)
    if pairing is None or pairing.paired_at is None:
        return None
    if tell is not None:
        await schedule_tell(svc, pairing, tell, "made")
    check, due = first_checkin(pairing.paired_at, await quiet_hours(svc, pairing.building_id),
                               svc.settings.zone)
    await schedule_checkin(svc, pairing, check, due)
    return pairing


async def on_answer(update: Update, context: Context, pairing: Pairing, side: str, choice: str,
                    lang: str) -> None:
    """"Ja, graag" / "Nee, liever niet" on an anonymous suggestion."""
    svc = services(context)
    store = svc.stores.pairing
    user = update.effective_user
    assert user is not None
    expected = pairing.helper_id if side == "h" else pairing.resident_id
    if user.id != expected:
        await answer(update, plain(lang, "error.not_yours"))
        return
    if choice not in ("y", "n") or pairing.status is not ANSWERS[side]:
        await answer(update, plain(lang, "pairing.answer.closed"))
        return
    now = svc.clock.now()
    if choice == "n":
        if not await store.decline(pairing.id, ANSWERS[side], now):
            await answer(update, plain(lang, "pairing.answer.closed"))
            return
        await answer(update)
        await svc.out.replace_pressed(update, t(lang, "pairing.declined"))
        await schedule_matching(svc, pairing.building_id)
        return
    if side == "h" and pairing.request_id is None:
        if not await store.helper_said_yes(pairing.id, now):
            await answer(update, plain(lang, "pairing.answer.closed"))
            return
        await answer(update)
        await svc.out.replace_pressed(update, t(lang, "pairing.helper.yes_wait"))
        await schedule_ask(svc, pairing, "r")
        return
    if not await store.make_pair(pairing.id, ANSWERS[side], now):
        await answer(update, plain(lang, "pairing.answer.closed"))
        return
    made = await paired(svc, pairing.id, pairing.partner_of(user.id))
    await answer(update)
    if made is not None:
        text, buttons = await made_text(svc, made, user.id)
        await svc.out.replace_pressed(update, text, buttons)


async def on_request_press(update: Update, context: Context, request_id: int, lang: str) -> None:
    """"Wil je dit vaker samen doen?" under a done request: the requester asks their helper,
    who is asked privately (the requester's press is their yes)."""
    svc = services(context)
    store = svc.stores.pairing
    user = update.effective_user
    assert user is not None
    facts = await store.request_facts(request_id)
    if facts is None or not await knows_of(context, facts.building_id, user.id,
                                           facts.requester_id, facts.helper_id):
        await answer(update, plain(lang, "error.stale_button"))
        return
    if facts.requester_id != user.id:
        await answer(update, plain(lang, "error.not_yours"))
        return
    helper_id = facts.helper_id
    if facts.status != "done" or helper_id is None or helper_id == user.id \
            or facts.kind not in PairKind.__members__.values():
        await answer(update, plain(lang, "error.stale_button"))
        return
    helper = await first_name(svc, helper_id)
    refusal = None
    if not await is_member(context, facts.building_id, user.id) \
            or not await is_member(context, facts.building_id, helper_id):
        refusal = plain(lang, "pairing.request.not_now")
    elif not await reachable(svc, helper_id):
        refusal = plain(lang, "pairing.request.helper_unreachable", name=helper)
    else:
        between = [p for p in await store.involving(user.id) if p.partner_of(user.id) == helper_id]
        if any(p.status is PairStatus.ACTIVE for p in between):
            refusal = plain(lang, "pairing.request.already_pair", name=helper)
        elif any(p.request_id is not None for p in between):
            refusal = plain(lang, "pairing.request.asked_before", name=helper)
    pairing = None if refusal else await store.suggest_from_request(
        facts, PairKind(facts.kind), svc.clock.now())
    if pairing is None:
        await answer(update, refusal or plain(lang, "pairing.request.asked_before", name=helper),
                     show_alert=True)
        return
    await answer(update)
    await svc.out.message(user.id, t(lang, "pairing.request.asking", name=helper))
    await schedule_ask(svc, pairing, "h")
