"""When a request's scheduled work runs: the one bump, the close at its time, and a weekly
need's next week. Derived from the stored request each time it changes."""

from __future__ import annotations

from datetime import datetime

from bot.domain.requests import HelpRequest, bump_moment, close_moment
from bot.services import Services


def job_ref(request_id: int) -> str:
    """Schedule ref of one request; the trailing colon keeps prefix-cancel to this id only."""
    return f"req:{request_id}:"


def series_ref(series_id: int) -> str:
    return f"series:{series_id}:"


async def schedule_request(svc: Services, request: HelpRequest) -> None:
    """The bump (once, never in quiet hours), the close at its time, and a series' next week.

    `replace=True` moves a pending item after an edit; an item that already ran stays done,
    so an edited request is never bumped twice.
    """
    building = await svc.buildings.get(request.building_id)
    if building is None:
        return
    quiet, zone = building.settings.quiet_hours, svc.settings.zone
    ref = job_ref(request.id)
    bump = bump_moment(request.when.due_at, request.created_at,
                       building.settings.bump_hours_before, quiet, zone)
    if bump is not None and request.bumped_at is None:
        await svc.scheduler.add("request.bump", ref, bump, building_id=request.building_id,
                                stale_after=request.when.due_at, replace=True)
    else:
        await svc.scheduler.cancel("request.bump", ref)
    closing = close_moment(request.when.due_at, quiet, zone)
    # The close runs at the request's own time, night or not: the card must not invite help
    # that is too late. (A close row is not calm; what it says privately waits for the
    # morning.) A new close row for each (re)scheduling: one that already ran or was cancelled
    # for an earlier time must not keep a later time from closing.
    await svc.scheduler.cancel("request.close", ref)
    stamp = f"{request.when.due_at:%Y%m%d%H%M}@{svc.clock.now():%Y%m%d%H%M%S}"
    await svc.scheduler.add("request.close", ref + stamp, request.when.due_at,
                            building_id=request.building_id)
    if request.series_id is not None:
        await svc.scheduler.add(
            "request.next", f"{series_ref(request.series_id)}{request.id}", closing,
            building_id=request.building_id, payload={"request_id": request.id}, replace=True,
        )


async def unschedule_request(svc: Services, request: HelpRequest) -> None:
    ref = job_ref(request.id)
    await svc.scheduler.cancel("request.bump", ref)
    await svc.scheduler.cancel("request.close", ref)


async def stop_series(svc: Services, series_id: int, now: datetime | None = None) -> bool:
    """A weekly need stops: no next week is posted. False when it had stopped already."""
    stopped = await svc.stores.requests.stop_series(series_id, now or svc.clock.now())
    await svc.scheduler.cancel("request.next", series_ref(series_id))
    return stopped
