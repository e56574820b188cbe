"""Handing over the hosting: under the group's thank-you after a date of a series ("who hosts
next time?"), or when an organiser asks the group who takes over one activity or a whole series.
A neighbour offers; the organiser (or a group admin) confirms or declines, in the group or
privately. Each says what moves: the next date, this activity, or the series from now on.

The group's question is a card of its own: after the first post it shows the state of the offer
(someone offered, confirmed, or asked again).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.activities import Activity
from bot.domain.text import display_name
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.card import (
    MEMBERS_ONLY,
    card_ref,
    organiser_label,
    repeat_label,
    when_text,
)
from handlers.activities.controls import retire_controls, send_controls
from handlers.activities.reach import tell
from handlers.kit.buttons import button, keyboard
from handlers.kit.cards import RenderedCard
from handlers.kit.context import (
    Context,
    group_language,
    user_language,
)
from handlers.kit.guards import admin_now, knows_of, on_own_ground
from handlers.kit.press import Press
from handlers.kit.send import CardRef
from storage.activities import HostOffer, HostScope

HOST_CARD = "activity_host"


def host_ref(offer_id: int) -> CardRef:
    return CardRef(kind=HOST_CARD, item_id=offer_id)


def host_key(scope: HostScope, what: str) -> str:
    """The text of `what` for this kind of hand-over: "de volgende keer" only for the next
    date of a series."""
    if scope is HostScope.NEXT:
        return f"activity.host.{what}"
    return f"activity.handover.{scope.value}.{what}"


def host_keyboard(lang: str, offer: HostOffer) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, host_key(offer.scope, "button")), "act", "host", offer.id)])


def host_decision_keyboard(lang: str, offer_id: int) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "activity.host.confirm"), "act", "hostok", offer_id),
                     button(plain(lang, "activity.host.decline"), "act", "hostno", offer_id)])


class Handing:
    """What a hand-over is about: the activity it was asked for, and who hosts it now."""

    def __init__(self, offer: HostOffer, activity: Activity, organiser_id: int | None,
                 organiser_name: str, active: bool) -> None:
        self.offer = offer
        self.activity = activity
        self.organiser_id = organiser_id
        self.organiser_name = organiser_name
        self.active = active
        """Can it still be handed over (the series runs; the activity has not begun)?"""

    def values(self, lang: str, svc: Services) -> dict[str, object]:
        return {"title": self.activity.title, "when": when_text(lang, svc, self.activity),
                "repeat": repeat_label(lang, self.activity.repeat),
                "organiser": organiser_label(lang, self.organiser_name),
                "name": self.offer.user_name}


async def handing(svc: Services, offer: HostOffer | None) -> Handing | None:
    store = svc.stores.activities
    activity = await store.get(offer.activity_id) if offer is not None else None
    if offer is None or activity is None:
        return None
    if offer.scope is HostScope.ACTIVITY:
        return Handing(offer, activity, activity.organiser_id, activity.organiser_name,
                       activity.accepts_answers(svc.clock.now()))
    series = await store.series(offer.series_id) if offer.series_id is not None else None
    if series is None:
        return None
    if offer.scope is HostScope.NEXT:
        coming = await store.upcoming_of_series(series.id, svc.clock.now())
        activity = coming[0] if coming else activity  # the next date is what is handed over
    return Handing(offer, activity, series.organiser_id, series.organiser_name, series.active)


class HostCards:
    """The group's question who hosts, once someone pressed its button."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc

    async def render(self, item_id: int) -> RenderedCard | None:
        found = await handing(self._svc, await self._svc.stores.activities.host_offer(item_id))
        if found is None:
            return None
        offer = found.offer
        lang = await group_language(self._svc, offer.building_id)
        values = found.values(lang, self._svc)
        if offer.status == "offered":
            return RenderedCard(chat_id=offer.building_id,
                                text=t(lang, host_key(offer.scope, "waiting"), **values),
                                keyboard=host_decision_keyboard(lang, offer.id))
        if offer.status == "confirmed":
            return RenderedCard(chat_id=offer.building_id, keyboard=None,
                                text=t(lang, host_key(offer.scope, "confirmed"), **values))
        return RenderedCard(chat_id=offer.building_id,
                            text=t(lang, host_key(offer.scope, "ask_again"), **values),
                            keyboard=host_keyboard(lang, offer))

    async def message_id(self, item_id: int) -> int | None:
        offer = await self._svc.stores.activities.host_offer(item_id)
        return offer.message_id if offer is not None else None

    async def record(self, item_id: int, message_id: int) -> None:
        await self._svc.stores.activities.set_offer_message(item_id, message_id)


async def thank_the_group(svc: Services, activity: Activity) -> None:
    """Thanks to the group, without a number (who came is asked, not presumed, and the card
    shows it once they say so); for a series, also "who hosts next time?"."""
    store, now = svc.stores.activities, svc.clock.now()
    lang = await group_language(svc, activity.building_id)
    text = t(lang, "activity.thanks", title=activity.title)
    series = await store.series(activity.series_id) if activity.series_id else None
    offer = await store.open_host_offer(activity, now) if series and series.active else None
    if offer is None or offer.status != "asked":
        await svc.out.message(activity.building_id, text)
        return
    text += "\n" + t(lang, "activity.host.question")
    await svc.out.message(activity.building_id, text, keyboard=host_keyboard(lang, offer),
                          card=host_ref(offer.id))


async def ask_hand_over(svc: Services, activity: Activity) -> bool:
    """The organiser asks the group who takes over: this activity, or for a series the series
    from now on. False while such a question is still open."""
    scope = HostScope.SERIES if activity.series_id is not None else HostScope.ACTIVITY
    offer = await svc.stores.activities.ask_hand_over(activity, scope, svc.clock.now())
    if offer is None:
        return False
    found = await handing(svc, offer)
    assert found is not None
    lang = await group_language(svc, activity.building_id)
    await svc.out.message(activity.building_id,
                          t(lang, host_key(scope, "question"), **found.values(lang, svc)),
                          keyboard=host_keyboard(lang, offer), card=host_ref(offer.id),
                          reply_to_card=card_ref(activity.id))
    return True


async def on_host_offer(update: Update, context: Context) -> None:
    """A resident offers to host, under the group's question."""
    press = await Press.open(update, context)
    if press is None:
        return
    svc, user = press.svc, press.user
    store = svc.stores.activities
    offer = await press.card_item(store.host_offer, MEMBERS_ONLY)
    if offer is None:
        return
    found = await handing(svc, offer)
    if found is None or not found.active:
        await press.tell("activity.answer.closed")
        return
    if found.organiser_id == user.id:
        await press.tell("activity.host.already_you")
        return
    press = await press.remembered()
    if not await store.offer_to_host(offer.id, user.id, display_name(user.first_name)):
        await press.tell("activity.host.taken")
        return
    await press.tell("activity.host.offered")
    await svc.cards.refresh(host_ref(offer.id))
    if found.organiser_id is not None:
        olang = await user_language(svc, found.organiser_id)
        values = found.values(olang, svc) | {"name": display_name(user.first_name)}
        await tell(svc, found.organiser_id, host_key(offer.scope, "ask_organiser"),
                   markup=host_decision_keyboard(olang, offer.id), **values)


async def hand_over(svc: Services, found: Handing, user_id: int) -> list[int]:
    """Move the hosting as the offer said; the activities whose card changes."""
    store, now, offer = svc.stores.activities, svc.clock.now(), found.offer
    if offer.scope is HostScope.ACTIVITY:
        return await store.hand_over_activity(offer.activity_id, user_id, offer.user_name, now)
    assert offer.series_id is not None
    if offer.scope is HostScope.NEXT:
        return await store.hand_over_next(offer.series_id, user_id, offer.user_name, now)
    return await store.hand_over(offer.series_id, user_id, offer.user_name, now)


async def on_host_decision(update: Update, context: Context) -> None:
    """The organiser (or a group admin) confirms or declines the new host, in the group or
    privately."""
    press = await Press.open(update, context)
    if press is None:
        return
    svc, user, lang, query = press.svc, press.user, press.lang, press.query
    store = svc.stores.activities
    offer_id = press.number(2, parts=3)
    found = await handing(svc, await store.host_offer(offer_id) if offer_id is not None
                          else None)
    if found is not None and not (
            on_own_ground(update, found.offer.building_id)
            and await knows_of(context, found.offer.building_id, user.id, found.organiser_id,
                               found.offer.user_id)):
        found = None  # to anyone outside the building, as unknown as an id nothing has
    new_host = found.offer.user_id if found is not None else None
    if found is None or found.offer.status != "offered" or new_host is None:
        await press.tell("error.stale_button")
        return
    offer = found.offer
    if found.organiser_id != user.id \
            and not await admin_now(context, offer.building_id, user.id):
        await press.tell("activity.organiser_only", alert=True)
        return
    confirm = press.parts[1] == "hostok"
    if not await store.decide_offer(offer.id, confirm, svc.clock.now()):
        await press.tell("error.stale_button")
        return
    await press.answer()
    moved = await hand_over(svc, found, new_host) if confirm else []
    for activity_id in moved:
        await svc.cards.refresh(card_ref(activity_id))
        await retire_controls(svc, activity_id)
    await svc.cards.refresh(host_ref(offer.id))
    if query.message is not None and query.message.chat.id != offer.building_id:
        done = host_key(offer.scope, "done_confirmed") if confirm else "activity.host.done_declined"
        await svc.out.replace_pressed(update, t(lang, done, **found.values(lang, svc)))
    if not confirm:
        await tell(svc, new_host, "activity.host.not_now")
        return
    hosted = await store.get(moved[0]) if moved else None
    hlang = await user_language(svc, new_host)
    shown = Handing(offer, hosted or found.activity, new_host, offer.user_name, True)
    if hosted is None:
        await tell(svc, new_host, host_key(offer.scope, "you_host"), markup=None,
                   **shown.values(hlang, svc))
        return
    await send_controls(svc, hosted, new_host, hlang,
                        t(hlang, host_key(offer.scope, "you_host"), **shown.values(hlang, svc)))
