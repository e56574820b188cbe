"""The private buttons of requester and helper: done, thanks, stepping back, cancelling,
changing the text, time or contact, stopping a weekly need, and asking again after a close.

Every press is checked again against the stored request and the presser (`refusal`), so a
stale or forwarded button changes nothing and gets a short answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Update

from bot.domain.requests import (
    Action,
    DraftStep,
    HelpRequest,
    Refusal,
    WhenChoice,
    WhenError,
    refusal,
    when_from_choice,
)
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import parse_id
from handlers.kit.context import (
    Context,
    remember,
    user_language,
)
from handlers.kit.guards import answer, is_member
from handlers.kit.press import Press
from handlers.requests.card import card_ref
from handlers.requests.flow import limit_text, start_edit
from handlers.requests.keyboards import (
    more_often_keyboard,
    stop_series_keyboard,
    thank_keyboard,
)
from handlers.requests.notices import refresh_series, reopen, tell_helper_cancelled
from handlers.requests.posting import publish
from handlers.requests.private_buttons import known_request, replace_pressed, send
from handlers.requests.schedule import stop_series, unschedule_request
from handlers.requests.texts import first_name, refusal_answer
from storage.request_controls import Role

CONTROL_DATA = re.compile(r"^req:(done|thx|wd|cx|et|ew|ct|ss):(\d+)$")
AGAIN_DATA = re.compile(r"^req:again:(\d+):([a-z]{1,10})$")
ACTIONS = {
    "done": Action.DONE, "thx": Action.THANK, "wd": Action.WITHDRAW, "cx": Action.CANCEL,
    "et": Action.EDIT, "ew": Action.EDIT, "ct": Action.CONTACT, "ss": Action.STOP_SERIES,
}
EDIT_STEPS = {"et": DraftStep.EDIT_TEXT, "ew": DraftStep.EDIT_WHEN, "ct": DraftStep.CONTACT}

Control = Callable[[Update, Services, HelpRequest, str], Awaitable[None]]


async def on_control(update: Update, context: Context) -> None:
    press = await Press.open(update, context)
    if press is None:
        return
    svc, lang = press.svc, press.lang
    match = CONTROL_DATA.match(press.data)
    request_id = parse_id(match.group(2)) if match else None
    if match is None or request_id is None or not press.in_own_chat:
        await press.answer(refusal_answer(lang, Refusal.GONE))
        return
    await remember(update, context)
    what = match.group(1)
    request = await known_request(context, await svc.stores.requests.get(request_id),
                                  press.user.id)
    refused = refusal(ACTIONS[what], request, press.user.id, svc.clock.now())
    if refused is not None or request is None:
        await press.answer(refusal_answer(lang, refused or Refusal.GONE, request))
        return
    if what in EDIT_STEPS:
        await press.answer()
        await start_edit(update, svc, request, EDIT_STEPS[what], lang)
        return
    handlers: dict[str, Control] = {"done": _done, "thx": _thank, "wd": _withdraw,
                                    "cx": _cancel, "ss": _stop_series}
    await handlers[what](update, svc, request, lang)


async def _close(update: Update, svc: Services, request: HelpRequest, lang: str,
                 change: Callable[[int, datetime], Awaitable[bool]]) -> bool:
    """End a request from a button: `change` moves it on once (False when someone was first);
    then its schedule goes and its card follows."""
    if not await change(request.id, svc.clock.now()):
        await answer(update, await _now_true(svc, lang, request))
        return False
    await answer(update)
    await unschedule_request(svc, request)
    await svc.cards.refresh(card_ref(request.id))
    return True


async def _now_true(svc: Services, lang: str, request: HelpRequest) -> str:
    """What a press that came too late is told: the request as it is now."""
    current = await svc.stores.requests.get(request.id)
    return refusal_answer(lang, Refusal.CLOSED, current) if current else plain(
        lang, "error.stale_button")


async def _done(update: Update, svc: Services, request: HelpRequest, lang: str) -> None:
    if not await _close(update, svc, request, lang, svc.stores.requests.mark_done):
        return
    assert request.helper_id is not None
    helper = await first_name(svc, request.helper_id)
    requester = await first_name(svc, request.requester_id)
    if update.effective_user is not None and update.effective_user.id == request.helper_id:
        await replace_pressed(update, svc, request.id, Role.HELPER,
                              t(lang, "request.done.by_helper_self", requester=requester))
        r_lang = await user_language(svc, request.requester_id)
        await send(svc, request.id, Role.ASKER, request.requester_id,
                   t(r_lang, "request.done.by_helper", helper=helper),
                   thank_keyboard(r_lang, request, helper))
        return
    await replace_pressed(update, svc, request.id, Role.ASKER,
                          t(lang, "request.done.requester", helper=helper),
                          thank_keyboard(lang, request, helper))
    h_lang = await user_language(svc, request.helper_id)
    await send(svc, request.id, Role.HELPER, request.helper_id,
               t(h_lang, "request.done.to_helper", requester=requester), None)


async def _thank(update: Update, svc: Services, request: HelpRequest, lang: str) -> None:
    if not await svc.stores.requests.thank(request.id, svc.clock.now()):
        await answer(update, plain(lang, "request.answer.already"))
        return
    await answer(update)
    assert request.helper_id is not None
    h_lang = await user_language(svc, request.helper_id)
    requester = await first_name(svc, request.requester_id)
    await svc.out.private(request.helper_id,
                          t(h_lang, "request.thanks.to_helper", requester=requester))
    await replace_pressed(update, svc, request.id, Role.ASKER, t(lang, "request.thanks.sent"),
                          more_often_keyboard(lang, request))


async def _withdraw(update: Update, svc: Services, request: HelpRequest, lang: str) -> None:
    assert request.helper_id is not None
    if not await svc.stores.requests.withdraw(request.id, request.helper_id):
        await answer(update, await _now_true(svc, lang, request))
        return
    await answer(update)
    await replace_pressed(update, svc, request.id, Role.HELPER, t(lang, "request.withdraw.helper"))
    await reopen(svc, request, request.helper_id)


async def _cancel(update: Update, svc: Services, request: HelpRequest, lang: str) -> None:
    if not await _close(update, svc, request, lang, svc.stores.requests.cancel):
        return
    series = await svc.stores.requests.series(request.series_id) if request.series_id else None
    await replace_pressed(update, svc, request.id, Role.ASKER, t(lang, "request.cancel.done"),
                          stop_series_keyboard(lang, request) if series and series.running
                          else None)
    if request.helper_id is not None:
        await tell_helper_cancelled(svc, request)


async def _stop_series(update: Update, svc: Services, request: HelpRequest, lang: str) -> None:
    assert request.series_id is not None
    if not await stop_series(svc, request.series_id):
        await answer(update, plain(lang, "request.answer.already"))
        return
    await answer(update, plain(lang, "request.series.stopped"), show_alert=True)
    await refresh_series(svc, request)


async def on_again(update: Update, context: Context) -> None:
    """One tap after an unclaimed request closed: the same request again, for a new day."""
    press = await Press.open(update, context)
    if press is None:
        return
    svc, user_id, lang = press.svc, press.user.id, press.lang
    store, now = svc.stores.requests, svc.clock.now()
    match = AGAIN_DATA.match(press.data)
    request_id = parse_id(match.group(1)) if match else None
    request = await store.get(request_id) if request_id is not None else None
    choice = match.group(2) if match else ""
    if match is None or choice not in WhenChoice.__members__.values() or not press.in_own_chat:
        request = None
    request = await known_request(context, request, user_id)
    refused = refusal(Action.REPOST, request, user_id, now)
    if refused is not None or request is None:
        await press.answer(refusal_answer(lang, refused or Refusal.GONE, request))
        return
    building = await svc.buildings.get(request.building_id)
    if building is None or not await is_member(context, request.building_id, user_id):
        await press.tell("request.flow.not_member", alert=True)
        return
    if request.description is None:
        await press.tell("request.answer.closed")
        return
    when = when_from_choice(WhenChoice(choice), now, svc.settings.zone,
                            building.settings.quiet_hours)
    if isinstance(when, WhenError):
        await press.tell(f"request.when_error.{when.value}", alert=True)
        return
    limited = await limit_text(svc, lang, user_id, request.building_id)
    if limited is not None:
        await press.answer(limited, alert=True)
        return
    copy = await store.copy(request, when, now, series_id=None)
    await press.answer()
    await publish(update, svc, copy, lang)
