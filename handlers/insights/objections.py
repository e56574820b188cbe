"""Objecting to a community worker, and the admins' answer.

Any current member of the group may press "Ik heb bezwaar" (on the proposal card, or in the list
/toegang shows): during the days to object, enough objections stop the proposal; once the worker
is let in, one objection pauses access at once and every admin of the group is asked privately to
turn it back on or stop it. Nobody learns who objected.
"""

from __future__ import annotations

from telegram import Update, User
from telegram.error import TelegramError

from bot.domain.worker_consent import ConsentStatus, after_objection
from bot.i18n import plain, t
from bot.services import Services
from handlers.insights.consent import DECIDE_KIND, PREFIX, card_ref, stopped, tell, who
from handlers.kit.buttons import button, keyboard, parse_id
from handlers.kit.context import Context, presser_language, resident_language, services
from handlers.kit.guards import admin_now, answer, in_own_chat, knows_of, member_press, on_own_ground
from storage.insight_workers import Consent


def _consent_id(update: Update) -> int | None:
    query = update.callback_query
    parts = (query.data or "").split(":") if query is not None else []
    return parse_id(parts[2]) if len(parts) == 3 else None


async def _pressed(update: Update, context: Context) -> tuple[Services, User, str, Consent | None] | None:
    """The services, the presser, their language and the consent the button names."""
    user = update.effective_user
    if user is None:
        return None
    svc = services(context)
    consent_id = _consent_id(update)
    consent = None if consent_id is None else await svc.stores.workers.get(consent_id)
    return svc, user, await presser_language(svc, user), consent


async def on_object(update: Update, context: Context) -> None:
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    svc, user, lang, consent = pressed
    if consent is not None and (not on_own_ground(update, consent.building_id) or (
            in_own_chat(update) and not await knows_of(context, consent.building_id, user.id))):
        consent = None  # pressed outside the group's card, as unknown as an id nothing has
    if consent is None or consent.status not in (ConsentStatus.PROPOSED, ConsentStatus.ACTIVE,
                                                 ConsentStatus.PAUSED):
        await answer(update, plain(lang, "workers.object.stale"), show_alert=True)
        return
    if await member_press(update, context, consent.building_id, "workers.object.not_member") is None:
        return
    store, now = svc.stores.workers, svc.clock.now()
    if not await store.object(consent, user.id, now):
        await answer(update, plain(lang, "workers.object.again"), show_alert=True)
        return
    status = after_objection(consent.status, await store.objections(consent.id), consent.threshold)
    if status is consent.status:
        key = ("workers.object.waiting" if status is ConsentStatus.PAUSED
               else "workers.object.counted")
        await answer(update, plain(lang, key), show_alert=True)
        await svc.cards.refresh(card_ref(consent.id))
        return
    if not await store.move(consent.id, [consent.status], status, now):
        await answer(update, plain(lang, "workers.object.counted"), show_alert=True)
        return
    if status is ConsentStatus.DECLINED:
        await svc.scheduler.cancel(DECIDE_KIND, f"consent:{consent.id}")
        await answer(update, plain(lang, "workers.object.declined"), show_alert=True)
    else:
        await answer(update, plain(lang, "workers.object.paused", **who(lang, consent)),
                     show_alert=True)
        await ask_admins(context, svc, consent)
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


async def _admin_of(update: Update, context: Context, consent: Consent | None) -> bool:
    """The presser is an admin of the consent's group now (asked of Telegram)."""
    user = update.effective_user
    if user is None or consent is None:
        return False
    return await admin_now(context, consent.building_id, user.id)


async def on_resume(update: Update, context: Context) -> None:
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    svc, _, lang, consent = pressed
    if consent is None or not on_own_ground(update, consent.building_id) \
            or not await _admin_of(update, context, consent):
        await answer(update, plain(lang, "workers.admin_only"), show_alert=True)
        return
    assert consent is not None
    if not await svc.stores.workers.move(consent.id, [ConsentStatus.PAUSED], ConsentStatus.ACTIVE,
                                         svc.clock.now()):
        await answer(update, plain(lang, "workers.resume.stale"), show_alert=True)
        return
    await answer(update, plain(lang, "workers.resume.answer"))
    if update.effective_chat is not None and update.effective_chat.type == "private":
        await svc.out.replace_pressed(update, t(lang, "workers.resume.done", **who(lang, consent)))
    await tell(svc, consent, ConsentStatus.ACTIVE, worker_key="workers.worker.resumed",
               group_key="workers.group.resumed")


async def stop_pressed(update: Update, context: Context, consent: Consent | None) -> bool:
    """"Stop" from an admin's private message: checked against the consent's own group."""
    svc = services(context)
    user = update.effective_user
    if user is None:
        return False
    lang = await presser_language(svc, user)
    if not await _admin_of(update, context, consent):
        await answer(update, plain(lang, "workers.admin_only"), show_alert=True)
        return False
    assert consent is not None
    if not await svc.stores.workers.stop(consent.id, consent.building_id, svc.clock.now()):
        await answer(update, plain(lang, "workers.stop.stale"), show_alert=True)
        return False
    await answer(update, plain(lang, "workers.stop.answer"))
    await svc.out.replace_pressed(update, t(lang, "workers.stop.done", **who(lang, consent)))
    await stopped(svc, consent)
    return True
