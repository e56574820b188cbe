"""What other features ask of activities: the digest's lines, when residents last organised or
answered, a resident's data (export, erase, expiry), departures, and reported cards.

`CardData` is what activities and ideas answer alike; the ideas feature builds on it too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.dates_text import moment_text
from bot.i18n import t
from bot.services import ReportedCard, Services
from handlers.activities.card import card_ref
from handlers.activities.controls import retire_controls
from handlers.activities.reach import tell
from handlers.activities.rsvp import after_withdrawals
from handlers.activities.schedule import announce_change, cancel_activity, unschedule_reminders

DIGEST_DAYS = 7


class StoredTexts(Protocol):
    """A store that exports a resident's rows and erases texts that have had their time."""

    async def export(self, user_id: int) -> dict[str, Any]: ...

    async def expire(self, before: datetime) -> int: ...


class CardData:
    """A feature whose residents post cards in the group: their data comes straight from the
    store, texts expire there, and a card the admins take down is described the same way."""

    name: str

    def __init__(self, svc: Services, stored: StoredTexts) -> None:
        self.svc = svc
        self._stored = stored

    async def export(self, user_id: int) -> dict[str, Any]:
        return await self._stored.export(user_id)

    async def expire(self, before: datetime) -> int:
        return await self._stored.expire(before)

    @staticmethod
    def reported(building_id: int, message_id: int | None, summary: str) -> ReportedCard:
        """A card lives in its building's group."""
        return ReportedCard(building_id=building_id, chat_id=building_id, message_id=message_id,
                            summary=summary)


class ActivityData(CardData):
    """Activities organised, answers, look-back answers and host offers of one resident."""

    name = "activities"

    def __init__(self, svc: Services) -> None:
        super().__init__(svc, svc.stores.activities)
        self.store = svc.stores.activities

    async def digest(self, building_id: int, lang: str, now: datetime) -> list[str]:
        """The coming week's activities, by title and time."""
        coming = await self.store.upcoming(building_id, now, now + timedelta(days=DIGEST_DAYS))
        if not coming:
            return []
        zone = self.svc.settings.zone
        return [t(lang, "activity.digest.heading")] + [
            t(lang, "activity.digest.line", title=a.title,
              when=moment_text(lang, a.starts_at, zone))
            for a in coming
        ]

    async def last_activity(self, building_id: int) -> datetime | None:
        return await self.store.last_activity_in(building_id)

    async def forget(self, user_id: int, now: datetime) -> None:
        """Their answers are taken back (places move up); what they organise and has not
        begun is called off (who answered hears it), as nobody hosts it now; and their name and
        their words leave every activity and card."""
        for activity in await self.store.organised_by(user_id, now):
            await cancel_activity(self.svc, activity, stop_series=True)
        withdrawals, renamed = await self.store.forget(user_id, now)
        await after_withdrawals(self.svc, withdrawals)
        for activity_id in renamed:
            await self.svc.cards.refresh(card_ref(activity_id))

    async def departed(self, building_id: int, user_id: int, now: datetime) -> None:
        await after_withdrawals(self.svc, await self.store.withdraw(user_id, now, building_id))

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        activity = await self.store.get(item_id)
        if activity is None or activity.removed_at is not None:
            return None
        summary = (f"{activity.title}: {activity.description}" if activity.description
                   else activity.title)
        return self.reported(activity.building_id, activity.message_id, summary)

    async def hide(self, item_id: int, now: datetime) -> bool:
        """The card goes (the caller deletes it), and with it the reminders and any next dates.
        Who said they would come hears it is off; the organiser hears privately that an admin
        took it down."""
        before = await self.store.get(item_id)
        removed = await self.store.remove(item_id, now)
        if before is None or removed is None:
            return False
        if before.series_id is not None:
            await self.store.stop_series(before.series_id, now)
        await retire_controls(self.svc, item_id)
        if before.is_open:
            await unschedule_reminders(self.svc, item_id)
            await announce_change(self.svc, removed, "cancel")
        if removed.organiser_id is not None:
            await tell(self.svc, removed.organiser_id, "activity.removed.organiser",
                       title=removed.title)
        return True
