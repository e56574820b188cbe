"""Small help requests after they are posted: "Ik help" on the card, the introduction of
requester and helper, done and thanks, change of plans, the one bump, closing, weekly needs.

Every button carries only a short id; the press is checked again against the database and the
presser, so a stale, forged or other group's button changes nothing and gets a short answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update, User
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.domain.deeplinks import DeepLink, link_url
from bot.domain.requests import (
    Action,
    DraftStep,
    HelpRequest,
    PostingRefusal,
    Refusal,
    RequestStatus,
    WhenChoice,
    WhenError,
    next_occurrence,
    posting_refusal,
    refusal,
    when_from_choice,
)
from bot.domain.schedule import ItemState, ScheduledItem
from bot.i18n import Safe, normalize_language, t
from bot.menu import MenuCommand
from bot.services import ReportedCard, Services
from handlers import request_flow
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_group_admin,
    is_member,
    remember,
    resident_language,
    send_private,
    send_prompt,
    services,
    user_language,
)
from handlers.request_cards import (
    REPORT_KIND,
    STORE_KEY,
    first_name,
    helper_controls,
    kind_text,
    post_card,
    publish,
    refresh_card,
    request_store,
    requester_controls,
    schedule_request,
    unschedule_request,
    weekday_name,
    when_text,
)
from storage.requests import RequestStore

log = logging.getLogger(__name__)

COMMANDS = [
    *request_flow.COMMANDS,
    MenuCommand({"nl": "weghalen", "en": "remove"}, "cmd.remove_request", private=False),
]
PROMPT_KIND = "request"
"""The kind of scheduled private prompt (for residents' prompt settings)."""
CARD_DATA = re.compile(r"^req:(c|ca):(\d{1,18})$")
CONTROL_DATA = re.compile(r"^req:(done|thx|wd|cx|et|ew|ct|ss):(\d{1,18})$")
AGAIN_DATA = re.compile(r"^req:again:(\d{1,18}):([a-z]{1,10})$")
HELPED_WINDOW = timedelta(days=7)
REFUSAL_KEYS = {
    Refusal.GONE: "error.stale_button",
    Refusal.TAKEN: "request.answer.taken",
    Refusal.CLOSED: "request.answer.closed",
    Refusal.OWN: "request.answer.own",
    Refusal.PAST: "request.answer.past",
    Refusal.NOT_YOURS: "error.not_yours",
    Refusal.ALREADY: "request.answer.already",
}


def _lang_of(svc: Services, user: User, resident: Any) -> str:
    if resident is not None:
        return resident_language(svc, resident)
    return normalize_language(user.language_code, svc.settings.language)


async def presser_language(svc: Services, user: User) -> str:
    """Answers to a press are seen only by the presser: in their own language."""
    return _lang_of(svc, user, await svc.residents.get(user.id))


async def request_link(svc: Services, request: HelpRequest) -> str:
    """A deep link that shows requester or helper their part of this request privately."""
    link = await svc.deep_links.create("req", svc.clock.now(), building_id=request.building_id,
                                       target=str(request.id))
    return link_url(svc.bot_username, link.token)


# --- texts for the two people involved -------------------------------------------------------

async def requester_intro(svc: Services, store: RequestStore, request: HelpRequest, lang: str) -> str:
    zone = svc.settings.zone
    helper = await first_name(svc, request.helper_id)
    text = t(lang, "request.meet.requester", helper=helper,
             kind=Safe(kind_text(lang, request.kind)),
             when=Safe(when_text(lang, request.when, zone)))
    if await _standing(store, request):
        text += "\n" + t(lang, "request.meet.always_requester", helper=helper,
                         weekday=Safe(weekday_name(lang, request.when, zone)))
    return text


async def helper_intro(svc: Services, store: RequestStore, request: HelpRequest, lang: str) -> str:
    zone = svc.settings.zone
    requester = await first_name(svc, request.requester_id)
    text = t(lang, "request.meet.helper", requester=requester,
             kind=Safe(kind_text(lang, request.kind)),
             when=Safe(when_text(lang, request.when, zone)),
             description=request.description or "")
    if request.on_behalf:
        text += "\n" + t(lang, "request.meet.on_behalf", requester=requester)
    if await _standing(store, request):
        text += "\n" + t(lang, "request.meet.always_helper",
                         weekday=Safe(weekday_name(lang, request.when, zone)))
    if request.contact:
        text += "\n" + t(lang, "request.contact.to_helper", requester=requester,
                         contact=request.contact)
    return text


async def _standing(store: RequestStore, request: HelpRequest) -> bool:
    if request.series_id is None or request.helper_id is None:
        return False
    series = await store.series(request.series_id)
    return series is not None and series.standing_helper_id == request.helper_id


async def introduce(context: Context, request: HelpRequest) -> None:
    """After a claim both hear of each other privately; a helper who never opened the bot gets
    one line in the group with a link (the requester opened it to ask, so needs none)."""
    svc, store = services(context), request_store(context)
    assert request.helper_id is not None
    requester_name = await first_name(svc, request.requester_id)
    helper_name = await first_name(svc, request.helper_id)
    r_lang = await user_language(svc, request.requester_id)
    await send_private(
        context, request.requester_id, await requester_intro(svc, store, request, r_lang),
        reply_markup=requester_controls(r_lang, request, helper_name),
    )
    h_lang = await user_language(svc, request.helper_id)
    await send_private(
        context, request.helper_id, await helper_intro(svc, store, request, h_lang),
        reply_markup=helper_controls(h_lang, request, requester_name),
        fallback_chat_id=request.building_id, fallback_name=helper_name,
        deep_link=await request_link(svc, request),
    )


async def open_request_link(update: Update, context: Context, link: DeepLink) -> None:
    """The link from the group fallback line: shows the opener their part, if they have one."""
    user = update.effective_user
    if user is None:
        return
    svc, store = services(context), request_store(context)
    lang = await user_language(svc, user.id)
    request = await store.get(int(link.target)) if link.target.isdigit() else None
    if request is not None and request.status is RequestStatus.CLAIMED:
        if request.helper_id == user.id:
            name = await first_name(svc, request.requester_id)
            await context.bot.send_message(
                user.id, await helper_intro(svc, store, request, lang),
                reply_markup=helper_controls(lang, request, name))
            return
        if request.requester_id == user.id:
            name = await first_name(svc, request.helper_id)
            await context.bot.send_message(
                user.id, await requester_intro(svc, store, request, lang),
                reply_markup=requester_controls(lang, request, name))
            return
    await context.bot.send_message(user.id, t(lang, "request.link.not_yours"))


# --- "Ik help" on the card ---------------------------------------------------------------------

async def on_card_button(update: Update, context: Context) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None:
        return
    svc, store = services(context), request_store(context)
    lang = await presser_language(svc, user)
    match = CARD_DATA.match(query.data or "")
    request = await store.get(int(match.group(2))) if match else None
    message = query.message
    if (match is None or request is None or chat is None or message is None
            or request.building_id != chat.id or request.card_message_id != message.message_id):
        await answer(update, t(lang, "error.stale_button"))
        return
    now = svc.clock.now()
    refused = refusal(Action.CLAIM, request, user.id, now)
    if refused is not None:
        await answer(update, t(lang, REFUSAL_KEYS[refused]), show_alert=refused is Refusal.OWN)
        return
    if not await is_member(context, request.building_id, user.id):
        await answer(update, t(lang, "request.answer.not_member"), show_alert=True)
        return
    await remember(update, context)
    if not await store.claim(request.id, user.id, now):
        again = await store.get(request.id)
        refused = refusal(Action.CLAIM, again, user.id, now) or Refusal.TAKEN
        await answer(update, t(lang, REFUSAL_KEYS[refused]))
        return
    if match.group(1) == "ca" and request.series_id is not None:
        await store.set_standing_helper(request.series_id, user.id)
    await answer(update, t(lang, "request.answer.claimed"))
    await refresh_card(context.bot, svc, store, request.id)
    claimed = await store.get(request.id)
    assert claimed is not None
    await introduce(context, claimed)


# --- private controls ---------------------------------------------------------------------------

async def on_control(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc, store = services(context), request_store(context)
    lang = await presser_language(svc, user)
    match = CONTROL_DATA.match(query.data or "")
    if match is None or is_group(update.effective_chat):
        await answer(update, t(lang, "error.stale_button"))
        return
    await remember(update, context)
    what, request = match.group(1), await store.get(int(match.group(2)))
    action = {
        "done": Action.DONE, "thx": Action.THANK, "wd": Action.WITHDRAW, "cx": Action.CANCEL,
        "et": Action.EDIT, "ew": Action.EDIT, "ct": Action.CONTACT, "ss": Action.STOP_SERIES,
    }[what]
    refused = refusal(action, request, user.id, svc.clock.now())
    if refused is not None or request is None:
        await answer(update, t(lang, REFUSAL_KEYS[refused or Refusal.GONE]))
        return
    if what in ("et", "ew", "ct"):
        await answer(update)
        step = {"et": DraftStep.EDIT_TEXT, "ew": DraftStep.EDIT_WHEN, "ct": DraftStep.CONTACT}[what]
        await request_flow.start_edit(update, context, request, step, lang)
        return
    handler = {"done": _done, "thx": _thank, "wd": _withdraw, "cx": _cancel, "ss": _stop_series}
    await handler[what](update, context, request, lang)


async def _edit_or_send(update: Update, context: Context, user_id: int, text: str,
                        keyboard: InlineKeyboardMarkup | None = None) -> None:
    query = update.callback_query
    if query is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest:
            pass
    await context.bot.send_message(user_id, text, reply_markup=keyboard)


def _more_often_row(lang: str, request: HelpRequest) -> list[InlineKeyboardButton]:
    """After a request is done: ask this helper to become a regular neighbour (double opt-in)."""
    return [InlineKeyboardButton(t(lang, "pairing.button.more_often"),
                                 callback_data=callback_data("pair", "req", request.id))]


def _thank_keyboard(lang: str, request: HelpRequest, helper: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "request.button.thank", name=helper),
        callback_data=callback_data("req", "thx", request.id))],
        _more_often_row(lang, request)])


async def _close(update: Update, context: Context, request: HelpRequest, lang: str,
                 change: Callable[[int, datetime], Awaitable[bool]]) -> bool:
    """End a request from a button: `change` moves it on once (False when someone was first);
    then its schedule goes and its card follows."""
    svc, store = services(context), request_store(context)
    if not await change(request.id, svc.clock.now()):
        await answer(update, t(lang, "request.answer.closed"))
        return False
    await answer(update)
    await unschedule_request(svc, request)
    await refresh_card(context.bot, svc, store, request.id)
    return True


async def _done(update: Update, context: Context, request: HelpRequest, lang: str) -> None:
    svc = services(context)
    if not await _close(update, context, request, lang, request_store(context).mark_done):
        return
    assert request.helper_id is not None
    helper = await first_name(svc, request.helper_id)
    requester = await first_name(svc, request.requester_id)
    if update.effective_user is not None and update.effective_user.id == request.helper_id:
        await _edit_or_send(update, context, request.helper_id,
                            t(lang, "request.done.by_helper_self", requester=requester))
        r_lang = await user_language(svc, request.requester_id)
        await send_private(context, request.requester_id,
                           t(r_lang, "request.done.by_helper", helper=helper),
                           reply_markup=_thank_keyboard(r_lang, request, helper))
        return
    await _edit_or_send(update, context, request.requester_id,
                        t(lang, "request.done.requester", helper=helper),
                        _thank_keyboard(lang, request, helper))
    h_lang = await user_language(svc, request.helper_id)
    await send_private(context, request.helper_id,
                       t(h_lang, "request.done.to_helper", requester=requester))


async def _thank(update: Update, context: Context, request: HelpRequest, lang: str) -> None:
    svc, store = services(context), request_store(context)
    if not await store.thank(request.id, svc.clock.now()):
        await answer(update, t(lang, "request.answer.already"))
        return
    await answer(update)
    assert request.helper_id is not None
    h_lang = await user_language(svc, request.helper_id)
    requester = await first_name(svc, request.requester_id)
    await send_private(context, request.helper_id,
                       t(h_lang, "request.thanks.to_helper", requester=requester))
    await _edit_or_send(update, context, request.requester_id, t(lang, "request.thanks.sent"),
                        InlineKeyboardMarkup([_more_often_row(lang, request)]))


async def _withdraw(update: Update, context: Context, request: HelpRequest, lang: str) -> None:
    svc, store = services(context), request_store(context)
    assert request.helper_id is not None
    if not await store.withdraw(request.id, request.helper_id):
        await answer(update, t(lang, "request.answer.closed"))
        return
    await answer(update)
    await reopen(context.bot, svc, store, request, request.helper_id)
    await _edit_or_send(update, context, request.helper_id, t(lang, "request.withdraw.helper"))


async def reopen(bot: Bot, svc: Services, store: RequestStore, request: HelpRequest,
                 helper_id: int) -> None:
    """After a helper steps back: the card says "Ik help" again (or the request closes if its
    time has passed), the requester hears so, and a standing weekly helper is released."""
    if request.series_id is not None:
        await store.drop_standing_helper(request.series_id, helper_id)
    now = svc.clock.now()
    if now >= request.when.due_at:
        await store.expire(request.id, now)
    await refresh_card(bot, svc, store, request.id)
    current = await store.get(request.id)
    assert current is not None
    r_lang = await user_language(svc, request.requester_id)
    key = ("request.withdraw.requester" if current.status is RequestStatus.OPEN
           else "request.withdraw.requester_closed")
    await tell(bot, svc, request.requester_id,
               t(r_lang, key, helper=await first_name(svc, helper_id),
                 kind=Safe(kind_text(r_lang, request.kind))),
               requester_controls(r_lang, current))


async def _cancel(update: Update, context: Context, request: HelpRequest, lang: str) -> None:
    if not await _close(update, context, request, lang, request_store(context).cancel):
        return
    keyboard = None
    if request.series_id is not None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            t(lang, "request.button.stop_series"),
            callback_data=callback_data("req", "ss", request.id))]])
    await _edit_or_send(update, context, request.requester_id, t(lang, "request.cancel.done"),
                        keyboard)
    if request.helper_id is not None:
        await _tell_helper_cancelled(context.bot, services(context), request)


async def _tell_helper_cancelled(bot: Bot, svc: Services, request: HelpRequest) -> None:
    assert request.helper_id is not None
    h_lang = await user_language(svc, request.helper_id)
    await tell(bot, svc, request.helper_id, t(
        h_lang, "request.cancel.helper", requester=await first_name(svc, request.requester_id),
        kind=Safe(kind_text(h_lang, request.kind)),
        when=Safe(when_text(h_lang, request.when, svc.settings.zone))))


async def _stop_series(update: Update, context: Context, request: HelpRequest, lang: str) -> None:
    svc, store = services(context), request_store(context)
    assert request.series_id is not None
    if not await store.stop_series(request.series_id, svc.clock.now()):
        await answer(update, t(lang, "request.answer.already"))
        return
    await svc.scheduler.cancel("request.next", f"series:{request.series_id}:")
    await answer(update, t(lang, "request.series.stopped"), show_alert=True)
    await refresh_card(context.bot, svc, store, request.id)


async def on_again(update: Update, context: Context) -> None:
    """One tap after an unclaimed request closed: the same request again, for a new day."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc, store = services(context), request_store(context)
    lang = await presser_language(svc, user)
    match = AGAIN_DATA.match(query.data or "")
    request = await store.get(int(match.group(1))) if match else None
    choice = match.group(2) if match else ""
    now = svc.clock.now()
    refused = refusal(Action.REPOST, request, user.id, now)
    if match is None or choice not in WhenChoice.__members__.values() or is_group(
            update.effective_chat):
        refused = Refusal.GONE
    if refused is not None or request is None:
        await answer(update, t(lang, REFUSAL_KEYS[refused or Refusal.GONE]))
        return
    building = await svc.buildings.get(request.building_id)
    if building is None or not await is_member(context, request.building_id, user.id):
        await answer(update, t(lang, "request.flow.not_member"), show_alert=True)
        return
    if request.description is None:
        await answer(update, t(lang, "request.answer.closed"))
        return
    when = when_from_choice(WhenChoice(choice), now, svc.settings.zone,
                            building.settings.quiet_hours)
    if isinstance(when, WhenError):
        await answer(update, t(lang, f"request.when_error.{when.value}"), show_alert=True)
        return
    limit = posting_refusal(
        await store.active_count(request.building_id, user.id, now),
        await store.created_since(user.id, now - request_flow.RATE_WINDOW),
        building.settings.max_open_requests,
    )
    if limit is not None:
        key = ("request.limit.too_many_open" if limit is PostingRefusal.TOO_MANY_OPEN
               else "request.limit.too_fast")
        await answer(update, t(lang, key, count=building.settings.max_open_requests),
                     show_alert=True)
        return
    copy = await store.copy(request, when, now, series_id=None)
    await answer(update)
    await publish(update, context, copy, lang)


# --- admin removal --------------------------------------------------------------------------------

async def remove_command(update: Update, context: Context) -> None:
    """`/weghalen` as a reply to a card: a group admin takes down a request that does not belong."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    svc, store = services(context), request_store(context)
    building = await svc.buildings.get(chat.id)
    if building is None:
        return
    lang = building.language
    if not await is_group_admin(context, chat.id, user.id):
        await message.reply_text(t(lang, "request.remove.not_admin"))
        return
    target = message.reply_to_message
    if target is None:
        await message.reply_text(t(lang, "request.remove.how"))
        return
    request = await store.by_card(chat.id, target.message_id)
    if request is None or not await store.remove(request.id, svc.clock.now()):
        await message.reply_text(t(lang, "request.remove.not_a_card"))
        return
    await take_down(context.bot, svc, store, request)


async def take_down(bot: Bot, svc: Services, store: RequestStore, request: HelpRequest,
                    *, refresh: bool = True) -> None:
    """After an admin removed a request: no more schedule or weeks, card updated (unless the
    caller deletes it), and both people involved told."""
    await unschedule_request(svc, request)
    if request.series_id is not None:
        await store.stop_series(request.series_id, svc.clock.now())
        await svc.scheduler.cancel("request.next", f"series:{request.series_id}:")
    if refresh:
        await refresh_card(bot, svc, store, request.id)
    r_lang = await user_language(svc, request.requester_id)
    await tell(bot, svc, request.requester_id,
               t(r_lang, "request.remove.requester", kind=Safe(kind_text(r_lang, request.kind))))
    if request.helper_id is not None and request.status is RequestStatus.CLAIMED:
        h_lang = await user_language(svc, request.helper_id)
        await tell(bot, svc, request.helper_id,
                   t(h_lang, "request.remove.helper", kind=Safe(kind_text(h_lang, request.kind))))


async def tell(bot: Bot, svc: Services, user_id: int, text: str,
               reply_markup: InlineKeyboardMarkup | None = None) -> bool:
    """A direct consequence of someone else's action, told privately; never into the group."""
    try:
        await bot.send_message(user_id, text, reply_markup=reply_markup)
    except Forbidden:
        await svc.residents.mark_unreachable(user_id)
        return False
    return True


# --- the schedule ------------------------------------------------------------------------------------

class RequestJobs:
    """Scheduled work for requests; made in `register`, sending with the application's bot."""

    def __init__(self, app: Application, svc: Services, store: RequestStore) -> None:  # type: ignore[type-arg]
        self.app, self.svc, self.store = app, svc, store
        self.started = svc.clock.now()

    @property
    def bot(self) -> Bot:
        return self.app.bot  # type: ignore[no-any-return]

    async def post_unposted(self, context: Context) -> None:
        """At start: a request saved just before a stop gets its card and schedule now."""
        for request in await self.store.unposted(created_before=self.started):
            if await post_card(self.bot, self.svc, self.store, request):
                posted = await self.store.get(request.id)
                if posted is not None:
                    await schedule_request(self.svc, posted)

    async def _request(self, item: ScheduledItem) -> HelpRequest | None:
        raw = item.payload.get("request_id") or item.ref.split(":")[1]
        return await self.store.get(int(raw)) if str(raw).isdigit() else None

    async def _postpone_if_quiet(self, item: ScheduledItem, now: datetime) -> bool:
        """Ran in quiet hours (the bot was down when it fell due): move it to the morning."""
        building = await self.svc.buildings.get(item.building_id) if item.building_id else None
        if building is None:
            return False
        quiet, zone = building.settings.quiet_hours, self.svc.settings.zone
        if not quiet.contains(now, zone):
            return False
        await self.svc.scheduler.add(item.kind, item.ref + "later", quiet.next_allowed(now, zone),
                                     building_id=item.building_id, payload=item.payload)
        return True

    async def bump(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Once, in the group, as a reply to the card: nobody has taken it yet."""
        request = await self._request(item)
        if request is None or request.status is not RequestStatus.OPEN \
                or request.card_message_id is None or now >= request.when.due_at:
            return ItemState.SKIPPED
        building = await self.svc.buildings.get(request.building_id)
        if building is None or not building.active \
                or building.settings.quiet_hours.contains(now, self.svc.settings.zone):
            return ItemState.SKIPPED
        if not await self.store.mark_bumped(request.id, now):
            return ItemState.SKIPPED
        try:
            await self.bot.send_message(
                request.building_id, t(building.language, "request.bump"),
                reply_parameters=ReplyParameters(request.card_message_id,
                                                 allow_sending_without_reply=True))
        except (Forbidden, BadRequest):
            return ItemState.SKIPPED
        return None

    async def close(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Its time has passed: unclaimed, it closes and the requester may post it again;
        claimed, the requester is asked once whether it worked out."""
        request = await self._request(item)
        if request is None or not request.is_active or now < request.when.due_at:
            return ItemState.SKIPPED
        if request.status is RequestStatus.OPEN:
            if not await self.store.expire(request.id, now):
                return ItemState.SKIPPED
            await refresh_card(self.bot, self.svc, self.store, request.id)
        elif await _standing(self.store, request):
            return None  # a weekly pair has its routine; "Volgende keer" is enough
        if await self._postpone_if_quiet(item.model_copy(update={"kind": "request.prompt"}), now):
            return None
        await self.prompt_requester(request.id)
        return None

    async def prompt(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        request = await self._request(item)
        if request is None:
            return ItemState.SKIPPED
        await self.prompt_requester(request.id)
        return None

    async def prompt_requester(self, request_id: int) -> None:
        request = await self.store.get(request_id)
        if request is None:
            return
        svc = self.svc
        lang = await user_language(svc, request.requester_id)
        kind = Safe(kind_text(lang, request.kind))
        when = Safe(when_text(lang, request.when, svc.settings.zone))
        if request.status is RequestStatus.EXPIRED and request.description is not None:
            keyboard = InlineKeyboardMarkup([[
                InlineKeyboardButton(t(lang, f"request.button.{choice.value}"),
                                     callback_data=callback_data("req", "again", request.id,
                                                                 choice.value))
                for choice in WhenChoice
            ]])
            await send_prompt(self.bot, svc, request.requester_id, PROMPT_KIND,
                              t(lang, "request.expired.requester", kind=kind, when=when),
                              reply_markup=keyboard)
        elif request.status is RequestStatus.CLAIMED and request.helper_id is not None:
            helper = await first_name(svc, request.helper_id)
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
                t(lang, "request.button.done"),
                callback_data=callback_data("req", "done", request.id))]])
            await send_prompt(self.bot, svc, request.requester_id, PROMPT_KIND,
                              t(lang, "request.followup", kind=kind, helper=helper),
                              reply_markup=keyboard)

    async def next_week(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """A weekly need comes round again: posted for anyone, or straight to its standing helper."""
        request = await self._request(item)
        series = await self.store.series(request.series_id) if request and request.series_id else None
        if request is None or series is None or not series.running or request.description is None:
            return ItemState.SKIPPED
        svc, store = self.svc, self.store
        building = await svc.buildings.get(request.building_id)
        if building is None or not building.active:
            return ItemState.SKIPPED
        if await self._postpone_if_quiet(item, now):
            return ItemState.SKIPPED
        membership = await svc.memberships.get(request.building_id, request.requester_id)
        if membership is None or not membership.is_current:
            await store.stop_series(series.id, now)
            return ItemState.SKIPPED
        when = next_occurrence(request.when, svc.settings.zone, building.settings.quiet_hours)
        while when.due_at <= now:
            when = next_occurrence(when, svc.settings.zone, building.settings.quiet_hours)
        helper_id = series.standing_helper_id
        if helper_id is not None:
            helper_member = await svc.memberships.get(request.building_id, helper_id)
            if helper_member is None or not helper_member.is_current:
                await store.drop_standing_helper(series.id, helper_id)
                helper_id = None
        following = await store.copy(request, when, now, series_id=series.id, helper_id=helper_id)
        if helper_id is None:
            await post_card(self.bot, svc, store, following)
        else:
            await self._remind_pair(following)
        posted = await store.get(following.id)
        if posted is not None and posted.is_active:
            await schedule_request(svc, posted)
        return None

    async def _remind_pair(self, request: HelpRequest) -> None:
        svc = self.svc
        assert request.helper_id is not None
        zone = svc.settings.zone
        helper = await first_name(svc, request.helper_id)
        requester = await first_name(svc, request.requester_id)
        r_lang = await user_language(svc, request.requester_id)
        await send_prompt(self.bot, svc, request.requester_id, PROMPT_KIND, t(
            r_lang, "request.series.next_requester", helper=helper,
            kind=Safe(kind_text(r_lang, request.kind)),
            when=Safe(when_text(r_lang, request.when, zone))),
            reply_markup=requester_controls(r_lang, request, helper))
        h_lang = await user_language(svc, request.helper_id)
        await send_prompt(self.bot, svc, request.helper_id, PROMPT_KIND, t(
            h_lang, "request.series.next_helper", requester=requester,
            kind=Safe(kind_text(h_lang, request.kind)),
            when=Safe(when_text(h_lang, request.when, zone))),
            reply_markup=helper_controls(h_lang, request, requester))


# --- what other features read -----------------------------------------------------------------------

class RequestFeed:
    """The digest's lines, the activity probe, personal data, departures and reports."""

    name = "requests"

    def __init__(self, app: Application, svc: Services, store: RequestStore) -> None:  # type: ignore[type-arg]
        self.app, self.svc, self.store = app, svc, store
        self.started = svc.clock.now()

    @property
    def bot(self) -> Bot:
        return self.app.bot  # type: ignore[no-any-return]

    async def digest(self, building_id: int, lang: str, now: datetime) -> list[str]:
        """Open requests (never the name of one who asked as "een buur") and how often
        neighbours helped each other this week: thanks for the building, not per person."""
        lines: list[str] = []
        waiting = [r for r in await self.store.open_in(building_id) if r.when.due_at > now]
        if waiting:
            lines.append(t(lang, "request.digest.header"))
            for request in waiting:
                who = (t(lang, "request.digest.neighbour") if request.anonymous
                       else await first_name(self.svc, request.requester_id))
                lines.append(t(lang, "request.digest.line",
                               kind=Safe(kind_text(lang, request.kind)),
                               when=Safe(when_text(lang, request.when, self.svc.settings.zone)),
                               who=who))
        helped = await self.store.helped_since(building_id, now - HELPED_WINDOW, now)
        if helped:
            key = "request.digest.helped_one" if helped == 1 else "request.digest.helped_many"
            lines.append(t(lang, key, count=helped))
        return lines

    async def last_activity(self, building_id: int) -> datetime | None:
        return await self.store.last_activity(building_id)

    async def export(self, user_id: int) -> dict[str, Any]:
        """Their own requests in full; of requests they helped with, only kind and times
        (the text is the other resident's)."""
        asked, helped = [], []
        for request in await self.store.involving(user_id):
            times = {
                "created_at": request.created_at.isoformat(),
                "due_at": request.when.due_at.isoformat(),
                "claimed_at": _iso(request.claimed_at),
                "done_at": _iso(request.done_at),
                "thanked_at": _iso(request.thanked_at),
            }
            if request.requester_id == user_id:
                asked.append({
                    "kind": request.kind.value, "description": request.description,
                    "when": request.when.kind.value, "status": request.status.value,
                    "shown_as_neighbour": request.anonymous, "on_behalf": request.on_behalf,
                    "weekly": request.repeats, "contact_shared": request.contact,
                    "expired_at": _iso(request.expired_at),
                    "cancelled_at": _iso(request.cancelled_at), **times,
                })
            if request.helper_id == user_id:
                helped.append({"kind": request.kind.value, "status": request.status.value,
                               **times})
        return {
            "requests": asked,
            "helped_with": helped,
            "thanks_received": sum(1 for item in helped if item["thanked_at"]),
            "thanks_given": sum(1 for item in asked if item["thanked_at"]),
        }

    async def forget(self, user_id: int, now: datetime) -> None:
        """Open requests cancelled, claims handed back, texts and contact details erased,
        and their name off every card. Idempotent."""
        for building_id in {r.building_id for r in await self.store.involving(user_id)}:
            await self.departed(building_id, user_id, now)
        # Their cards now say "ingetrokken" or a short closed line: no name is left on any.
        await self.store.erase_requester(user_id, now)

    async def expire(self, before: datetime) -> int:
        return await self.store.erase_closed_before(before)

    async def departed(self, building_id: int, user_id: int, now: datetime) -> None:
        """Someone left the group: what they asked there is withdrawn, what they took reopens."""
        for request in await self.store.active_of_requester_in(user_id, building_id):
            if await self.store.cancel(request.id, now):
                await unschedule_request(self.svc, request)
                await refresh_card(self.bot, self.svc, self.store, request.id)
                if request.helper_id is not None:
                    await _tell_helper_cancelled(self.bot, self.svc, request)
            if request.series_id is not None:
                await self.store.stop_series(request.series_id, now)
                await self.svc.scheduler.cancel("request.next", f"series:{request.series_id}:")
        for request in await self.store.claimed_by(user_id, building_id):
            if await self.store.withdraw(request.id, user_id):
                await reopen(self.bot, self.svc, self.store, request, user_id)

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        request = await self.store.get(item_id)
        if request is None or request.status is RequestStatus.REMOVED:
            return None
        summary = f"{kind_text(lang, request.kind)}: {request.description or ''}".strip()
        return ReportedCard(building_id=request.building_id, chat_id=request.building_id,
                            message_id=request.card_message_id, summary=summary)

    async def hide(self, item_id: int, now: datetime) -> bool:
        """A reported card an admin chose to hide: taken down as with /weghalen."""
        request = await self.store.get(item_id)
        if request is None or not await self.store.remove(item_id, now):
            return False
        await take_down(self.bot, self.svc, self.store, request, refresh=False)
        return True


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    store = RequestStore(svc.db)
    app.bot_data[STORE_KEY] = store
    request_flow.register(app, svc)
    svc.link_routes["req"] = open_request_link
    app.add_handler(CallbackQueryHandler(on_card_button, pattern=r"^req:(c|ca):"))
    app.add_handler(CallbackQueryHandler(on_again, pattern=r"^req:again:"))
    app.add_handler(CallbackQueryHandler(on_control, pattern=r"^req:"))
    app.add_handler(CommandHandler(["weghalen", "remove"], remove_command,
                                   filters=filters.ChatType.GROUPS))
    jobs = RequestJobs(app, svc, store)
    svc.scheduler.register("request.bump", jobs.bump)
    svc.scheduler.register("request.close", jobs.close)
    svc.scheduler.register("request.prompt", jobs.prompt)
    svc.scheduler.register("request.next", jobs.next_week)
    if app.job_queue is not None:
        app.job_queue.run_once(jobs.post_unposted, when=0.1, name="requests:unposted")
    feed = RequestFeed(app, svc, store)
    svc.digest_sources.append(feed.digest)
    svc.activity_probes.append(feed.last_activity)
    svc.personal_data.append(feed)
    svc.departure_hooks.append(feed.departed)
    svc.reportables[REPORT_KIND] = feed
