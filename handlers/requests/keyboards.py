"""The private buttons of the two people involved in a request. Every button carries only the
request's id; the press is checked again when it arrives (see `controls`)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.requests import HelpRequest, RequestStatus, WhenChoice
from bot.i18n import plain
from handlers.kit.buttons import button, keyboard
from handlers.kit.reach import Contact, contact_button

RELAY_ROUTE = "req"
"""Relay route of a claimed request: its requester and helper may write through the bot."""


def _control(lang: str, key: str, what: str, request_id: int) -> InlineKeyboardButton:
    return button(plain(lang, key), "req", what, request_id)


def requester_controls(
    lang: str, request: HelpRequest, helper: Contact | None = None
) -> InlineKeyboardMarkup | None:
    """What the requester can do privately: depends on whether someone helps yet."""
    rid = request.id
    rows: list[list[InlineKeyboardButton]] = []
    if request.status is RequestStatus.CLAIMED and request.helper_id is not None:
        if helper is not None:
            rows.append([contact_button(lang, helper, RELAY_ROUTE, rid)])
        rows.append([_control(lang, "request.button.contact", "ct", rid)])
        rows.append([_control(lang, "request.button.done", "done", rid)])
    if request.is_active:
        rows.append([_control(lang, "request.button.edit_text", "et", rid),
                     _control(lang, "request.button.edit_when", "ew", rid)])
        rows.append([_control(lang, "request.button.cancel", "cx", rid)])
    if request.repeats:
        rows.append([_control(lang, "request.button.stop_series", "ss", rid)])
    return keyboard(*rows) if rows else None


def helper_controls(lang: str, request: HelpRequest, requester: Contact) -> InlineKeyboardMarkup:
    rid = request.id
    return keyboard(
        [contact_button(lang, requester, RELAY_ROUTE, rid)],
        [_control(lang, "request.button.done", "done", rid)],
        [_control(lang, "request.button.withdraw", "wd", rid)],
    )


def more_often_row(lang: str, request: HelpRequest) -> list[InlineKeyboardButton]:
    """After a request is done: ask this helper to become a regular neighbour (double opt-in)."""
    return [button(plain(lang, "pairing.button.more_often"), "pair", "req", request.id)]


def more_often_keyboard(lang: str, request: HelpRequest) -> InlineKeyboardMarkup:
    return keyboard(more_often_row(lang, request))


def thank_keyboard(lang: str, request: HelpRequest, helper: str) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "request.button.thank", name=helper),
                            "req", "thx", request.id)],
                    more_often_row(lang, request))


def done_keyboard(lang: str, request: HelpRequest, *, weekly: bool = False) -> InlineKeyboardMarkup:
    """The follow-up after a claimed request's time: one tap to say it worked out (and, for a
    weekly need still running, the way to stop it, since this message now has the buttons)."""
    rows = [[_control(lang, "request.button.done", "done", request.id)]]
    if weekly:
        rows.append([_control(lang, "request.button.stop_series", "ss", request.id)])
    return keyboard(*rows)


def stop_series_keyboard(lang: str, request: HelpRequest) -> InlineKeyboardMarkup | None:
    """After one week's request is cancelled, the weekly need itself can stop too."""
    if request.series_id is None:
        return None
    return keyboard([_control(lang, "request.button.stop_series", "ss", request.id)])


def again_keyboard(lang: str, request: HelpRequest) -> InlineKeyboardMarkup:
    """After an unclaimed request closed: the same request again, for a new day, in one tap."""
    return keyboard([button(plain(lang, f"request.button.{choice.value}"),
                            "req", "again", request.id, choice.value) for choice in WhenChoice])
