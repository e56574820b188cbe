"""What residents see of regular neighbours: kinds and times in words, the offer card, the
choice of building, and the buttons under a suggestion or a pair."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.dates_text import weekday_name
from bot.domain.pairing import Availability, DayPart, Offer, Pairing, PairKind, PairStatus
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers.kit.buttons import button, column, keyboard
from handlers.kit.reach import contact_button, contact_of

KIND_ROWS: tuple[tuple[PairKind, ...], ...] = (
    (PairKind.CONTAINER, PairKind.GROCERIES),
    (PairKind.TRANSPORT, PairKind.CHORE),
    (PairKind.COMPANY, PairKind.DEVICES),
    (PairKind.LOOKOUT, PairKind.BUDDY),
    (PairKind.OTHER,),
)


def kind_label(lang: str, kind: PairKind) -> str:
    return plain(lang, f"pairing.kind.{kind.value}")


def want_text(lang: str, kind: PairKind) -> str:
    """The kind inside a sentence: "Een buur zoekt <gezelschap> ..."."""
    return t(lang, f"pairing.want.{kind.value}")


def _or_list(lang: str, words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return t(lang, "pairing.or_list", first=", ".join(words[:-1]), last=words[-1])


def when_text(lang: str, when: Availability) -> Safe:
    """" op donderdagmiddag" or " op maandag of donderdag (middag of avond)"; empty when the
    two will agree on days themselves."""
    if not when.complete:
        return Safe("")
    days = [weekday_name(lang, day) for day in sorted(when.days)]
    parts = [t(lang, f"pairing.part.{part.value}") for part in DayPart if part in when.parts]
    if len(days) == 1 and len(parts) == 1:
        return Safe(t(lang, "pairing.when.one", day=days[0], part=parts[0]))
    if len(days) == 7:
        return Safe(t(lang, "pairing.when.any_day", parts=_or_list(lang, parts)))
    return Safe(t(lang, "pairing.when.many", days=_or_list(lang, days),
                  parts=_or_list(lang, parts)))


def kinds_text(lang: str, kinds: Iterable[PairKind]) -> str:
    chosen = set(kinds)
    return ", ".join(kind_label(lang, kind) for kind in PairKind if kind in chosen)


def yes_no(lang: str, side: str, pairing_id: int) -> InlineKeyboardMarkup:
    """Under an anonymous suggestion: `side` is "h" (the helper) or "r" (the resident)."""
    return keyboard([
        button(plain(lang, "pairing.button.yes"), "pair", side, pairing_id, "y"),
        button(plain(lang, "pairing.button.no"), "pair", side, pairing_id, "n"),
    ])


RELAY_ROUTE = "pair"
"""Relay route of an active pair: the two may write to each other through the bot."""


async def partner_button(svc: Services, lang: str, pairing: Pairing,
                         user_id: int) -> list[InlineKeyboardButton]:
    """A button to reach the other person of the pair (a row; empty when there is none)."""
    partner = pairing.partner_of(user_id)
    if partner is None:
        return []
    return [contact_button(lang, await contact_of(svc, partner), RELAY_ROUTE, pairing.id)]


async def relay_partner(svc: Services, pairing_id: int, user_id: int) -> int | None:
    """Whom `user_id` may write to through the bot about this pair: the other, while active."""
    pairing = await svc.stores.pairing.get(pairing_id)
    if pairing is None or pairing.status is not PairStatus.ACTIVE:
        return None
    return pairing.partner_of(user_id)


async def offer_card(svc: Services, lang: str, offer: Offer) -> tuple[str, InlineKeyboardMarkup]:
    """The resident's own offer, with change, pause (or resume) and remove."""
    building = await svc.buildings.get(offer.building_id)
    text = t(lang, "offer.card", building=building.title if building else "",
             kinds=kinds_text(lang, offer.kinds), when=when_text(lang, offer.when),
             often=t(lang, f"offer.often.{offer.frequency.value}"))
    if offer.paused:
        text += "\n" + t(lang, "offer.card.paused")
    bid = offer.building_id
    pause = (button(plain(lang, "offer.button.resume"), "off", "on", bid) if offer.paused
             else button(plain(lang, "offer.button.pause"), "off", "pause", bid))
    return text, keyboard(
        [button(plain(lang, "offer.button.change"), "off", "edit", bid), pause],
        [button(plain(lang, "offer.button.remove"), "off", "del", bid)],
    )


async def building_choice(svc: Services, buildings: list[int], prefix: str) -> InlineKeyboardMarkup:
    """One button a building, for a resident in more than one."""
    choices = []
    for building_id in buildings:
        building = await svc.buildings.get(building_id)
        if building is not None:
            choices.append(button(building.title or str(building_id), prefix, "b", building_id))
    return column(choices)


async def show(svc: Services, update: Update, text: str,
               buttons: InlineKeyboardMarkup | None = None, *, edit: bool = True) -> None:
    """In the private chat: in place of the pressed message (`edit`), else as a new message."""
    if edit:
        await svc.out.replace_pressed(update, text, buttons)
        return
    user = update.effective_user
    if user is not None:
        await svc.out.message(user.id, text, keyboard=buttons)
