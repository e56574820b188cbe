"""What the ask flow and the request handlers share: rendering a request, posting and updating
its card in the group, its schedule, and the membership check before anyone acts on it."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden

from bot.domain.community import Building
from bot.domain.requests import (
    HelpRequest,
    RequestSeries,
    RequestStatus,
    When,
    WhenKind,
    bump_moment,
    close_moment,
)
from bot.i18n import Safe, t
from bot.services import Services
from handlers.common import Context, callback_data, services
from handlers.kit.buttons import report_button
from storage.requests import RequestStore

log = logging.getLogger(__name__)

STORE_KEY = "request_store"
REPORT_KIND = "req"
"""Card kind in the "Meld" button and in `svc.reportables`."""


def request_store(context: Context) -> RequestStore:
    found = context.bot_data[STORE_KEY]
    assert isinstance(found, RequestStore)
    return found


def job_ref(request_id: int) -> str:
    """Schedule ref of one request; the trailing colon keeps prefix-cancel to this id only."""
    return f"req:{request_id}:"


def kind_text(lang: str, request_kind: str) -> str:
    return t(lang, f"request.kind.{request_kind}")


def date_text(lang: str, moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return t(lang, "request.date", weekday=t(lang, f"request.weekday.{local.weekday()}"),
             day=local.day, month=t(lang, f"request.month.{local.month}"))


def when_text(lang: str, when: When, zone: ZoneInfo) -> str:
    """Always an absolute day ("di 24 nov"), so a card never says "today" on the wrong day."""
    day = Safe(date_text(lang, when.due_at, zone))
    if when.kind is WhenKind.AT:
        return t(lang, "request.when.at", date=day,
                 time=when.due_at.astimezone(zone).strftime("%H:%M"))
    if when.kind is WhenKind.WEEK:
        return t(lang, "request.when.week", date=day)
    return t(lang, "request.when.day", date=day)


def weekday_name(lang: str, when: When, zone: ZoneInfo) -> str:
    return t(lang, f"request.weekday_long.{when.due_at.astimezone(zone).weekday()}")


async def first_name(svc: Services, user_id: int | None) -> str:
    if user_id is None:
        return ""
    resident = await svc.residents.get(user_id)
    return resident.first_name if resident is not None and resident.first_name else "?"


def card_text(
    lang: str, request: HelpRequest, zone: ZoneInfo, requester_name: str,
    *, standing: bool = False, weekly: bool | None = None,
) -> str:
    """The card in the group. Closed requests shrink to one short line without names."""
    kind = Safe(kind_text(lang, request.kind))
    status = request.status
    if status is RequestStatus.DONE:
        return t(lang, "request.card.done", kind=kind)
    if status is RequestStatus.CANCELLED:
        return t(lang, "request.card.cancelled", kind=kind)
    if status is RequestStatus.EXPIRED:
        return t(lang, "request.card.expired", kind=kind)
    if status is RequestStatus.REMOVED:
        return t(lang, "request.card.removed")
    lines = [t(lang, "request.card.when", when=Safe(when_text(lang, request.when, zone)))]
    if request.anonymous:
        lines.append(t(lang, "request.card.by_neighbour"))
    else:
        lines.append(t(lang, "request.card.by_name", name=requester_name))
    if request.on_behalf:
        lines.append(t(lang, "request.card.on_behalf"))
    if request.repeats if weekly is None else weekly:
        lines.append(t(lang, "request.card.weekly",
                       weekday=Safe(weekday_name(lang, request.when, zone))))
    if status is RequestStatus.CLAIMED:
        key = "request.card.claimed_always" if standing else "request.card.claimed"
        lines.append(t(lang, key))
    else:
        lines.append(t(lang, "request.card.open_hint"))
    return t(lang, "request.card", kind=kind, description=request.description or "…",
             details=Safe("\n".join(lines)))


def card_keyboard(lang: str, request: HelpRequest, *, weekly: bool) -> InlineKeyboardMarkup | None:
    """"Ik help" (or this time / every time, for a weekly need), and "Meld" for anyone who
    thinks the card does not belong here (the group's admins hear of it privately)."""
    if request.status is not RequestStatus.OPEN:
        return None
    if weekly:
        claim = [
            InlineKeyboardButton(t(lang, "request.button.claim_once"),
                                 callback_data=callback_data("req", "c", request.id)),
            InlineKeyboardButton(t(lang, "request.button.claim_all"),
                                 callback_data=callback_data("req", "ca", request.id)),
        ]
    else:
        claim = [InlineKeyboardButton(t(lang, "request.button.claim"),
                                      callback_data=callback_data("req", "c", request.id))]
    return InlineKeyboardMarkup([claim, [report_button(lang, REPORT_KIND, request.id)]])


async def render_card(
    svc: Services, store: RequestStore, request: HelpRequest, building: Building
) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = building.language
    series = await store.series(request.series_id) if request.series_id else None
    standing = _standing(series, request)
    weekly = series is not None and series.running
    name = "" if request.anonymous else await first_name(svc, request.requester_id)
    text = card_text(lang, request, svc.settings.zone, name, standing=standing, weekly=weekly)
    return text, card_keyboard(lang, request, weekly=weekly)


def _standing(series: RequestSeries | None, request: HelpRequest) -> bool:
    return (series is not None and request.helper_id is not None
            and series.standing_helper_id == request.helper_id)


async def post_card(bot: Bot, svc: Services, store: RequestStore, request: HelpRequest) -> bool:
    """Post the card; False (and the request cancelled) when the group cannot be reached."""
    building = await svc.buildings.get(request.building_id)
    if building is None or not building.active:
        await store.cancel(request.id, svc.clock.now())
        return False
    text, keyboard = await render_card(svc, store, request, building)
    try:
        message = await bot.send_message(request.building_id, text, reply_markup=keyboard)
    except (Forbidden, BadRequest):
        log.warning("could not post a request card in group %s", request.building_id)
        await store.cancel(request.id, svc.clock.now())
        return False
    await store.set_card(request.id, message.message_id)
    return True


async def refresh_card(bot: Bot, svc: Services, store: RequestStore, request_id: int) -> None:
    """Bring the group card in line with the stored request (Telegram may refuse; never fatal)."""
    request = await store.get(request_id)
    if request is None or request.card_message_id is None:
        return
    building = await svc.buildings.get(request.building_id)
    if building is None or not building.active:
        return
    text, keyboard = await render_card(svc, store, request, building)
    try:
        await bot.edit_message_text(text, chat_id=request.building_id,
                                    message_id=request.card_message_id, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.info("could not update request card %s: %s", request.id, exc)
    except Forbidden:
        log.info("could not update request card %s: the bot is no longer in the group", request.id)


async def schedule_request(svc: Services, request: HelpRequest) -> None:
    """The bump (once, never in quiet hours), the close at its time, and a series' next week.

    `replace=True` moves a pending item after an edit; an item that already ran stays done,
    so an edited request is never bumped twice.
    """
    building = await svc.buildings.get(request.building_id)
    if building is None:
        return
    quiet, zone = building.settings.quiet_hours, svc.settings.zone
    ref = job_ref(request.id)
    bump = bump_moment(request.when.due_at, request.created_at,
                       building.settings.bump_hours_before, quiet, zone)
    if bump is not None and request.bumped_at is None:
        await svc.scheduler.add("request.bump", ref, bump, building_id=request.building_id,
                                stale_after=request.when.due_at, replace=True)
    else:
        await svc.scheduler.cancel("request.bump", ref)
    closing = close_moment(request.when.due_at, quiet, zone)
    # A new close row for each (re)scheduling: one that already ran or was cancelled for an
    # earlier time must not keep a later time from closing.
    await svc.scheduler.cancel("request.close", ref)
    stamp = f"{request.when.due_at:%Y%m%d%H%M}@{svc.clock.now():%Y%m%d%H%M%S}"
    await svc.scheduler.add("request.close", ref + stamp, closing, building_id=request.building_id)
    if request.series_id is not None:
        await svc.scheduler.add(
            "request.next", f"series:{request.series_id}:{request.id}", closing,
            building_id=request.building_id, payload={"request_id": request.id}, replace=True,
        )


async def unschedule_request(svc: Services, request: HelpRequest) -> None:
    ref = job_ref(request.id)
    await svc.scheduler.cancel("request.bump", ref)
    await svc.scheduler.cancel("request.close", ref)


def message_button(lang: str, key: str, name: str, user_id: int) -> InlineKeyboardButton:
    """Opens a private chat with the other person (works without a username)."""
    return InlineKeyboardButton(t(lang, key, name=name), url=f"tg://user?id={user_id}")


def _button(lang: str, key: str, *parts: object, **values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(lang, key, **values), callback_data=callback_data(*parts))


def requester_controls(
    lang: str, request: HelpRequest, helper_name: str = ""
) -> InlineKeyboardMarkup | None:
    """What the requester can do privately: depends on whether someone helps yet."""
    rid = request.id
    rows: list[list[InlineKeyboardButton]] = []
    if request.status is RequestStatus.CLAIMED and request.helper_id is not None:
        rows.append([message_button(lang, "request.button.message", helper_name,
                                    request.helper_id)])
        rows.append([_button(lang, "request.button.contact", "req", "ct", rid)])
        rows.append([_button(lang, "request.button.done", "req", "done", rid)])
    if request.is_active:
        rows.append([_button(lang, "request.button.edit_text", "req", "et", rid),
                     _button(lang, "request.button.edit_when", "req", "ew", rid)])
        rows.append([_button(lang, "request.button.cancel", "req", "cx", rid)])
    if request.repeats:
        rows.append([_button(lang, "request.button.stop_series", "req", "ss", rid)])
    return InlineKeyboardMarkup(rows) if rows else None


def helper_controls(lang: str, request: HelpRequest, requester_name: str) -> InlineKeyboardMarkup:
    rid = request.id
    return InlineKeyboardMarkup([
        [message_button(lang, "request.button.message", requester_name, request.requester_id)],
        [_button(lang, "request.button.done", "req", "done", rid)],
        [_button(lang, "request.button.withdraw", "req", "wd", rid)],
    ])


async def publish(update: Update, context: Context, request: HelpRequest, lang: str) -> None:
    """Post a new request's card, plan its bump and close, and give the requester controls
    (in place of the message whose button was pressed)."""
    svc, store = services(context), request_store(context)
    if await post_card(context.bot, svc, store, request):
        posted = await store.get(request.id)
        assert posted is not None
        await schedule_request(svc, posted)
        text, keyboard = t(lang, "request.flow.posted"), requester_controls(lang, posted)
    else:
        text, keyboard = t(lang, "request.flow.failed"), None
    query = update.callback_query
    if query is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest:
            pass
    await context.bot.send_message(request.requester_id, text, reply_markup=keyboard)
