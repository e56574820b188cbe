"""Activity cards in the group: answers (Ik kom, Misschien, Ik neem iemand mee, Toch niet) with a
waiting list, live counts, the calendar file; and all the schedule sends around an activity:
reminders, the bring-a-neighbour line, the look-back, the next date of a series, host hand-over.

Counts change with every press, but Telegram allows about 20 messages and edits a minute in a
group. So a press only bumps the card's version in the database; `CardRefresher` edits each card
at most once every few seconds, showing whatever is true by then. At start-up, cards whose
version is ahead of what they show are refreshed, so a stop in the middle of a burst loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time as monotonic_time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.domain.activities import (
    Activity,
    ActivityStatus,
    Counts,
    Repeat,
    RsvpChoice,
    RsvpOutcome,
    RsvpStatus,
    Series,
    format_when,
    next_start,
    places_left,
    plan_reminders,
    should_suggest_pause,
)
from bot.domain.calendar import activity_ics, ics_filename
from bot.domain.deeplinks import DeepLink, link_url
from bot.domain.quiet_hours import QuietHours
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import t
from bot.scheduler import JobHandler
from bot.services import ReportedCard, Services
from handlers.common import (
    Context,
    answer,
    building_link,
    callback_data,
    group_language,
    is_group_admin,
    is_member,
    remember,
    resident_language,
    send_prompt,
    services,
    user_language,
)
from handlers.kit.buttons import report_button
from storage.activities import ActivityStore, Withdrawal

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

CARD_INTERVAL = 2.5
"""Seconds between two edits of one card: bursts of presses become one edit."""
CARD_SETTLE = 0.4
"""The first edit after a quiet spell waits this long, so a burst starts as one edit too."""
REFRESHER_KEY = "activity_cards"
PROMPT_KIND = "activity"
REPORT_KIND = "act"
"""Card kind in the "Meld" button and in `svc.reportables`."""

REMIND = "act.remind"
INVITE = "act.invite"
BEGIN = "act.begin"
END = "act.end"
CHANGED = "act.changed"

CHOICES = {"go": RsvpChoice.GOING, "plus": RsvpChoice.PLUS_ONE, "maybe": RsvpChoice.MAYBE,
           "no": RsvpChoice.NOT_GOING}
RATINGS = ("good", "okay", "bad")


# --- coalesced card edits --------------------------------------------------------------------

Refresh = Callable[[int], Awaitable[None]]


class CardRefresher:
    """Edits each group card at most once per interval, in real time (not the schedule's clock)."""

    def __init__(self, app: App, *, interval: float = CARD_INTERVAL, settle: float = CARD_SETTLE):
        self._app = app
        self._interval = interval
        self._settle = settle
        self._kinds: dict[str, Refresh] = {}
        self._pending: set[tuple[str, int]] = set()
        self._last: dict[tuple[str, int], float] = {}

    def add_kind(self, kind: str, refresh: Refresh) -> None:
        self._kinds[kind] = refresh

    def poke(self, kind: str, item_id: int) -> None:
        """Ask for the card to show its current state soon; repeated pokes cost nothing."""
        key = (kind, item_id)
        if key in self._pending or kind not in self._kinds:
            return
        now = monotonic_time.monotonic()
        delay = max(self._settle, self._last.get(key, -self._interval) + self._interval - now)
        self._pending.add(key)
        job_queue = self._app.job_queue
        if job_queue is None:
            self._app.create_task(self._later(key, delay))
            return
        job_queue.run_once(self._job, when=delay, data=key, name=f"card:{kind}:{item_id}")

    async def _job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        job = context.job
        if job is not None and isinstance(job.data, tuple):
            await self._run(job.data)

    async def _later(self, key: tuple[str, int], delay: float) -> None:
        await asyncio.sleep(delay)
        await self._run(key)

    async def _run(self, key: tuple[str, int]) -> None:
        self._pending.discard(key)
        now = monotonic_time.monotonic()
        self._last[key] = now
        if len(self._last) > 1000:
            self._last = {k: v for k, v in self._last.items() if now - v < self._interval}
        try:
            await self._kinds[key[0]](key[1])
        except Exception:
            log.exception("refreshing %s card %s failed", *key)


def refresher(context: Context) -> CardRefresher:
    found = context.bot_data[REFRESHER_KEY]
    assert isinstance(found, CardRefresher)
    return found


def poke_card(context: Context, activity_id: int) -> None:
    refresher(context).poke("activity", activity_id)


# --- rendering -------------------------------------------------------------------------------

def organiser_label(lang: str, name: str) -> str:
    return name or t(lang, "activity.someone")


def repeat_label(lang: str, repeat: Repeat) -> str:
    return t(lang, f"activity.repeat.{repeat.value}")


def counts_text(lang: str, activity: Activity, counts: Counts) -> str:
    line = t(lang, "activity.card.counts", going=counts.seats, maybe=counts.maybe)
    if counts.guests:
        line += " " + t(lang, "activity.card.guests", guests=counts.guests)
    free = places_left(activity.capacity, counts)
    if free is not None:
        if free > 0:
            line += "\n" + t(lang, "activity.card.places_left", places=free, capacity=activity.capacity)
        else:
            line += "\n" + t(lang, "activity.card.full", waiting=counts.waiting)
    return line


def describe(
    lang: str, zone: ZoneInfo, *, title: str, description: str, starts_at: datetime,
    ends_at: datetime | None, place: str, organiser_name: str, repeat: Repeat, capacity: int | None,
) -> str:
    """What, when, where, who: shared by the card, the preview and the organiser's controls."""
    text = t(
        lang,
        "activity.card.body",
        title=title,
        description=description or "…",
        when=format_when(starts_at, ends_at, lang, zone),
        place=place or "…",
        organiser=organiser_label(lang, organiser_name),
    )
    if repeat is not Repeat.NONE:
        text += "\n" + t(lang, "activity.card.repeats", repeat=repeat_label(lang, repeat))
    if capacity is not None:
        text += "\n" + t(lang, "activity.card.capacity", capacity=capacity)
    return text


def details_text(lang: str, svc: Services, activity: Activity) -> str:
    return describe(
        lang, svc.settings.zone, title=activity.title, description=activity.description,
        starts_at=activity.starts_at, ends_at=activity.ends_at, place=activity.place,
        organiser_name=activity.organiser_name, repeat=activity.repeat, capacity=activity.capacity,
    )


def card_text(lang: str, svc: Services, activity: Activity, counts: Counts) -> str:
    text = details_text(lang, svc, activity)
    if activity.status is ActivityStatus.CANCELLED:
        return t(lang, "activity.card.cancelled") + "\n\n" + text
    if activity.status is ActivityStatus.ENDED:
        return text + "\n\n" + t(lang, "activity.card.ended", came=activity.came_count or 0)
    if activity.last_change:
        text += "\n\n" + t(lang, f"activity.card.changed.{activity.last_change}")
    return text + "\n\n" + counts_text(lang, activity, counts)


def card_keyboard(lang: str, activity: Activity) -> InlineKeyboardMarkup | None:
    if not activity.is_open:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t(lang, "activity.button.going"),
                              callback_data=callback_data("act", "go", activity.id)),
         InlineKeyboardButton(t(lang, "activity.button.maybe"),
                              callback_data=callback_data("act", "maybe", activity.id))],
        [InlineKeyboardButton(t(lang, "activity.button.plus"),
                              callback_data=callback_data("act", "plus", activity.id)),
         InlineKeyboardButton(t(lang, "activity.button.no"),
                              callback_data=callback_data("act", "no", activity.id))],
        [InlineKeyboardButton(t(lang, "activity.button.calendar"),
                              callback_data=callback_data("act", "ics", activity.id))],
        [report_button(lang, REPORT_KIND, activity.id)],
    ])


def organiser_keyboard(lang: str, activity: Activity) -> InlineKeyboardMarkup:
    """The organiser's private controls: change time, place or text, or cancel."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t(lang, "activity.manage.time"),
                              callback_data=callback_data("actm", "time", activity.id)),
         InlineKeyboardButton(t(lang, "activity.manage.place"),
                              callback_data=callback_data("actm", "place", activity.id))],
        [InlineKeyboardButton(t(lang, "activity.manage.text"),
                              callback_data=callback_data("actm", "text", activity.id)),
         InlineKeyboardButton(t(lang, "activity.manage.cancel"),
                              callback_data=callback_data("actm", "cancel", activity.id))],
    ])


def message_url(chat_id: int, message_id: int | None) -> str | None:
    """Supergroup messages have a t.me/c link; basic groups have none."""
    text = str(chat_id)
    if message_id is None or not text.startswith("-100"):
        return None
    return f"https://t.me/c/{text[4:]}/{message_id}"


def card_link_keyboard(lang: str, activity: Activity) -> InlineKeyboardMarkup | None:
    url = None if activity.removed_at else message_url(activity.building_id, activity.message_id)
    if url is None:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t(lang, "activity.button.open_card"), url=url)]])


async def building_title(svc: Services, building_id: int) -> str:
    building = await svc.buildings.get(building_id)
    return building.title if building is not None else ""


async def render_card(svc: Services, activity: Activity) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = await group_language(svc, activity.building_id)
    counts = await ActivityStore(svc.db).counts(activity.id)
    return card_text(lang, svc, activity, counts), card_keyboard(lang, activity)


async def refresh_card(bot: Bot, svc: Services, activity_id: int) -> None:
    store = ActivityStore(svc.db)
    activity = await store.get(activity_id)
    if activity is None or activity.message_id is None or activity.card_version <= activity.card_shown:
        return
    version = activity.card_version
    text, keyboard = await render_card(svc, activity)
    try:
        await bot.edit_message_text(
            text, chat_id=activity.building_id, message_id=activity.message_id, reply_markup=keyboard
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            log.warning("activity card %s could not be edited: %s", activity_id, error)
    except Forbidden:
        log.info("activity card %s: the bot is no longer in the group", activity_id)
    await store.mark_shown(activity_id, version)


# --- posting and scheduling ------------------------------------------------------------------

def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


async def post_card(bot: Bot, svc: Services, activity: Activity) -> Message | None:
    """Post the group card once; the message id is stored right after."""
    text, keyboard = await render_card(svc, activity)
    try:
        message = await bot.send_message(activity.building_id, text, reply_markup=keyboard)
    except Forbidden:
        log.info("activity %s could not be posted: the bot is not in the group", activity.id)
        return None
    await ActivityStore(svc.db).set_message(activity.id, message.message_id, activity.card_version)
    return message


async def schedule_activity(svc: Services, activity: Activity) -> None:
    """Reminders, the group's invite, the start and the look-back, for the activity's time now.

    Refs carry the start time, so after a change of time new reminders are made and the old ones
    cancelled, while one that was already sent is never sent again."""
    building = await svc.buildings.get(activity.building_id)
    quiet = building.settings.quiet_hours if building is not None else QuietHours()
    now = svc.clock.now()
    plan = plan_reminders(activity.starts_at, activity.end, now, quiet, svc.settings.zone)
    scheduler = svc.scheduler
    start_ref = f"{activity.id}:{_epoch(activity.starts_at)}"
    for kind in (REMIND, INVITE, BEGIN):
        await scheduler.cancel(kind, f"{activity.id}:")
    building_id, start = activity.building_id, activity.starts_at
    for which, due in (("day", plan.day_before), ("soon", plan.soon)):
        if due is not None:
            await scheduler.add(REMIND, f"{start_ref}:{which}", due, building_id=building_id,
                                stale_after=start, revive=True,
                                payload={"activity_id": activity.id, "which": which})
    if plan.group_invite is not None:
        await scheduler.add(INVITE, start_ref, plan.group_invite, building_id=building_id,
                            stale_after=start, revive=True, payload={"activity_id": activity.id})
    await scheduler.add(BEGIN, start_ref, plan.start, building_id=activity.building_id,
                        payload={"activity_id": activity.id}, revive=True)
    await scheduler.add(END, str(activity.id), plan.look_back, building_id=activity.building_id,
                        payload={"activity_id": activity.id}, replace=True)


async def unschedule_reminders(svc: Services, activity_id: int) -> None:
    for kind in (REMIND, INVITE, BEGIN):
        await svc.scheduler.cancel(kind, f"{activity_id}:")


async def announce_change(svc: Services, activity: Activity, change: str) -> None:
    """Everyone who answered hears of a change privately (at a calm hour, before it starts)."""
    await svc.scheduler.add(
        CHANGED, f"{activity.id}:{activity.card_version}", svc.clock.now(),
        building_id=activity.building_id, stale_after=activity.starts_at,
        payload={"activity_id": activity.id, "change": change},
    )


async def cancel_activity(context: Context, activity: Activity, *, stop_series: bool) -> Activity | None:
    svc = services(context)
    store = ActivityStore(svc.db)
    cancelled = await store.cancel(activity.id, svc.clock.now())
    if cancelled is None:
        return None
    if stop_series and activity.series_id is not None:
        await store.stop_series(activity.series_id, svc.clock.now())
    await unschedule_reminders(svc, activity.id)
    poke_card(context, activity.id)
    await announce_change(svc, cancelled, "cancel")
    return cancelled


async def notify_private(
    bot: Bot, svc: Services, user_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """A private message that may fail quietly (the card still shows what happened)."""
    try:
        return await bot.send_message(user_id, text, reply_markup=reply_markup)
    except Forbidden:
        await svc.residents.mark_unreachable(user_id)
        return None


async def tell_promoted(bot: Bot, svc: Services, activity: Activity, user_ids: list[int]) -> None:
    """A place came free: the first on the waiting list is going now, and hears it privately."""
    for user_id in user_ids:
        lang = await user_language(svc, user_id)
        text = t(lang, "activity.promoted", title=activity.title,
                 when=format_when(activity.starts_at, activity.ends_at, lang, svc.settings.zone),
                 place=activity.place)
        sent = await notify_private(bot, svc, user_id, text, card_link_keyboard(lang, activity))
        if sent is None:
            resident = await svc.residents.get(user_id)
            glang = await group_language(svc, activity.building_id)
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
                t(glang, "button.open_private"), url=await building_link(svc, activity.building_id))]])
            await bot.send_message(
                activity.building_id,
                t(glang, "activity.promoted_in_group", name=resident.first_name if resident else "",
                  title=activity.title),
                reply_parameters=_reply_to(activity), reply_markup=keyboard,
            )


def _reply_to(activity: Activity) -> ReplyParameters | None:
    if activity.message_id is None:
        return None
    return ReplyParameters(message_id=activity.message_id, allow_sending_without_reply=True)


# --- presses on the card ---------------------------------------------------------------------

async def _card_press(update: Update, context: Context) -> tuple[Activity, str] | None:
    """The activity behind a card button pressed in its own group (or in the presser's own chat,
    where "Mijn dingen" shows it), and the presser's language."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return None
    svc = services(context)
    lang = await user_language(svc, user.id)
    parts = query.data.split(":")
    activity = None
    if len(parts) == 3 and parts[2].isdigit():
        activity = await ActivityStore(svc.db).get(int(parts[2]))
    if activity is None or chat.id not in (activity.building_id, user.id):
        await answer(update, t(lang, "error.stale_button"))
        return None
    if not await is_member(context, activity.building_id, user.id):
        await answer(update, t(lang, "activity.members_only"), show_alert=True)
        return None
    resident = await remember(update, context)
    return activity, resident_language(svc, resident)


async def on_rsvp(update: Update, context: Context) -> None:
    found = await _card_press(update, context)
    query, user = update.callback_query, update.effective_user
    if found is None or query is None or query.data is None or user is None:
        return
    activity, lang = found
    svc = services(context)
    choice = CHOICES[query.data.split(":")[1]]
    result = await ActivityStore(svc.db).respond(activity.id, user.id, choice, svc.clock.now())
    if result is None or result.decision is None:
        closed = result.activity if result else activity
        key = "activity.answer.cancelled" if closed.status is ActivityStatus.CANCELLED \
            else "activity.answer.closed"
        await answer(update, t(lang, key))
        return
    decision = result.decision
    outcome = decision.outcome
    if outcome is RsvpOutcome.WAITING:
        text = t(lang, "activity.answer.waiting", position=result.waiting_position or 1)
    else:
        text = t(lang, f"activity.answer.{outcome.value}", title=activity.title)
    resident = await svc.residents.get(user.id)
    if outcome in (RsvpOutcome.GOING, RsvpOutcome.PLUS_ONE) and not (
        resident and resident.can_be_messaged
    ):
        text += " " + t(lang, "activity.answer.start_for_reminder")
    await answer(update, text)
    if decision.changed:
        poke_card(context, activity.id)
    if decision.promoted:
        await tell_promoted(context.bot, svc, result.activity, [r.user_id for r in decision.promoted])


async def send_calendar(bot: Bot, svc: Services, user_id: int, activity: Activity) -> Message:
    lang = await user_language(svc, user_id)
    data = activity_ics(activity, svc.settings.zone, svc.clock.now())
    return await bot.send_document(
        user_id, document=data, filename=ics_filename(activity.title),
        caption=t(lang, "activity.ics.caption", title=activity.title),
    )


async def on_calendar(update: Update, context: Context) -> None:
    found = await _card_press(update, context)
    user = update.effective_user
    if found is None or user is None:
        return
    activity, lang = found
    svc = services(context)
    if not activity.is_open:
        key = "activity.answer.cancelled" if activity.status is ActivityStatus.CANCELLED \
            else "activity.answer.closed"
        await answer(update, t(lang, key))
        return
    try:
        await send_calendar(context.bot, svc, user.id, activity)
    except Forbidden:
        await svc.residents.mark_unreachable(user.id)
        link = await svc.deep_links.reusable("actics", activity.building_id, str(activity.id),
                                             svc.clock.now())
        glang = await group_language(svc, activity.building_id)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            t(glang, "button.open_private"), url=link_url(svc.bot_username, link.token))]])
        await answer(update, t(lang, "activity.ics.open_first"))
        await context.bot.send_message(
            activity.building_id, t(glang, "private.need_start", name=user.first_name),
            reply_markup=keyboard,
        )
        return
    await answer(update, t(lang, "activity.ics.sent"))


async def open_calendar_link(update: Update, context: Context, link: DeepLink) -> None:
    """The deep link from the group for someone who had not started the bot yet."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or not link.target.isdigit():
        return
    svc = services(context)
    activity = await ActivityStore(svc.db).get(int(link.target))
    lang = await user_language(svc, user.id)
    if activity is None or not activity.is_open:
        await message.reply_text(t(lang, "activity.answer.closed"))
        return
    await send_calendar(context.bot, svc, user.id, activity)


# --- host hand-over and look-back ------------------------------------------------------------

def host_keyboard(lang: str, offer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "activity.host.button"), callback_data=callback_data("act", "host", offer_id))]])


def host_decision_keyboard(lang: str, offer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "activity.host.confirm"),
                             callback_data=callback_data("act", "hostok", offer_id)),
        InlineKeyboardButton(t(lang, "activity.host.decline"),
                             callback_data=callback_data("act", "hostno", offer_id)),
    ]])


async def on_host_offer(update: Update, context: Context) -> None:
    """A resident taps "Ik organiseer de volgende keer" under the group's thank-you."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    svc = services(context)
    store = ActivityStore(svc.db)
    lang = await user_language(svc, user.id)
    offer_id = query.data.split(":")[2]
    offer = await store.host_offer(int(offer_id)) if offer_id.isdigit() else None
    if offer is None or offer.building_id != chat.id:
        await answer(update, t(lang, "error.stale_button"))
        return
    if not await is_member(context, offer.building_id, user.id):
        await answer(update, t(lang, "activity.members_only"), show_alert=True)
        return
    series = await store.series(offer.series_id)
    if series is None or not series.active:
        await answer(update, t(lang, "activity.answer.closed"))
        return
    if series.organiser_id == user.id:
        await answer(update, t(lang, "activity.host.already_you"))
        return
    resident = await remember(update, context)
    lang = resident_language(svc, resident)
    if not await store.offer_to_host(offer.id, user.id, user.first_name):
        await answer(update, t(lang, "activity.host.taken"))
        return
    await answer(update, t(lang, "activity.host.offered"))
    glang = await group_language(svc, offer.building_id)
    organiser = organiser_label(glang, series.organiser_name)
    await query.edit_message_text(
        t(glang, "activity.host.waiting", name=user.first_name, organiser=organiser),
        reply_markup=host_decision_keyboard(glang, offer.id),
    )
    if series.organiser_id is not None:
        olang = await user_language(svc, series.organiser_id)
        activity = await store.get(offer.activity_id)
        await notify_private(
            context.bot, svc, series.organiser_id,
            t(olang, "activity.host.ask_organiser", name=user.first_name,
              title=activity.title if activity else ""),
            host_decision_keyboard(olang, offer.id),
        )


async def on_host_decision(update: Update, context: Context) -> None:
    """The organiser (or a group admin) confirms or declines the new host, in the group or privately."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    store = ActivityStore(svc.db)
    lang = await user_language(svc, user.id)
    _, action, offer_id = query.data.split(":")
    offer = await store.host_offer(int(offer_id)) if offer_id.isdigit() else None
    series = await store.series(offer.series_id) if offer else None
    if offer is None or series is None or offer.status != "offered" or offer.user_id is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    allowed = series.organiser_id == user.id or await is_group_admin(context, offer.building_id, user.id)
    if not allowed:
        await answer(update, t(lang, "activity.organiser_only"), show_alert=True)
        return
    confirm = action == "hostok"
    now = svc.clock.now()
    if not await store.decide_offer(offer.id, confirm, now):
        await answer(update, t(lang, "error.stale_button"))
        return
    await answer(update)
    glang = await group_language(svc, offer.building_id)
    if confirm:
        changed = await store.hand_over(series.id, offer.user_id, offer.user_name, now)
        for activity_id in changed:
            poke_card(context, activity_id)
        group_text = t(glang, "activity.host.confirmed", name=offer.user_name)
        group_keyboard = None
    else:
        group_text = t(glang, "activity.host.ask_again")
        group_keyboard = host_keyboard(glang, offer.id)
    if offer.message_id is not None:
        try:
            await context.bot.edit_message_text(group_text, chat_id=offer.building_id,
                                                message_id=offer.message_id,
                                                reply_markup=group_keyboard)
        except BadRequest as error:
            log.info("host message could not be edited: %s", error)
    if query.message is not None and query.message.chat.id != offer.building_id:
        done = "activity.host.done_confirmed" if confirm else "activity.host.done_declined"
        await query.edit_message_text(t(lang, done, name=offer.user_name))
    hlang = await user_language(svc, offer.user_id)
    if confirm:
        upcoming = await store.upcoming_of_series(series.id, now)
        text = t(hlang, "activity.host.you_host", title=upcoming[0].title if upcoming else "")
        keyboard = organiser_keyboard(hlang, upcoming[0]) if upcoming else None
        await notify_private(context.bot, svc, offer.user_id, text, keyboard)
    else:
        await notify_private(context.bot, svc, offer.user_id, t(hlang, "activity.host.not_now"))


def rating_keyboard(lang: str, activity_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, f"activity.lookback.{rating}"),
                             callback_data=callback_data("act", "rate", activity_id, rating))
        for rating in RATINGS
    ]])


def help_keyboard(lang: str, activity_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "activity.lookback.help_yes"),
                             callback_data=callback_data("act", "help", activity_id, "y")),
        InlineKeyboardButton(t(lang, "activity.lookback.help_no"),
                             callback_data=callback_data("act", "help", activity_id, "n")),
    ]])


async def on_rating(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    parts = query.data.split(":")
    if len(parts) != 4 or not parts[2].isdigit() or parts[3] not in RATINGS:
        await answer(update, t(lang, "error.stale_button"))
        return
    activity_id = int(parts[2])
    if not await ActivityStore(svc.db).rate(activity_id, user.id, parts[3], svc.clock.now()):
        await answer(update, t(lang, "error.not_yours"))
        return
    await answer(update)
    await query.edit_message_text(t(lang, "activity.lookback.thanks"),
                                  reply_markup=help_keyboard(lang, activity_id))


async def on_help_next(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    svc = services(context)
    store = ActivityStore(svc.db)
    lang = await user_language(svc, user.id)
    parts = query.data.split(":")
    activity = await store.get(int(parts[2])) if len(parts) == 4 and parts[2].isdigit() else None
    if activity is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    yes = parts[3] == "y"
    first_time = await store.answer_help(activity.id, user.id, yes, svc.clock.now())
    await answer(update)
    is_organiser = activity.organiser_id == user.id
    if yes and is_organiser:
        key = "activity.lookback.organise_again"
    elif yes:
        key = "activity.lookback.help_noted"
    else:
        key = "activity.lookback.no_thanks"
    await query.edit_message_text(t(lang, key, organiser=organiser_label(lang, activity.organiser_name)))
    if yes and first_time and not is_organiser and activity.organiser_id is not None:
        olang = await user_language(svc, activity.organiser_id)
        await notify_private(context.bot, svc, activity.organiser_id,
                             t(olang, "activity.lookback.helper", name=user.first_name,
                               title=activity.title))


# --- what the schedule sends ------------------------------------------------------------------

def make_jobs(app: App, svc: Services) -> dict[str, JobHandler]:
    store = ActivityStore(svc.db)
    zone = svc.settings.zone

    async def current(item: ScheduledItem) -> Activity | None:
        activity_id = item.payload.get("activity_id")
        return await store.get(int(activity_id)) if isinstance(activity_id, int) else None

    async def remind(item: ScheduledItem, now: datetime) -> ItemState | None:
        activity = await current(item)
        if activity is None or not activity.accepts_answers(now) \
                or not item.ref.startswith(f"{activity.id}:{_epoch(activity.starts_at)}:"):
            return ItemState.SKIPPED
        people = [r.user_id for r in await store.rsvps(activity.id) if r.status is RsvpStatus.GOING]
        if activity.organiser_id is not None and activity.organiser_id not in people:
            people.append(activity.organiser_id)
        title = await building_title(svc, activity.building_id)
        for user_id in people:
            lang = await user_language(svc, user_id)
            key = "activity.remind.day" if item.payload.get("which") == "day" else "activity.remind.soon"
            text = t(lang, key, title=activity.title,
                     when=format_when(activity.starts_at, activity.ends_at, lang, zone),
                     place=activity.place or "…", group=title)
            await send_prompt(app.bot, svc, user_id, PROMPT_KIND, text,
                              reply_markup=card_link_keyboard(lang, activity))
        return None

    async def invite(item: ScheduledItem, now: datetime) -> ItemState | None:
        activity = await current(item)
        if activity is None or not activity.accepts_answers(now):
            return ItemState.SKIPPED
        lang = await group_language(svc, activity.building_id)
        await app.bot.send_message(
            activity.building_id,
            t(lang, "activity.invite", title=activity.title,
              when=format_when(activity.starts_at, activity.ends_at, lang, zone)),
            reply_parameters=_reply_to(activity),
        )
        return None

    async def begin(item: ScheduledItem, now: datetime) -> ItemState | None:
        activity = await current(item)
        if activity is None or not activity.is_open:
            return ItemState.SKIPPED
        await store.begin(activity.id)
        return None

    async def end(item: ScheduledItem, now: datetime) -> ItemState | None:
        activity = await current(item)
        if activity is None:
            return ItemState.SKIPPED
        if activity.is_open:
            if now < activity.end:
                return ItemState.SKIPPED
            ended = await store.finish(activity.id, now)
            if ended is not None:
                app_refresher(app).poke("activity", ended.id)
                await look_back(app, svc, ended, now)
        if activity.series_id is not None:
            await advance_series(app, svc, activity.id, now)
        return None

    async def changed(item: ScheduledItem, now: datetime) -> ItemState | None:
        activity = await current(item)
        change = str(item.payload.get("change", ""))
        if activity is None:
            return ItemState.SKIPPED
        if change != "cancel" and not activity.accepts_answers(now):
            return ItemState.SKIPPED
        for rsvp in await store.rsvps(activity.id):
            if rsvp.user_id == activity.organiser_id:
                continue
            lang = await user_language(svc, rsvp.user_id)
            text = t(lang, f"activity.changed.{change}", title=activity.title,
                     when=format_when(activity.starts_at, activity.ends_at, lang, zone),
                     place=activity.place or "…", description=activity.description,
                     organiser=organiser_label(lang, activity.organiser_name))
            await notify_private(app.bot, svc, rsvp.user_id, text, card_link_keyboard(lang, activity))
        return None

    return {REMIND: remind, INVITE: invite, BEGIN: begin, END: end, CHANGED: changed}


def app_refresher(app: App) -> CardRefresher:
    found = app.bot_data[REFRESHER_KEY]
    assert isinstance(found, CardRefresher)
    return found


async def look_back(app: App, svc: Services, activity: Activity, now: datetime) -> None:
    """Thank the group (a number, no names), ask who hosts next time for a series, and ask the
    organiser and those who came how it was."""
    store = ActivityStore(svc.db)
    came = activity.came_count or 0
    lang = await group_language(svc, activity.building_id)
    series = await store.series(activity.series_id) if activity.series_id else None
    if came > 0:
        text = t(lang, "activity.thanks", title=activity.title, came=came)
        keyboard = None
        offer = None
        if series is not None and series.active:
            offer = await store.open_host_offer(activity, now)
            if offer is not None and offer.status == "asked":
                text += "\n" + t(lang, "activity.host.question")
                keyboard = host_keyboard(lang, offer.id)
        message = await app.bot.send_message(activity.building_id, text, reply_markup=keyboard)
        if offer is not None and keyboard is not None:
            await store.set_offer_message(offer.id, message.message_id)
    people = await store.came(activity.id)
    if activity.organiser_id is not None and activity.organiser_id not in people:
        people.insert(0, activity.organiser_id)
    for user_id in people:
        if not await store.ask_feedback(activity, user_id, now):
            continue
        plang = await user_language(svc, user_id)
        await send_prompt(app.bot, svc, user_id, PROMPT_KIND,
                          t(plang, "activity.lookback.question", title=activity.title),
                          reply_markup=rating_keyboard(plang, activity.id))


async def advance_series(app: App, svc: Services, previous_id: int, now: datetime) -> Activity | None:
    """Post the next date of a series (once), and gently suggest a pause when it fades."""
    store = ActivityStore(svc.db)
    previous = await store.get(previous_id)
    if previous is None or previous.series_id is None:
        return None
    series = await store.series(previous.series_id)
    if series is None or not series.active:
        return None
    zone = svc.settings.zone
    start = next_start(previous.starts_at, series.repeat, zone)
    while start <= now:
        start = next_start(start, series.repeat, zone)
    end = start + (previous.ends_at - previous.starts_at) if previous.ends_at else None
    upcoming = await store.add_occurrence(previous, series, start, end, now)
    if upcoming.message_id is None:
        await post_card(app.bot, svc, upcoming)
        await schedule_activity(svc, upcoming)
    await suggest_pause_if_fading(app.bot, svc, series, previous, upcoming)
    return upcoming


async def suggest_pause_if_fading(
    bot: Bot, svc: Services, series: Series, previous: Activity, upcoming: Activity
) -> bool:
    store = ActivityStore(svc.db)
    history = await store.history(series.id)
    if series.organiser_id is None or not should_suggest_pause(history, series.fade_noted_at):
        return False
    await store.note_fade(series.id, previous.occurrence)
    lang = await user_language(svc, series.organiser_id)
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(t(lang, "activity.fade.pause"),
                              callback_data=callback_data("actfade", "pause", upcoming.id))],
        [InlineKeyboardButton(t(lang, "activity.fade.time"),
                              callback_data=callback_data("actfade", "time", upcoming.id))],
        [InlineKeyboardButton(t(lang, "activity.fade.ask"),
                              callback_data=callback_data("actfade", "ask", upcoming.id))],
    ])
    await send_prompt(bot, svc, series.organiser_id, PROMPT_KIND,
                      t(lang, "activity.fade.suggest", title=previous.title), reply_markup=keyboard)
    return True


async def ask_group(bot: Bot, svc: Services, activity: Activity) -> None:
    """The organiser asks the group whether the series should go on, and at what time."""
    lang = await group_language(svc, activity.building_id)
    await bot.send_message(
        activity.building_id,
        t(lang, "activity.fade.group_question", title=activity.title,
          when=format_when(activity.starts_at, activity.ends_at, lang, svc.settings.zone),
          organiser=organiser_label(lang, activity.organiser_name)),
        reply_parameters=_reply_to(activity),
    )


# --- other features ask about activities -----------------------------------------------------

class ActivityPersonalData:
    """Activities organised, answers, look-back answers and host offers of one resident."""

    name = "activities"

    def __init__(self, app: App, svc: Services) -> None:
        self._app = app
        self._svc = svc

    async def export(self, user_id: int) -> dict[str, Any]:
        return await ActivityStore(self._svc.db).export(user_id)

    async def forget(self, user_id: int, now: datetime) -> None:
        withdrawals, renamed = await ActivityStore(self._svc.db).forget(user_id, now)
        await after_withdrawals(self._app, self._svc, withdrawals)
        for activity_id in renamed:
            app_refresher(self._app).poke("activity", activity_id)

    async def expire(self, before: datetime) -> int:
        return await ActivityStore(self._svc.db).expire(before)


class ActivityReports:
    """Reported activity cards: what the group's admins are shown, and taking one down."""

    def __init__(self, app: App, svc: Services) -> None:
        self._app = app
        self._svc = svc

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        activity = await ActivityStore(self._svc.db).get(item_id)
        if activity is None or activity.removed_at is not None:
            return None
        summary = f"{activity.title}: {activity.description}" if activity.description else activity.title
        return ReportedCard(building_id=activity.building_id, chat_id=activity.building_id,
                            message_id=activity.message_id, summary=summary)

    async def hide(self, item_id: int, now: datetime) -> bool:
        """The card goes (the caller deletes it), and with it the reminders and any next dates.
        Who said they would come hears it is off; the organiser hears privately that an admin
        took it down."""
        store = ActivityStore(self._svc.db)
        before = await store.get(item_id)
        removed = await store.remove(item_id, now)
        if before is None or removed is None:
            return False
        if before.series_id is not None:
            await store.stop_series(before.series_id, now)
        if before.is_open:
            await unschedule_reminders(self._svc, item_id)
            await announce_change(self._svc, removed, "cancel")
        if removed.organiser_id is not None:
            lang = await user_language(self._svc, removed.organiser_id)
            await notify_private(self._app.bot, self._svc, removed.organiser_id,
                                 t(lang, "activity.removed.organiser", title=removed.title))
        return True


async def after_withdrawals(app: App, svc: Services, withdrawals: list[Withdrawal]) -> None:
    store = ActivityStore(svc.db)
    for withdrawal in withdrawals:
        app_refresher(app).poke("activity", withdrawal.activity_id)
        if withdrawal.promoted:
            activity = await store.get(withdrawal.activity_id)
            if activity is not None:
                await tell_promoted(app.bot, svc, activity, withdrawal.promoted)


def make_digest_source(svc: Services) -> Callable[[int, str, datetime], Awaitable[list[str]]]:
    async def coming_week(building_id: int, lang: str, now: datetime) -> list[str]:
        activities = await ActivityStore(svc.db).upcoming(building_id, now, now + timedelta(days=7))
        if not activities:
            return []
        lines = [t(lang, "activity.digest.heading")]
        lines += [
            t(lang, "activity.digest.line", title=a.title,
              when=format_when(a.starts_at, None, lang, svc.settings.zone))
            for a in activities
        ]
        return lines

    return coming_week


def make_probe(svc: Services) -> Callable[[int], Awaitable[datetime | None]]:
    async def latest(building_id: int) -> datetime | None:
        return await ActivityStore(svc.db).last_activity_in(building_id)

    return latest


def make_departure_hook(app: App, svc: Services) -> Callable[[int, int, datetime], Awaitable[None]]:
    async def departed(building_id: int, user_id: int, now: datetime) -> None:
        withdrawals = await ActivityStore(svc.db).withdraw(user_id, now, building_id)
        await after_withdrawals(app, svc, withdrawals)

    return departed


async def recover_cards(app: App, svc: Services, started: datetime) -> None:
    """After a stop: post cards that were never posted before this start (a card being posted
    right now is left to its own handler), and refresh those that fell behind."""
    store = ActivityStore(svc.db)
    for activity in await store.unposted(started):
        await post_card(app.bot, svc, activity)
        await schedule_activity(svc, activity)
    for activity_id in await store.dirty():
        app_refresher(app).poke("activity", activity_id)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    cards = CardRefresher(app)
    app.bot_data[REFRESHER_KEY] = cards

    async def refresh(activity_id: int) -> None:
        await refresh_card(app.bot, svc, activity_id)

    cards.add_kind("activity", refresh)
    for kind, job in make_jobs(app, svc).items():
        svc.scheduler.register(kind, job, calm=kind != BEGIN)
    svc.link_routes["actics"] = open_calendar_link
    svc.personal_data.append(ActivityPersonalData(app, svc))
    svc.reportables[REPORT_KIND] = ActivityReports(app, svc)
    svc.digest_sources.append(make_digest_source(svc))
    svc.activity_probes.append(make_probe(svc))
    svc.departure_hooks.append(make_departure_hook(app, svc))
    app.add_handler(CallbackQueryHandler(on_rsvp, pattern=r"^act:(go|maybe|plus|no):\d+$"))
    app.add_handler(CallbackQueryHandler(on_calendar, pattern=r"^act:ics:\d+$"))
    app.add_handler(CallbackQueryHandler(on_host_offer, pattern=r"^act:host:\d+$"))
    app.add_handler(CallbackQueryHandler(on_host_decision, pattern=r"^act:host(ok|no):\d+$"))
    app.add_handler(CallbackQueryHandler(on_rating, pattern=r"^act:rate:"))
    app.add_handler(CallbackQueryHandler(on_help_next, pattern=r"^act:help:"))

    started = svc.clock.now()

    async def on_start(context: ContextTypes.DEFAULT_TYPE) -> None:
        await recover_cards(app, svc, started)

    if app.job_queue is not None:
        app.job_queue.run_once(on_start, when=0.2, name="activities:recover")
