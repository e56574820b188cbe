"""What regular-neighbour matching keeps about a resident, and what happens to it when they go:
leave the group, block the bot, or ask to be forgotten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import ChatMember, Update

from bot.domain.pairing import Offer, Pairing, PairStatus, Wish
from bot.services import Services
from handlers.kit.context import Context, is_group, services
from handlers.pairing.pairs import departed, first_name, refused, unreachable


def _offer(offer: Offer) -> dict[str, Any]:
    return {
        "building_id": offer.building_id, "kinds": sorted(k.value for k in offer.kinds),
        "days": sorted(offer.when.days), "parts": sorted(p.value for p in offer.when.parts),
        "frequency": offer.frequency.value, "paused": offer.paused,
        "created_at": offer.created_at.isoformat(), "updated_at": offer.updated_at.isoformat(),
    }


def _wish(wish: Wish) -> dict[str, Any]:
    return {
        "building_id": wish.building_id, "kind": wish.kind.value, "days": sorted(wish.when.days),
        "parts": sorted(p.value for p in wish.when.parts), "status": wish.status.value,
        "created_at": wish.created_at.isoformat(),
    }


def _pair(pairing: Pairing, role: str) -> dict[str, Any]:
    assert pairing.paired_at is not None
    return {
        "kind": pairing.kind.value, "role": role, "status": pairing.status.value,
        "cups_of_tea": pairing.stage, "regular_agreed": pairing.regular_at is not None,
        "paired_at": pairing.paired_at.isoformat(),
        "ended_at": pairing.ended_at.isoformat() if pairing.ended_at else None,
    }


class PairingData:
    """Export, erase and expire; and the hooks for a resident who leaves or blocks the bot."""

    name = "pairing"

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    async def export(self, user_id: int) -> dict[str, Any]:
        """Their offers and wishes; of pairs, the partner's first name only while active; of
        suggestions, never who the other person was."""
        store = self.svc.stores.pairing
        pairs: list[dict[str, Any]] = []
        suggestions: list[dict[str, Any]] = []
        for pairing in await store.involving(user_id):
            role = "asked" if pairing.resident_id == user_id else "offered"
            if pairing.paired_at is None:
                suggestions.append({"kind": pairing.kind.value, "role": role,
                                    "status": pairing.status.value,
                                    "suggested_at": pairing.suggested_at.isoformat()})
                continue
            item = _pair(pairing, role)
            if pairing.status is PairStatus.ACTIVE:
                item["partner"] = await first_name(self.svc, pairing.partner_of(user_id))
            pairs.append(item)
        return {"offers": [_offer(offer) for offer in await store.offers_of(user_id)],
                "wishes": [_wish(wish) for wish in await store.wishes_of(user_id)],
                "pairs": pairs, "suggestions": suggestions}

    async def forget(self, user_id: int, now: datetime) -> None:
        """Offers and wishes deleted; pairs ended (the partner told kindly); their id erased."""
        await unreachable(self.svc, user_id, now)
        await self.svc.stores.pairing.forget(user_id, now)

    async def expire(self, before: datetime) -> int:
        return await self.svc.stores.pairing.expire(before)

    async def departed(self, building_id: int, user_id: int, now: datetime) -> None:
        await departed(self.svc, building_id, user_id, now)

    async def refused(self, user_id: int, now: datetime) -> None:
        await refused(self.svc, user_id, now)


async def on_private_member(update: Update, context: Context) -> None:
    """A resident blocked the bot (their private chat says "kicked"): their pairs end kindly."""
    change = update.my_chat_member
    if change is None or is_group(change.chat) \
            or change.new_chat_member.status != ChatMember.BANNED:
        return
    svc = services(context)
    await unreachable(svc, change.chat.id, svc.clock.now())
