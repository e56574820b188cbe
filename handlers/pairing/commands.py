"""/aanbod (/offer), /vastebuur (/regular) and /zorgen (/worried), and the deep links that
continue them privately: in a group each posts one short line with a button, nothing more."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.domain.deeplinks import DeepLink
from bot.domain.pairing import PairStatus
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.command import Command
from handlers.kit.context import (
    Context,
    is_group,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.guards import member_buildings, member_link
from handlers.pairing.offer import show_offer
from handlers.pairing.pairs import first_name
from handlers.pairing.views import building_choice, kind_label, want_text, when_text
from handlers.pairing.wishes import start_wish

OFFER_LINK = "offer"
REGULAR_LINK = "regular"
WORRIED_LINK = "worried"


async def go_private_line(update: Update, context: Context, link_kind: str, key: str) -> None:
    """In a group: one short line with a button that opens the private chat for this."""
    command = await Command.open(update, context)
    if command is not None:
        await command.go_private(link_kind, key)


async def started_privately(update: Update, context: Context) -> int | None:
    """A command typed in the private chat: the resident is recorded as having opened it."""
    user = update.effective_user
    if user is None:
        return None
    svc = services(context)
    await remember(update, context)
    await svc.residents.mark_started(user.id, svc.clock.now())
    return user.id


# --- /aanbod ---------------------------------------------------------------------------------------

async def offer_command(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await go_private_line(update, context, OFFER_LINK, "offer.group.go_private")
        return
    user_id = await started_privately(update, context)
    if user_id is None:
        return
    svc = services(context)
    lang = resident_language(svc, await svc.residents.get(user_id))
    buildings = await member_buildings(context, user_id)
    if not buildings:
        await svc.out.message(user_id, t(lang, "pairing.no_building"))
    elif len(buildings) == 1:
        await show_offer(update, context, buildings[0], edit=False)
    else:
        await svc.out.message(user_id, t(lang, "offer.choose_building"),
                              keyboard=await building_choice(svc, buildings, "off"))


async def open_offer_link(update: Update, context: Context, link: DeepLink) -> None:
    if await member_link(update, context, link, "pairing.flow.not_member") is None:
        return
    assert link.building_id is not None
    await show_offer(update, context, link.building_id, edit=False)


# --- /vastebuur ------------------------------------------------------------------------------------

async def regular_command(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await go_private_line(update, context, REGULAR_LINK, "pairing.group.go_private")
        return
    if await started_privately(update, context) is not None:
        await overview(update, context, None)


async def open_regular_link(update: Update, context: Context, link: DeepLink) -> None:
    if await member_link(update, context, link, "pairing.flow.not_member") is not None:
        await overview(update, context, link.building_id)


async def own_pairings(svc: Services, user_id: int,
                       lang: str) -> list[tuple[str, InlineKeyboardButton]]:
    """The resident's regular neighbours (with "Stoppen") and open wishes (with "Intrekken"):
    one line and its button each, for /vastebuur and for "Mijn dingen"."""
    store = svc.stores.pairing
    shown = []
    for pairing in await store.involving(user_id, [PairStatus.ACTIVE]):
        name = await first_name(svc, pairing.partner_of(user_id))
        shown.append((t(lang, "pairing.overview.pair", name=name, want=want_text(lang, pairing.kind)),
                      button(plain(lang, "pairing.button.stop_with", name=name),
                             "pair", "end", pairing.id)))
    for wish in await store.open_wishes_of(user_id):
        shown.append((t(lang, "pairing.overview.wish", want=want_text(lang, wish.kind),
                        when=when_text(lang, wish.when)),
                      button(plain(lang, "pairing.button.withdraw",
                                   kind=kind_label(lang, wish.kind)), "wsh", "x", wish.id)))
    return shown


async def overview(update: Update, context: Context, building_id: int | None) -> None:
    """The resident's pairs (with "Stoppen") and open wishes; with none, straight to asking."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    shown = await own_pairings(svc, user.id, lang)
    if not shown:
        await start_wish(update, context, edit=False, building_id=building_id)
        return
    lines = [t(lang, "pairing.overview.title"), *(line for line, _ in shown)]
    rows = [[stop] for _, stop in shown]
    rows.append([button(plain(lang, "pairing.button.new_wish"), "wsh", "new")])
    await svc.out.message(user.id, "\n".join(lines), keyboard=keyboard(*rows))


# --- /zorgen ---------------------------------------------------------------------------------------

def places_text(svc: Services, lang: str) -> str:
    """Where anyone can always turn: the deployment's own list, or the usual Dutch one."""
    lines = svc.settings.care_contact_lines
    if not lines:
        return t(lang, "worried.places")
    return "\n".join(t(lang, "worried.place", place=line) for line in lines)


async def contacts_text(svc: Services, lang: str, user_id: int) -> str:
    """Whom to talk to when worried about a neighbour: the contact the admins set for each of
    the resident's buildings, the places anyone can always turn to, and 112. The bot passes
    nothing on to anyone itself."""
    blocks = []
    for building_id in await svc.memberships.buildings_of(user_id):
        building = await svc.buildings.get(building_id)
        if building is None:
            continue
        contact = building.settings.care_contact.strip()
        if contact:
            blocks.append(t(lang, "worried.contact", building=building.title, contact=contact))
        else:
            blocks.append(t(lang, "worried.no_contact", building=building.title))
    if not blocks:
        blocks.append(t(lang, "worried.no_group"))
    return t(lang, "worried.text", contacts=Safe("\n\n".join(blocks) + "\n\n"),
             places=Safe(places_text(svc, lang)))


async def show_contacts(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    await svc.out.message(user.id, await contacts_text(svc, lang, user.id))


async def worried_command(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await go_private_line(update, context, WORRIED_LINK, "worried.group.go_private")
        return
    await remember(update, context)
    await show_contacts(update, context)


async def open_worried_link(update: Update, context: Context, link: DeepLink) -> None:
    await show_contacts(update, context)
