"""Reaching a resident about an activity: privately in their own language, or, when the bot
cannot write to them yet, with one line in the group and a button that opens the bot."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import keyboard, link_button
from handlers.kit.context import group_language, user_language
from handlers.kit.send import CardRef, Method, Outgoing


async def tell(svc: Services, user_id: int, key: str, *,
               markup: InlineKeyboardMarkup | None = None, **values: object) -> None:
    """A private message in the resident's language; if it is refused, the card in the group
    still shows what happened."""
    await svc.out.private(user_id, t(await user_language(svc, user_id), key, **values),
                          keyboard=markup)


async def open_private_line(svc: Services, building_id: int, key: str, url: str, *,
                            reply_to_card: CardRef | None = None, **values: object) -> Outgoing:
    """The group line for a resident the bot cannot write to privately: the line `key` with a
    button that opens the bot (whose link brings them to what they missed)."""
    lang = await group_language(svc, building_id)
    markup = keyboard([link_button(plain(lang, "button.open_private"), url)])
    return Outgoing(chat_id=building_id, method=Method.SEND, text=t(lang, key, **values),
                    keyboard=markup.to_dict(), reply_to_card=reply_to_card)
