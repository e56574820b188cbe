"""The activity card in the group (what, when, where, who, the counts and the answer buttons) and
the texts about one activity that the organiser and those who answered read privately.

The card shows the stored state: a press changes the database and asks for a refresh, and the
delivery makes one edit of whatever is true by then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import dates_text
from bot.domain.activities import (
    Activity,
    ActivityStatus,
    Counts,
    Repeat,
    is_full,
    places_left,
)
from bot.i18n import plain, t, tn
from bot.services import Services
from handlers.kit.buttons import button, keyboard, link_button, report_button
from handlers.kit.cards import RenderedCard
from handlers.kit.context import group_language
from handlers.kit.send import CardRef

ACTIVITY_CARD = "activity"
MEMBERS_ONLY = "activity.members_only"
REPORT_KIND = "act"
"""Card kind in the "Meld" button and in `svc.reportables`."""


def card_ref(activity_id: int) -> CardRef:
    return CardRef(kind=ACTIVITY_CARD, item_id=activity_id)


def organiser_label(lang: str, name: str) -> str:
    return name or t(lang, "activity.someone")


def repeat_label(lang: str, repeat: Repeat) -> str:
    return t(lang, f"activity.repeat.{repeat.value}")


def when_text(lang: str, svc: Services, activity: Activity) -> str:
    return dates_text.when_text(lang, activity.starts_at, activity.ends_at, svc.settings.zone)


def counts_text(lang: str, activity: Activity, counts: Counts) -> str:
    """Who comes, in numbers: a neighbour brought along is counted with those who come."""
    if counts.guests:
        line = t(lang, "activity.card.counts_guests", going=counts.seats, guests=counts.guests,
                 maybe=counts.maybe)
    else:
        line = t(lang, "activity.card.counts", going=counts.seats, maybe=counts.maybe)
    free = places_left(activity.capacity, counts)
    if free is not None:
        if free > 0:
            line += "\n" + tn(lang, "activity.card.places_left", free,
                             capacity=activity.capacity)
        else:
            line += "\n" + t(lang, "activity.card.full", waiting=counts.waiting)
    return line


def describe(
    lang: str, zone: ZoneInfo, *, title: str, description: str, starts_at: datetime,
    ends_at: datetime | None, place: str, organiser_name: str, repeat: Repeat,
    capacity: int | None,
) -> str:
    """What, when, where, who: shared by the card, the preview and the organiser's controls."""
    text = t(
        lang,
        "activity.card.body",
        title=title,
        description=description or "…",
        when=dates_text.when_text(lang, starts_at, ends_at, zone),
        place=place or "…",
        organiser=organiser_label(lang, organiser_name),
    )
    if repeat is not Repeat.NONE:
        text += "\n" + t(lang, "activity.card.repeats", repeat=repeat_label(lang, repeat))
    if capacity is not None:
        text += "\n" + t(lang, "activity.card.capacity", capacity=capacity)
    return text


def shown_title(lang: str, activity: Activity) -> str:
    """The title, or a neutral word once its organiser asked to be forgotten (plain text)."""
    return activity.title or plain(lang, "activity.title_erased")


def details_text(lang: str, svc: Services, activity: Activity) -> str:
    return describe(
        lang, svc.settings.zone, title=shown_title(lang, activity),
        description=activity.description,
        starts_at=activity.starts_at, ends_at=activity.ends_at, place=activity.place,
        organiser_name=activity.organiser_name, repeat=activity.repeat,
        capacity=activity.capacity,
    )


def card_text(lang: str, svc: Services, activity: Activity, counts: Counts) -> str:
    text = details_text(lang, svc, activity)
    if activity.status is ActivityStatus.CANCELLED:
        return t(lang, "activity.card.cancelled") + "\n\n" + text
    if activity.status is ActivityStatus.ENDED:
        ended = t(lang, "activity.card.ended")
        if activity.came_confirmed:
            ended += " " + t(lang, "activity.card.came", came=activity.came_confirmed)
        return text + "\n\n" + ended
    if activity.last_change:
        text += "\n\n" + t(lang, f"activity.card.changed.{activity.last_change}")
    return text + "\n\n" + counts_text(lang, activity, counts)


def card_keyboard(lang: str, activity: Activity, counts: Counts) -> InlineKeyboardMarkup | None:
    """The answer buttons; once every place is taken nobody is invited to bring someone along
    ("Ik kom" then puts the presser on the waiting list, as the card says)."""
    if not activity.is_open:
        return None
    def choice(key: str, action: str) -> InlineKeyboardButton:
        return button(plain(lang, f"activity.button.{key}"), "act", action, activity.id)

    second = [choice("no", "no")]
    if not is_full(activity.capacity, counts):
        second.insert(0, choice("plus", "plus"))
    return keyboard(
        [choice("going", "go"), choice("maybe", "maybe")],
        second,
        [choice("calendar", "ics")],
        [report_button(lang, REPORT_KIND, activity.id)],
    )


def organiser_keyboard(lang: str, activity: Activity) -> InlineKeyboardMarkup:
    """The organiser's private controls: change the time, where it is, the text or the number
    of places; see who comes; hand it over; or cancel."""
    def control(key: str, action: str) -> InlineKeyboardButton:
        return button(plain(lang, f"activity.manage.{key}"), "actm", action, activity.id)

    return keyboard(
        [control("time", "time"), control("place", "place")],
        [control("text", "text"), control("seats", "seats")],
        [control("who", "who"), control("hand_over", "hand")],
        [control("cancel", "cancel")],
    )


async def as_it_is(svc: Services, activity: Activity) -> Activity:
    """The activity as it should be shown: a date of a series that was stopped no longer says
    it comes back."""
    if activity.series_id is None or activity.repeat is Repeat.NONE:
        return activity
    series = await svc.stores.activities.series(activity.series_id)
    if series is not None and series.active:
        return activity
    return activity.model_copy(update={"repeat": Repeat.NONE})


def message_url(chat_id: int, message_id: int | None) -> str | None:
    """Supergroup messages have a t.me/c link; basic groups have none."""
    text = str(chat_id)
    if message_id is None or not text.startswith("-100"):
        return None
    return f"https://t.me/c/{text[4:]}/{message_id}"


def card_link_keyboard(lang: str, activity: Activity) -> InlineKeyboardMarkup | None:
    """"Bekijk in de groep" under a private message about the activity, where Telegram can link."""
    url = None if activity.removed_at else message_url(activity.building_id, activity.message_id)
    if url is None:
        return None
    return keyboard([link_button(plain(lang, "activity.button.open_card"), url)])


class ActivityCards:
    """The card source of activities: rendered from the stored activity and its answers."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._store = svc.stores.activities

    async def render(self, item_id: int) -> RenderedCard | None:
        activity = await self._store.get(item_id)
        if activity is None or activity.removed_at is not None:
            return None
        activity = await as_it_is(self._svc, activity)
        lang = await group_language(self._svc, activity.building_id)
        counts = await self._store.counts(activity.id)
        return RenderedCard(chat_id=activity.building_id,
                            text=card_text(lang, self._svc, activity, counts),
                            keyboard=card_keyboard(lang, activity, counts))

    async def message_id(self, item_id: int) -> int | None:
        """A card the group's admins took down has no message any more: edits still waiting
        for it are dropped."""
        activity = await self._store.get(item_id)
        if activity is None or activity.removed_at is not None:
            return None
        return activity.message_id

    async def record(self, item_id: int, message_id: int) -> None:
        activity = await self._store.get(item_id)
        if activity is not None:
            await self._store.set_message(item_id, message_id, activity.card_version)


class Versioned(Protocol):
    @property
    def card_version(self) -> int: ...


class VersionedCards(Protocol):
    """A store whose cards count their changes (`card_version`) and remember which version the
    group was last shown (`card_shown`)."""

    async def dirty(self) -> list[int]: ...

    async def get(self, item_id: int, /) -> Versioned | None: ...

    async def mark_shown(self, item_id: int, version: int, /) -> None: ...


async def catch_up(svc: Services, store: VersionedCards, ref: Callable[[int], CardRef]) -> None:
    """At start-up: cards that changed since they were last known to be shown are brought up
    to date, so an edit lost to a stop is made now.

    Edits are not confirmed back, so `card_shown` moves only when a card is posted and here:
    a card changed during the last run gets one refresh at the next start (where nothing was
    lost, Telegram answers "not modified")."""
    for item_id in await store.dirty():
        item = await store.get(item_id)
        await svc.cards.refresh(ref(item_id))
        if item is not None:
            await store.mark_shown(item_id, item.card_version)
