"""Host hand-over for a series: under the group's thank-you, a neighbour offers to organise the
next time, and the organiser (or a group admin) confirms or declines, in the group or privately.

The thank-you message is a card of its own: after the first post it shows the state of the offer
(someone offered, confirmed, or asked again).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.activities import Activity
from bot.domain.text import display_name
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.card import (
    card_ref,
    organiser_keyboard,
    organiser_label,
    pressed_on_card,
)
from handlers.activities.reach import tell
from handlers.kit.buttons import button, keyboard, parse_id
from handlers.kit.cards import RenderedCard
from handlers.kit.context import (
    Context,
    group_language,
    presser_language,
    remember,
    resident_language,
    services,
    user_language,
)
from handlers.kit.guards import admin_now, answer
from handlers.kit.send import CardRef

HOST_CARD = "activity_host"


def host_ref(offer_id: int) -> CardRef:
    return CardRef(kind=HOST_CARD, item_id=offer_id)


def host_keyboard(lang: str, offer_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "activity.host.button"), "act", "host", offer_id)])


def host_decision_keyboard(lang: str, offer_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "activity.host.confirm"), "act", "hostok", offer_id),
                     button(plain(lang, "activity.host.decline"), "act", "hostno", offer_id)])


class HostCards:
    """The thank-you under a held date of a series, once someone pressed its button."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._store = svc.stores.activities

    async def render(self, item_id: int) -> RenderedCard | None:
        offer = await self._store.host_offer(item_id)
        series = await self._store.series(offer.series_id) if offer is not None else None
        if offer is None or series is None:
            return None
        lang = await group_language(self._svc, offer.building_id)
        if offer.status == "offered":
            text = t(lang, "activity.host.waiting", name=offer.user_name,
                     organiser=organiser_label(lang, series.organiser_name))
            return RenderedCard(chat_id=offer.building_id, text=text,
                                keyboard=host_decision_keyboard(lang, offer.id))
        if offer.status == "confirmed":
            return RenderedCard(chat_id=offer.building_id, keyboard=None,
                                text=t(lang, "activity.host.confirmed", name=offer.user_name))
        return RenderedCard(chat_id=offer.building_id, text=t(lang, "activity.host.ask_again"),
                            keyboard=host_keyboard(lang, offer.id))

    async def message_id(self, item_id: int) -> int | None:
        offer = await self._store.host_offer(item_id)
        return offer.message_id if offer is not None else None

    async def record(self, item_id: int, message_id: int) -> None:
        await self._store.set_offer_message(item_id, message_id)


async def thank_the_group(svc: Services, activity: Activity) -> None:
    """"Er kwamen n buren" (a number, no names); for a series, also "who hosts next time?"."""
    store, now = svc.stores.activities, svc.clock.now()
    lang = await group_language(svc, activity.building_id)
    text = t(lang, "activity.thanks", title=activity.title, came=activity.came_count or 0)
    series = await store.series(activity.series_id) if activity.series_id else None
    offer = await store.open_host_offer(activity, now) if series and series.active else None
    if offer is None or offer.status != "asked":
        await svc.out.message(activity.building_id, text)
        return
    text += "\n" + t(lang, "activity.host.question")
    await svc.out.message(activity.building_id, text, keyboard=host_keyboard(lang, offer.id),
                          card=host_ref(offer.id))


async def on_host_offer(update: Update, context: Context) -> None:
    """A resident taps "Ik organiseer de volgende keer" under the group's thank-you."""
    svc = services(context)
    store = svc.stores.activities
    offer = await pressed_on_card(update, context, store.host_offer)
    user = update.effective_user
    if offer is None or user is None:
        return
    lang = await presser_language(svc, user)
    series = await store.series(offer.series_id)
    if series is None or not series.active:
        await answer(update, plain(lang, "activity.answer.closed"))
        return
    if series.organiser_id == user.id:
        await answer(update, plain(lang, "activity.host.already_you"))
        return
    lang = resident_language(svc, await remember(update, context))
    if not await store.offer_to_host(offer.id, user.id, display_name(user.first_name)):
        await answer(update, plain(lang, "activity.host.taken"))
        return
    await answer(update, plain(lang, "activity.host.offered"))
    await svc.cards.refresh(host_ref(offer.id))
    if series.organiser_id is not None:
        olang = await user_language(svc, series.organiser_id)
        activity = await store.get(offer.activity_id)
        await tell(svc, series.organiser_id, "activity.host.ask_organiser",
                   markup=host_decision_keyboard(olang, offer.id), name=display_name(user.first_name),
                   title=activity.title if activity else "")


async def on_host_decision(update: Update, context: Context) -> None:
    """The organiser (or a group admin) confirms or declines the new host, in the group or
    privately."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    store = svc.stores.activities
    lang = await presser_language(svc, user)
    _, action, raw_id = query.data.split(":")
    offer_id = parse_id(raw_id)
    offer = await store.host_offer(offer_id) if offer_id is not None else None
    series = await store.series(offer.series_id) if offer else None
    if offer is None or series is None or offer.status != "offered" or offer.user_id is None:
        await answer(update, plain(lang, "error.stale_button"))
        return
    if series.organiser_id != user.id \
            and not await admin_now(context, offer.building_id, user.id):
        await answer(update, plain(lang, "activity.organiser_only"), show_alert=True)
        return
    confirm = action == "hostok"
    now = svc.clock.now()
    if not await store.decide_offer(offer.id, confirm, now):
        await answer(update, plain(lang, "error.stale_button"))
        return
    await answer(update)
    if confirm:
        for activity_id in await store.hand_over(series.id, offer.user_id, offer.user_name, now):
            await svc.cards.refresh(card_ref(activity_id))
    await svc.cards.refresh(host_ref(offer.id))
    if query.message is not None and query.message.chat.id != offer.building_id:
        done = "activity.host.done_confirmed" if confirm else "activity.host.done_declined"
        await svc.out.replace_pressed(update, t(lang, done, name=offer.user_name))
    if not confirm:
        await tell(svc, offer.user_id, "activity.host.not_now")
        return
    hlang = await user_language(svc, offer.user_id)
    upcoming = await store.upcoming_of_series(series.id, now)
    await tell(svc, offer.user_id, "activity.host.you_host",
               markup=organiser_keyboard(hlang, upcoming[0]) if upcoming else None,
               title=upcoming[0].title if upcoming else "")
