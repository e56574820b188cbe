"""Reaching a resident about an activity privately, in their own language (when the bot cannot
write to them yet, `handlers.kit.reach.need_start_line` reaches them without naming them)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import t
from bot.services import Services
from handlers.kit.context import user_language


async def tell(svc: Services, user_id: int, key: str, *,
               markup: InlineKeyboardMarkup | None = None, **values: object) -> None:
    """A private message in the resident's language; if it is refused, the card in the group
    still shows what happened."""
    await svc.out.private(user_id, t(await user_language(svc, user_id), key, **values),
                          keyboard=markup)
