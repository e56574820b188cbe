"""Every `pair:` press: an answer to a suggestion, a check-in, something regular, stopping, and
"more often" under a done help request. Each is checked against the stored pairing (or request)
and the presser, so a forwarded or forged button pressed by someone else changes nothing."""

from __future__ import annotations

import re

from telegram import Update

from bot.domain.pairing import Pairing, PairStatus
from bot.i18n import plain, t
from handlers.kit.buttons import button, keyboard, parse_id
from handlers.kit.context import Context, services
from handlers.kit.guards import answer, knows_of
from handlers.kit.press import Press
from handlers.pairing.checkins import on_checkin, on_regular
from handlers.pairing.pairs import end_pair, first_name
from handlers.pairing.suggestions import ANSWERS, on_answer, on_request_press

PAIR_DATA = re.compile(r"^pair:(h|r|met|not|reg|end|endy|endn|req):(\d+)(?::([a-z0-9]{1,2}))?$")


async def on_pair_button(update: Update, context: Context) -> None:
    press = await Press.open(update, context)
    if press is None:
        return
    match = PAIR_DATA.match(press.data)
    target = parse_id(match.group(2)) if match else None
    if match is None or target is None or not press.in_own_chat:
        await press.tell("error.stale_button")
        return
    press = await press.remembered()
    lang = press.lang
    action, extra = match.group(1), match.group(3) or ""
    if action == "req":
        await on_request_press(update, context, target, lang)
        return
    pairing = await press.svc.stores.pairing.get(target)
    if pairing is None or not await knows_of(context, pairing.building_id, press.user.id,
                                             pairing.helper_id, pairing.resident_id):
        await press.tell("error.stale_button")
        return
    if not pairing.involves(press.user.id):
        await press.tell("error.not_yours")
        return
    if action in ANSWERS:
        await on_answer(update, context, pairing, action, extra, lang)
    elif action in ("met", "not"):
        await on_checkin(update, context, pairing, action, extra, lang)
    elif action == "reg":
        await on_regular(update, context, pairing, extra, lang)
    else:
        await on_end(update, context, pairing, action, lang)


async def on_end(update: Update, context: Context, pairing: Pairing, action: str,
                 lang: str) -> None:
    """"Stoppen": asked once more (a slip of the thumb happens), then ended without reasons."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    if pairing.status is not PairStatus.ACTIVE:
        await answer(update, plain(lang, "pairing.answer.ended"))
        return
    name = await first_name(svc, pairing.partner_of(user.id))
    await answer(update)
    if action == "end":
        sure = keyboard([
            button(plain(lang, "pairing.button.stop_yes"), "pair", "endy", pairing.id),
            button(plain(lang, "pairing.button.stop_no"), "pair", "endn", pairing.id),
        ])
        await svc.out.message(user.id, t(lang, "pairing.end.ask", name=name), keyboard=sure)
    elif action == "endn":
        await svc.out.replace_pressed(update, t(lang, "pairing.end.kept", name=name))
    else:
        await end_pair(svc, pairing, user.id, svc.clock.now())
        await svc.out.replace_pressed(update, t(lang, "pairing.end.done", name=name))
