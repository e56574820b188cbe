"""The organiser's private controls: change the time, where it is, the text or the number of
places, see who comes (the organiser only), ask the group who takes over, or cancel (one date or
the whole series); and the answer to "this series seems to fade". A group admin may do the same,
except seeing who comes."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update, User

from bot.domain.activities import Activity, Draft, DraftStep, answers
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.controls import (
    controls_in_place,
    details_now,
    release_pressed,
    send_controls,
)
from handlers.activities.flow import may_manage, start_draft
from handlers.activities.hosting import ask_hand_over
from handlers.activities.jobs import ask_group
from handlers.activities.schedule import cancel_activity
from handlers.kit.buttons import button, column
from handlers.kit.context import Context, services
from handlers.kit.guards import answer, is_group_admin, knows_of
from handlers.kit.press import Press, pressed_with

EDIT_STEPS = {"time": DraftStep.EDIT_WHEN, "place": DraftStep.EDIT_PLACE,
              "text": DraftStep.EDIT_TEXT, "seats": DraftStep.EDIT_CAPACITY}
LIST_LIMIT = 20
ADMIN_HORIZON = timedelta(days=800)


async def manageable(context: Context, user: User) -> list[Activity]:
    """What this resident may change: what they organise, and as a group admin, all coming ones."""
    svc = services(context)
    store = svc.stores.activities
    now = svc.clock.now()
    found = {a.id: a for a in await store.organised_by(user.id, now)}
    for building_id in await svc.memberships.buildings_of(user.id):
        if await is_group_admin(context, building_id, user.id):
            for activity in await store.upcoming(building_id, now, now + ADMIN_HORIZON):
                found.setdefault(activity.id, activity)
    return sorted(found.values(), key=lambda a: a.starts_at)[:LIST_LIMIT]


async def managed(update: Update, context: Context) -> tuple[Press, Activity] | None:
    """The press on an organiser button and the activity behind it, if the presser may manage
    it (the action is the press's second part)."""
    press = await Press.open(update, context)
    if press is None:
        return None
    activity_id = press.number(2, parts=3)
    activity = None
    if activity_id is not None and press.in_own_chat:
        activity = await press.svc.stores.activities.get(activity_id)
    if activity is None or not await knows_of(context, activity.building_id, press.user.id,
                                              activity.organiser_id):
        await press.tell("error.stale_button")
        return None
    if not await may_manage(context, activity, press.user.id):
        await press.tell("activity.organiser_only", alert=True)
        return None
    return press, activity


async def edit_draft(svc: Services, user: User, lang: str, activity: Activity,
                     step: DraftStep) -> None:
    draft = Draft(user_id=user.id, building_id=activity.building_id, step=step,
                  activity_id=activity.id, updated_at=svc.clock.now())
    await start_draft(svc, user, lang, draft)


@pressed_with(managed)
async def on_manage(press: Press, activity: Activity) -> None:
    svc, user, lang, action = press.svc, press.user, press.lang, press.parts[1]
    if action == "open":
        await press.answer()
        await send_controls(svc, activity, user.id, lang, await details_now(lang, svc, activity))
        return
    if not activity.accepts_answers(svc.clock.now()):
        await press.tell("activity.manage.too_late", alert=True)
        return
    if action in EDIT_STEPS:
        await press.answer()
        await edit_draft(svc, user, lang, activity, EDIT_STEPS[action])
    elif action == "who":
        await show_who_comes(press.update, svc, activity, lang)
    elif action == "hand":
        asked = await ask_hand_over(svc, activity)
        await press.answer(None if asked else plain(lang, "activity.handover.already_asked"))
        if asked:
            await svc.out.message(user.id, t(lang, "activity.handover.asked", title=activity.title))
    elif action == "cancel":
        buttons = [button(plain(lang, "activity.manage.cancel_yes"), "actm", "cy", activity.id)]
        if activity.series_id is not None:
            buttons.append(button(plain(lang, "activity.manage.cancel_series"), "actm", "cs",
                                  activity.id))
        buttons.append(button(plain(lang, "activity.manage.keep"), "actm", "keep", activity.id))
        await press.answer()
        await release_pressed(press.update, svc, activity.id)
        await svc.out.replace_pressed(
            press.update, t(lang, "activity.manage.cancel_sure", title=activity.title), column(buttons))
    elif action in ("cy", "cs"):
        cancelled = await cancel_activity(svc, activity, stop_series=action == "cs")
        await press.answer()
        key = "activity.manage.cancelled" if cancelled else "activity.manage.too_late"
        await svc.out.replace_pressed(press.update, t(lang, key, title=activity.title))
    elif action == "keep":
        await press.answer()
        await controls_in_place(press.update, svc, activity, lang,
                                await details_now(lang, svc, activity))
    else:
        await press.tell("error.stale_button")


async def show_who_comes(update: Update, svc: Services, activity: Activity, lang: str) -> None:
    """Who comes, by first name, for the organiser only (the card shows numbers, never names;
    a group admin who may change the activity does not see who comes)."""
    user = update.effective_user
    if user is None or activity.organiser_id != user.id:
        await answer(update, plain(lang, "activity.who.organiser_only"), show_alert=True)
        return
    await answer(update)
    found = answers(await svc.stores.activities.rsvps(activity.id))
    lines = [t(lang, "activity.who.title", title=activity.title)]
    for key, rsvps in (("going", found.going), ("maybe", found.maybe),
                       ("waiting", found.waiting)):
        if not rsvps:
            continue
        names = []
        for rsvp in rsvps:
            resident = await svc.residents.get(rsvp.user_id)
            name = resident.first_name if resident is not None and resident.first_name else "?"
            names.append(t(lang, "activity.who.with_guest", name=name) if rsvp.guests else name)
        lines.append(t(lang, f"activity.who.{key}", count=len(rsvps), names=", ".join(names)))
    if len(lines) == 1:
        lines.append(t(lang, "activity.who.nobody"))
    await send_controls(svc, activity, user.id, lang, "\n".join(lines))


@pressed_with(managed)
async def on_fading(press: Press, activity: Activity) -> None:
    """The organiser's answer to "this series seems to fade": pause, change the time, ask the
    group."""
    svc, user, lang, action = press.svc, press.user, press.lang, press.parts[1]
    query = press.query
    if not activity.accepts_answers(svc.clock.now()):
        await press.tell("activity.manage.too_late", alert=True)
        return
    await press.answer()
    if action == "pause":
        await cancel_activity(svc, activity, stop_series=True)
        await svc.out.replace_pressed(press.update, t(lang, "activity.fade.paused", title=activity.title))
    elif action == "time":
        if query.message is not None:
            await svc.out.remove_keyboard(query.message.chat.id, query.message.message_id)
        await edit_draft(svc, user, lang, activity, DraftStep.EDIT_WHEN)
    elif action == "ask":
        await ask_group(svc, activity)
        await svc.out.replace_pressed(press.update, t(lang, "activity.fade.asked"))
