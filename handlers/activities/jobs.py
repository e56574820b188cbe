"""What the schedule does around an activity when a row falls due: reminders to those who come,
the group's "bring a neighbour" line, the start, the look-back and the next date of a series
(with a gentle word to the organiser when it fades), and the private word about a change."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot.domain.activities import (
    STILL_INTERESTED,
    Activity,
    RsvpStatus,
    Series,
    is_full,
    next_start,
    should_suggest_pause,
)
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import plain, t
from bot.scheduler import JobHandler
from bot.services import Services
from handlers.activities.answers import answer_keyboard
from handlers.activities.card import (
    card_link_keyboard,
    card_ref,
    organiser_label,
    shown_title,
    when_text,
)
from handlers.activities.controls import retire_controls
from handlers.activities.feedback import PROMPT_KIND, look_back
from handlers.activities.schedule import (
    BEGIN,
    CHANGED,
    END,
    INVITE,
    REMIND,
    post_activity,
    start_ref,
)
from handlers.kit.buttons import button, column
from handlers.kit.context import group_language, user_language


def fading_keyboard(lang: str, activity_id: int) -> InlineKeyboardMarkup:
    return column([
        button(plain(lang, "activity.fade.pause"), "actfade", "pause", activity_id),
        button(plain(lang, "activity.fade.time"), "actfade", "time", activity_id),
        button(plain(lang, "activity.fade.ask"), "actfade", "ask", activity_id),
    ])


class Jobs:
    """The schedule's handlers for activity rows; each row names its activity in the payload."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.store = svc.stores.activities

    def register(self) -> None:
        handlers: dict[str, JobHandler] = {REMIND: self.remind, INVITE: self.invite,
                                           BEGIN: self.begin, END: self.end,
                                           CHANGED: self.changed}
        for kind, handler in handlers.items():
            self.svc.scheduler.register(kind, handler, calm=kind != BEGIN)

    async def current(self, item: ScheduledItem) -> Activity | None:
        activity_id = item.payload.get("activity_id")
        return await self.store.get(activity_id) if isinstance(activity_id, int) else None

    async def remind(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """A day before and shortly before: to those who come and the organiser."""
        activity = await self.current(item)
        if activity is None or not activity.accepts_answers(now) \
                or not item.ref.startswith(f"{start_ref(activity)}:"):
            return ItemState.SKIPPED
        people = [r.user_id for r in await self.store.rsvps(activity.id)
                  if r.status is RsvpStatus.GOING]
        if activity.organiser_id is not None and activity.organiser_id not in people:
            people.append(activity.organiser_id)
        building = await self.svc.buildings.get(activity.building_id)
        key = "activity.remind.day" if item.payload.get("which") == "day" else "activity.remind.soon"
        for user_id in people:
            lang = await user_language(self.svc, user_id)
            text = t(lang, key, title=activity.title, when=when_text(lang, self.svc, activity),
                     place=activity.place or "…", group=building.title if building else "")
            if user_id == activity.organiser_id:
                markup = card_link_keyboard(lang, activity)
            else:
                text += "\n" + t(lang, "activity.remind.cannot")
                markup = answer_keyboard(lang, activity, RsvpStatus.GOING)
            await self.svc.out.prompt(user_id, PROMPT_KIND, text, keyboard=markup,
                                      key=f"{REMIND}:{item.ref}:{user_id}")
        return None

    async def invite(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """The group is asked to bring a neighbour who would not come alone (not when it is
        full)."""
        activity = await self.current(item)
        if activity is None or not activity.accepts_answers(now):
            return ItemState.SKIPPED
        if is_full(activity.capacity, await self.store.counts(activity.id)):
            return ItemState.SKIPPED  # no place left: nothing to invite anyone to
        lang = await group_language(self.svc, activity.building_id)
        await self.svc.out.message(
            activity.building_id,
            t(lang, "activity.invite", title=activity.title, when=when_text(lang, self.svc, activity)),
            reply_to_card=card_ref(activity.id), key=f"{INVITE}:{item.ref}",
        )
        return None

    async def begin(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        activity = await self.current(item)
        if activity is None or not activity.is_open:
            return ItemState.SKIPPED
        await self.store.begin(activity.id)
        return None

    async def end(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Over: the card says how many came, the look-back starts, a series moves on."""
        activity = await self.current(item)
        if activity is None:
            return ItemState.SKIPPED
        if activity.is_open:
            if now < activity.end:
                return ItemState.SKIPPED
            ended = await self.store.finish(activity.id, now)
            if ended is not None:
                await self.svc.cards.refresh(card_ref(ended.id))
                await retire_controls(self.svc, ended.id)
                await look_back(self.svc, ended, now)
        if activity.series_id is not None:
            await self.advance_series(activity.id, now)
        return None

    async def changed(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Everyone who still means to come (going, maybe, waiting) hears of a new time, place or
        text, with the buttons to answer; or that it is off. Who said "Toch niet" hears no
        more."""
        activity = await self.current(item)
        change = str(item.payload.get("change", ""))
        if activity is None:
            return ItemState.SKIPPED
        if change != "cancel" and not activity.accepts_answers(now):
            return ItemState.SKIPPED
        for rsvp in await self.store.rsvps(activity.id):
            if rsvp.user_id == activity.organiser_id or rsvp.status not in STILL_INTERESTED:
                continue
            lang = await user_language(self.svc, rsvp.user_id)
            text = t(lang, f"activity.changed.{change}", title=shown_title(lang, activity),
                     when=when_text(lang, self.svc, activity), place=activity.place or "…",
                     description=activity.description,
                     organiser=organiser_label(lang, activity.organiser_name))
            markup = (card_link_keyboard(lang, activity) if change == "cancel"
                      else answer_keyboard(lang, activity, rsvp.status))
            await self.svc.out.private(rsvp.user_id, text, keyboard=markup,
                                       key=f"{CHANGED}:{item.ref}:{rsvp.user_id}")
        return None

    async def advance_series(self, previous_id: int, now: datetime) -> Activity | None:
        """Post the next date of a series (once), and gently suggest a pause when it fades."""
        previous = await self.store.get(previous_id)
        if previous is None or previous.series_id is None:
            return None
        series = await self.store.series(previous.series_id)
        if series is None or not series.active:
            return None
        zone = self.svc.settings.zone
        start = next_start(previous.starts_at, series.repeat, zone)
        while start <= now:
            start = next_start(start, series.repeat, zone)
        end = start + (previous.ends_at - previous.starts_at) if previous.ends_at else None
        upcoming = await self.store.add_occurrence(previous, series, start, end, now)
        if upcoming.message_id is None:
            await post_activity(self.svc, upcoming)
        await self.suggest_pause_if_fading(series, previous, upcoming)
        return upcoming

    async def suggest_pause_if_fading(self, series: Series, previous: Activity,
                                      upcoming: Activity) -> bool:
        history = await self.store.history(series.id)
        if series.organiser_id is None or not should_suggest_pause(history, series.fade_noted_at):
            return False
        await self.store.note_fade(series.id, previous.occurrence)
        lang = await user_language(self.svc, series.organiser_id)
        await self.svc.out.prompt(series.organiser_id, PROMPT_KIND,
                                  t(lang, "activity.fade.suggest", title=previous.title),
                                  keyboard=fading_keyboard(lang, upcoming.id))
        return True


async def ask_group(svc: Services, activity: Activity) -> None:
    """The organiser of a fading series asks the group whether it should go on, and when."""
    lang = await group_language(svc, activity.building_id)
    await svc.out.message(
        activity.building_id,
        t(lang, "activity.fade.group_question", title=activity.title,
          when=when_text(lang, svc, activity),
          organiser=organiser_label(lang, activity.organiser_name)),
        reply_to_card=card_ref(activity.id),
    )
