"""/toegang: who gets the group's figures, for any resident, with a button to object.

In the group it lists that group's workers (proposed, let in or paused); privately, those of
every group the resident is in. A worker is never a member, so they see no such list.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.domain.worker_consent import ConsentStatus
from bot.i18n import plain, t
from bot.services import Services
from handlers.insights.consent import PREFIX, day, who
from handlers.kit.buttons import button, column
from handlers.kit.context import Context, is_group, language_for, remember, services
from storage.insight_workers import Consent

STATUS_KEYS = {
    ConsentStatus.PROPOSED: "workers.access.proposed",
    ConsentStatus.ACTIVE: "workers.access.active",
    ConsentStatus.PAUSED: "workers.access.paused",
}


async def _listing(svc: Services, lang: str, building_id: int,
                   consents: list[Consent]) -> tuple[str, list[InlineKeyboardButton]]:
    building = await svc.buildings.get(building_id)
    title = building.title if building is not None else ""
    lines = [t(lang, "workers.access.title", building=title)]
    buttons: list[InlineKeyboardButton] = []
    for consent in consents:
        lines.append(t(lang, STATUS_KEYS[consent.status], **who(lang, consent),
                       date=day(svc, lang, consent.access_from)))
        if consent.status is not ConsentStatus.PAUSED:
            buttons.append(button(plain(lang, "workers.access.object", name=consent.name),
                                  PREFIX, "obj", consent.id))
    return "\n".join(lines), buttons


async def show_access(update: Update, context: Context) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    svc = services(context)
    await remember(update, context)
    lang = await language_for(update, context)
    if is_group(chat):
        building = await svc.buildings.get(chat.id)
        if building is None or not building.active:
            return
        buildings = [chat.id]
    else:
        buildings = await svc.memberships.buildings_of(user.id)
    texts: list[str] = []
    buttons: list[InlineKeyboardButton] = []
    for building_id in buildings:
        consents = await svc.stores.workers.live_in(building_id)
        if consents:
            text, found = await _listing(svc, lang, building_id, consents)
            texts.append(text)
            buttons += found
    if not texts:
        await svc.out.reply(update, t(lang, "workers.access.none"))
        return
    texts.append(t(lang, "workers.access.how"))
    markup: InlineKeyboardMarkup | None = column(buttons) if buttons else None
    await svc.out.reply(update, "\n\n".join(texts), keyboard=markup)
