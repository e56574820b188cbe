"""Reaching residents without naming them in the group, and introducing two residents to each
other whatever their Telegram privacy settings.

- A resident the bot cannot write to privately (they never opened it) is reached by one neutral
  line in the group with a deep link that opens only for them: nobody else learns who it is for.
- Two people who should talk (a request's requester and helper, a pair of regular neighbours)
  get a button each: a link to the other's username where they have one (Telegram opens it
  whatever their settings), otherwise "send a message through me" (see handlers.community.relay).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardButton

from bot.domain.community import valid_username
from bot.domain.deeplinks import link_url
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard, link_button
from handlers.kit.context import BUILDING_LINK, group_language
from handlers.kit.send import CardRef, Method, Outgoing

PERSONAL_LINK_LIFETIME = timedelta(days=30)
RELAY = "rly"
"""Callback prefix of "send a message through me": `rly:<route>:<item id>`."""


async def personal_link(svc: Services, user_id: int, building_id: int, *,
                        kind: str = BUILDING_LINK, target: str = "") -> str:
    """A deep link that opens only for `user_id` (anyone else is told it is not theirs)."""
    now = svc.clock.now()
    link = await svc.deep_links.create(kind, now, building_id=building_id, target=target,
                                       for_user=user_id, expires_at=now + PERSONAL_LINK_LIFETIME)
    return link_url(svc.bot_username, link.token)


async def need_start_line(svc: Services, chat_id: int, user_id: int, *,
                          key: str = "private.need_start", kind: str = BUILDING_LINK,
                          target: str = "", label: str = "button.open_private",
                          reply_to: int | None = None, reply_to_card: CardRef | None = None,
                          **values: object) -> Outgoing:
    """What the group sees when a resident cannot be written to privately: a line that names
    nobody (`key`, in the group's language) and a button (`label`) that opens the bot for them
    only."""
    lang = await group_language(svc, chat_id)
    url = await personal_link(svc, user_id, chat_id, kind=kind, target=target)
    opener = keyboard([link_button(plain(lang, label), url)])
    return Outgoing(chat_id=chat_id, method=Method.SEND, text=t(lang, key, **values),
                    keyboard=opener.to_dict(), reply_to=reply_to, reply_to_card=reply_to_card)


@dataclass(frozen=True)
class Contact:
    """The other person of a request or a pair, as the button to reach them needs it."""

    user_id: int
    name: str
    username: str | None


async def contact_of(svc: Services, user_id: int) -> Contact:
    resident = await svc.residents.get(user_id)
    if resident is None:
        return Contact(user_id, "?", None)
    return Contact(user_id, resident.first_name or "?", valid_username(resident.username))


def contact_button(lang: str, contact: Contact, route: str, item_id: int) -> InlineKeyboardButton:
    """Write to them directly (username), or through the bot: never a `tg://user?id=` link,
    which Telegram refuses (with the whole message) when their privacy settings say so."""
    if contact.username is not None:
        return link_button(plain(lang, "contact.button.write", name=contact.name),
                           f"https://t.me/{contact.username}")
    return button(plain(lang, "contact.button.relay", name=contact.name), RELAY, route, item_id)
