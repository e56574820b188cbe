"""What is planned around an activity: its card in the group, the reminders, the group's invite,
the start and the look-back, and the private word to everyone who answered when it changes.

Everything timed is a row of the schedule (see jobs.py for what each row does when it is due).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.activities import Activity, plan_reminders
from bot.domain.quiet_hours import QuietHours
from bot.services import Services
from handlers.activities.card import card_ref, catch_up
from handlers.activities.controls import retire_controls

REMIND = "act.remind"
INVITE = "act.invite"
BEGIN = "act.begin"
END = "act.end"
CHANGED = "act.changed"


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def start_ref(activity: Activity) -> str:
    """Schedule refs carry the start time: after a change of time new reminders are made and the
    old ones cancelled, while one that was already sent is never sent again."""
    return f"{activity.id}:{epoch(activity.starts_at)}"


async def schedule_activity(svc: Services, activity: Activity) -> None:
    """Reminders, the group's invite, the start and the look-back, for the activity's time now."""
    building = await svc.buildings.get(activity.building_id)
    quiet = building.settings.quiet_hours if building is not None else QuietHours()
    plan = plan_reminders(activity.starts_at, activity.end, svc.clock.now(), quiet,
                          svc.settings.zone)
    scheduler, ref = svc.scheduler, start_ref(activity)
    building_id, start = activity.building_id, activity.starts_at
    payload = {"activity_id": activity.id}
    await unschedule_reminders(svc, activity.id)
    for which, due in (("day", plan.day_before), ("soon", plan.soon)):
        if due is not None:
            await scheduler.add(REMIND, f"{ref}:{which}", due, building_id=building_id,
                                stale_after=start, revive=True, payload={**payload, "which": which})
    if plan.group_invite is not None:
        await scheduler.add(INVITE, ref, plan.group_invite, building_id=building_id,
                            stale_after=start, revive=True, payload=payload)
    await scheduler.add(BEGIN, ref, plan.start, building_id=building_id, payload=payload,
                        revive=True)
    await scheduler.add(END, str(activity.id), plan.look_back, building_id=building_id,
                        payload=payload, replace=True)


async def unschedule_reminders(svc: Services, activity_id: int) -> None:
    for kind in (REMIND, INVITE, BEGIN):
        await svc.scheduler.cancel(kind, f"{activity_id}:")


async def post_activity(svc: Services, activity: Activity) -> None:
    """The card goes up in the group (its message id is kept once it is there), and what
    follows is planned."""
    await svc.cards.post(card_ref(activity.id))
    await schedule_activity(svc, activity)


async def repost_after_move(svc: Services, building_id: int) -> None:
    """The group became a supergroup: the open activities get their card there (the old cards
    can no longer change, and their buttons answer that they are out of date)."""
    for activity in await svc.stores.activities.open_without_card(building_id):
        await svc.cards.post(card_ref(activity.id))


async def announce_change(svc: Services, activity: Activity, change: str) -> None:
    """Everyone who answered hears of a change privately: at once, or in the morning when it
    changed at night (and only before it starts)."""
    await svc.scheduler.soon(
        CHANGED, f"{activity.id}:{activity.card_version}",
        building_id=activity.building_id, stale_after=activity.starts_at,
        payload={"activity_id": activity.id, "change": change},
    )


async def cancel_activity(svc: Services, activity: Activity, *,
                          stop_series: bool) -> Activity | None:
    """The organiser (or an admin) calls it off: the card says so, nothing reminds anyone any
    more, and who answered hears it. None when it was no longer open."""
    store, now = svc.stores.activities, svc.clock.now()
    cancelled = await store.cancel(activity.id, now)
    if cancelled is None:
        return None
    if stop_series and activity.series_id is not None:
        await store.stop_series(activity.series_id, now)
    await unschedule_reminders(svc, activity.id)
    await svc.cards.refresh(card_ref(activity.id))
    await retire_controls(svc, activity.id)
    await announce_change(svc, cancelled, "cancel")
    return cancelled


async def recover(svc: Services, started: datetime) -> None:
    """After a stop: post the cards that never reached the group before this start (a card
    being posted right now is left to its own handler), and bring those that fell behind up to
    date."""
    store = svc.stores.activities
    for activity in await store.unposted(started):
        await post_activity(svc, activity)
    await catch_up(svc, store, card_ref)
