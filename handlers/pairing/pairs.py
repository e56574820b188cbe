"""What every step of a pair shares: the other person's first name, the building's quiet hours,
and the schedule rows through which everything reaches someone who did not just press a button.
Such a row is run at once (`Scheduler.soon`), so the other side hears it the moment the press is
handled, unless it is night in the building: then it waits for the morning. Either side can stop
at any time; the other hears it kindly, without reasons, also when someone leaves the group,
blocks the bot or asks to be forgotten.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from bot.domain.pairing import IN_FLIGHT, CheckIn, Pairing
from bot.domain.quiet_hours import QuietHours
from bot.services import Services

PROMPT_KIND = "pairing"
"""The kind of scheduled private prompt (residents can mute it in /meldingen)."""
MATCH_KIND = "pairing.match"
ASK_KIND = "pairing.ask"
TELL_KIND = "pairing.tell"
CHECKIN_KIND = "pairing.checkin"


async def first_name(svc: Services, user_id: int | None) -> str:
    resident = await svc.residents.get(user_id) if user_id is not None else None
    return resident.first_name if resident is not None and resident.first_name else "?"


async def quiet_hours(svc: Services, building_id: int) -> QuietHours:
    building = await svc.buildings.get(building_id)
    return building.settings.quiet_hours if building is not None else QuietHours()


async def reachable(svc: Services, user_id: int) -> bool:
    resident = await svc.residents.get(user_id)
    return resident is not None and resident.can_be_messaged


async def schedule_matching(svc: Services, building_id: int) -> None:
    """Look for a pair now (in the morning, at night), so a suggestion never goes out at night."""
    await svc.scheduler.soon(MATCH_KIND, f"b:{building_id}:{secrets.token_hex(6)}",
                             building_id=building_id)


async def schedule_ask(svc: Services, pairing: Pairing, side: str) -> None:
    """The anonymous question to the helper ("h") or, after their yes, the resident ("r")."""
    await svc.scheduler.soon(
        ASK_KIND, f"p:{pairing.id}:ask:{side}",
        building_id=pairing.building_id, payload={"pairing_id": pairing.id, "side": side})


async def schedule_tell(svc: Services, pairing: Pairing, user_id: int, what: str) -> None:
    """News for one side: the pair is "made", or the other "ended" it."""
    await svc.scheduler.soon(
        TELL_KIND, f"p:{pairing.id}:{what}:{user_id}",
        building_id=pairing.building_id,
        payload={"pairing_id": pairing.id, "user_id": user_id, "what": what})


async def schedule_checkin(svc: Services, pairing: Pairing, check: CheckIn, due: datetime) -> None:
    await svc.scheduler.add(
        CHECKIN_KIND, f"p:{pairing.id}:r{check.round}:a{check.attempt}", due,
        building_id=pairing.building_id,
        payload={"pairing_id": pairing.id, "round": check.round, "attempt": check.attempt})


async def end_pair(svc: Services, pairing: Pairing, by: int, now: datetime) -> None:
    """Stop a pair; the other side hears it kindly, without reasons."""
    if not await svc.stores.pairing.end(pairing.id, now):
        return
    await svc.scheduler.cancel(CHECKIN_KIND, f"p:{pairing.id}:")
    partner = pairing.partner_of(by)
    if partner is not None:
        await schedule_tell(svc, pairing, partner, "ended")


async def unreachable(svc: Services, user_id: int, now: datetime) -> None:
    """They blocked the bot: suggestions waiting on them are called off, their pairs end."""
    for pairing in await svc.stores.pairing.unreachable(user_id, now):
        await end_pair(svc, pairing, user_id, now)


async def refused(svc: Services, user_id: int, now: datetime) -> None:
    """Telegram refused a private message to them for good: as `unreachable`, and a wish whose
    suggestion was waiting on them looks for another neighbour."""
    waiting = await svc.stores.pairing.involving(user_id, IN_FLIGHT)
    await unreachable(svc, user_id, now)
    for building_id in sorted({pairing.building_id for pairing in waiting}):
        await schedule_matching(svc, building_id)


async def departed(svc: Services, building_id: int, user_id: int, now: datetime) -> None:
    """They left the group: their pairs there end, and the others' wishes look again."""
    for pairing in await svc.stores.pairing.leave_building(building_id, user_id, now):
        await end_pair(svc, pairing, user_id, now)
    await schedule_matching(svc, building_id)
