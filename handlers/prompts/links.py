"""Buttons that open the bot privately from a group: a building's standing deep link of a kind
(ask for help, a new activity, the notifications menu, typing the care contact)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.domain.deeplinks import link_url
from bot.services import Services
from handlers.kit.buttons import link_button


async def standing_link(svc: Services, kind: str, building_id: int) -> str:
    link = await svc.deep_links.reusable(kind, building_id, "", svc.clock.now())
    return link_url(svc.bot_username, link.token)


async def link_to(svc: Services, label: str, kind: str, building_id: int) -> InlineKeyboardButton:
    """A button that opens the building's standing link of `kind` (the label is plain text)."""
    return link_button(label, await standing_link(svc, kind, building_id))
