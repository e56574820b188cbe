"""Objecting to a community worker, and the admins' answer.

Any current member of the group may press "Ik heb bezwaar" (on the proposal card, or in the list
/toegang shows): during the days to object, enough objections stop the proposal; once the worker
is let in, one objection pauses access at once and every admin of the group is asked privately to
turn it back on or stop it. Nobody learns who objected.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError

from bot.domain.worker_consent import ConsentStatus, after_objection
from bot.i18n import plain, t
from bot.services import Services
from handlers.insights.consent import DECIDE_KIND, PREFIX, card_ref, stopped, tell, who
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, resident_language
from handlers.kit.guards import admin_now, knows_of, member_press, on_own_ground
from handlers.kit.press import Press, pressed_with
from storage.insight_workers import Consent


async def _pressed(update: Update, context: Context) -> tuple[Press, Consent | None] | None:
    """The press and the consent its button names."""
    press = await Press.open(update, context)
    if press is None:
        return None
    consent_id = press.number(2, parts=3)
    consent = None if consent_id is None else await press.svc.stores.workers.get(consent_id)
    return press, consent


@pressed_with(_pressed)
async def on_object(press: Press, consent: Consent | None) -> None:
    svc, user, lang = press.svc, press.user, press.lang
    if consent is not None and (not on_own_ground(press.update, consent.building_id) or (
            press.in_own_chat
            and not await knows_of(press.context, consent.building_id, user.id))):
        consent = None  # pressed outside the group's card, as unknown as an id nothing has
    if consent is None or consent.status not in (ConsentStatus.PROPOSED, ConsentStatus.ACTIVE,
                                                 ConsentStatus.PAUSED):
        await press.tell("workers.object.stale", alert=True)
        return
    if await member_press(press.update, press.context, consent.building_id,
                          "workers.object.not_member") is None:
        return
    store, now = svc.stores.workers, svc.clock.now()
    if not await store.object(consent, user.id, now):
        await press.tell("workers.object.again", alert=True)
        return
    status = after_objection(consent.status, await store.objections(consent.id), consent.threshold)
    if status is consent.status:
        key = ("workers.object.waiting" if status is ConsentStatus.PAUSED
               else "workers.object.counted")
        await press.tell(key, alert=True)
        await svc.cards.refresh(card_ref(consent.id))
        return
    if not await store.move(consent.id, [consent.status], status, now):
        await press.tell("workers.object.counted", alert=True)
        return
    if status is ConsentStatus.DECLINED:
        await svc.scheduler.cancel(DECIDE_KIND, f"consent:{consent.id}")
        await press.tell("workers.object.declined", alert=True)
    else:
        await press.tell("workers.object.paused", alert=True, **who(lang, consent))
        await ask_admins(press.context, svc, consent)
    await tell(svc, consent, status)


async def ask_admins(context: Context, svc: Services, consent: Consent) -> int:
    """Every admin of the group, privately: turn it back on, or stop it. How many were asked."""
    try:
        admins = await context.bot.get_chat_administrators(consent.building_id)
    except TelegramError:
        return 0
    building = await svc.buildings.get(consent.building_id)
    title = building.title if building is not None else ""
    asked = 0
    for admin in admins:
        if admin.user.is_bot:
            continue
        lang = resident_language(svc, await svc.residents.get(admin.user.id))
        choices = keyboard([button(plain(lang, "workers.admin.resume"), PREFIX, "resume", consent.id),
                            button(plain(lang, "workers.admin.stop"), PREFIX, "stop", consent.id)])
        await svc.out.private(admin.user.id, t(lang, "workers.admin.ask", building=title,
                                               **who(lang, consent)), keyboard=choices)
        asked += 1
    return asked


@pressed_with(_pressed)
async def on_resume(press: Press, consent: Consent | None) -> None:
    svc, lang = press.svc, press.lang
    if consent is None or not on_own_ground(press.update, consent.building_id) \
            or not await admin_now(press.context, consent.building_id, press.user.id):
        await press.tell("workers.admin_only", alert=True)
        return
    assert consent is not None
    if not await svc.stores.workers.move(consent.id, [ConsentStatus.PAUSED], ConsentStatus.ACTIVE,
                                         svc.clock.now()):
        await press.tell("workers.resume.stale", alert=True)
        return
    await press.tell("workers.resume.answer")
    if press.update.effective_chat is not None and press.update.effective_chat.type == "private":
        await svc.out.replace_pressed(press.update, t(lang, "workers.resume.done", **who(lang, consent)))
    await tell(svc, consent, ConsentStatus.ACTIVE, worker_key="workers.worker.resumed",
               group_key="workers.group.resumed")


async def stop_pressed(press: Press, consent: Consent | None) -> bool:
    """"Stop" from an admin's private message: checked against the consent's own group."""
    svc, lang = press.svc, press.lang
    if consent is None or not await admin_now(press.context, consent.building_id, press.user.id):
        await press.tell("workers.admin_only", alert=True)
        return False
    if not await svc.stores.workers.stop(consent.id, consent.building_id, svc.clock.now()):
        await press.tell("workers.stop.stale", alert=True)
        return False
    await press.tell("workers.stop.answer")
    await svc.out.replace_pressed(press.update, t(lang, "workers.stop.done", **who(lang, consent)))
    await stopped(svc, consent)
    return True
