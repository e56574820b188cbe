"""The three cups of tea: "did you meet?" about a week after the pair is made, and twice more;
each asked once, with one gentle reminder at most, and after a yes perhaps something regular."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.domain.pairing import CheckIn, Pairing, PairStatus, asks_about_regular, next_checkin, reminder
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, services, user_language
from handlers.kit.guards import answer
from handlers.pairing.pairs import (
    CHECKIN_KIND,
    PROMPT_KIND,
    first_name,
    quiet_hours,
    reachable,
    schedule_checkin,
    unreachable,
)
from handlers.pairing.views import partner_button


async def ask_both(svc: Services, item: ScheduledItem, now: datetime) -> ItemState | None:
    """Did you meet? To both, privately, as a prompt they can mute; once, and one gentle
    reminder at most."""
    pairing = await svc.stores.pairing.get(int(item.payload.get("pairing_id", 0)))
    check = CheckIn(round=int(item.payload.get("round", 0)),
                    attempt=int(item.payload.get("attempt", 0)))
    if pairing is None or pairing.status is not PairStatus.ACTIVE \
            or pairing.stage >= check.round or check.round < 1:
        return ItemState.SKIPPED
    extra = f"{check.round}{check.attempt}"
    key = "pairing.checkin.reminder" if check.attempt else f"pairing.checkin.{check.round}"
    for user_id in (pairing.resident_id, pairing.helper_id):
        if user_id is None:
            continue
        lang = await user_language(svc, user_id)
        name = await first_name(svc, pairing.partner_of(user_id))
        buttons = keyboard([
            button(plain(lang, "pairing.button.met"), "pair", "met", pairing.id, extra),
            button(plain(lang, "pairing.button.not_yet"), "pair", "not", pairing.id, extra),
        ])
        await svc.out.prompt(user_id, PROMPT_KIND, t(lang, key, name=name), keyboard=buttons,
                             key=f"pairing:checkin:{pairing.id}:{extra}:{user_id}")
        if not await reachable(svc, user_id):
            await unreachable(svc, user_id, now)
            return None
    later = reminder(check, now, await quiet_hours(svc, pairing.building_id), svc.settings.zone)
    if later is not None:
        await schedule_checkin(svc, pairing, *later)
    return None


async def on_checkin(update: Update, context: Context, pairing: Pairing, action: str, extra: str,
                     lang: str) -> None:
    """"Ja" / "Nog niet" to "did you meet?"; the first yes of either side counts."""
    svc = services(context)
    if pairing.status is not PairStatus.ACTIVE or len(extra) != 2 or not extra.isdigit():
        await answer(update, plain(lang, "error.stale_button"))
        return
    met_round, attempt = int(extra[0]), int(extra[1])
    if pairing.stage >= met_round or met_round < 1 \
            or (action == "met" and not await svc.stores.pairing.advance_stage(pairing.id, met_round)):
        await answer(update, plain(lang, "pairing.answer.noted"))
        await svc.out.replace_pressed(update, t(lang, "pairing.met.noted"))
        return
    if action == "not":
        await answer(update)
        key = "pairing.not_yet.last" if attempt else "pairing.not_yet.later"
        await svc.out.replace_pressed(update, t(lang, key))
        return
    await svc.scheduler.cancel(CHECKIN_KIND, f"p:{pairing.id}:r{met_round}:")
    following = next_checkin(met_round, svc.clock.now(),
                             await quiet_hours(svc, pairing.building_id), svc.settings.zone)
    if following is not None:
        await schedule_checkin(svc, pairing, *following)
    await answer(update)
    if asks_about_regular(met_round, pairing.regular_at is not None):
        buttons = keyboard([
            button(plain(lang, "pairing.button.regular_yes"), "pair", "reg", pairing.id, "y"),
            button(plain(lang, "pairing.button.not_yet"), "pair", "reg", pairing.id, "n"),
        ])
        await svc.out.replace_pressed(update, t(lang, "pairing.regular.ask"), buttons)
        return
    await svc.out.replace_pressed(update, t(lang, f"pairing.met.{met_round}"))


async def on_regular(update: Update, context: Context, pairing: Pairing, choice: str,
                     lang: str) -> None:
    """Would you like to agree on something regular? Either answer is fine."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    if pairing.status is not PairStatus.ACTIVE or choice not in ("y", "n"):
        await answer(update, plain(lang, "error.stale_button"))
        return
    await answer(update)
    if choice == "n":
        await svc.out.replace_pressed(update, t(lang, "pairing.regular.no"))
        return
    await svc.stores.pairing.agree_regular(pairing.id, svc.clock.now())
    name = await first_name(svc, pairing.partner_of(user.id))
    row = await partner_button(svc, lang, pairing, user.id)
    await svc.out.replace_pressed(update, t(lang, "pairing.regular.yes", name=name),
                                  keyboard(row) if row else None)
