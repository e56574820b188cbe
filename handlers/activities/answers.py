"""A resident's own answer to an activity, as they see it privately: a short line saying where
they stand, with the buttons that change it right there (can't come after all, I'm coming after
all, my place on the waiting list), in their own language.

Reminders, notices of a change, a freed place and the waiting list all carry these buttons, so
nobody has to find the card in the group to answer.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.activities import Activity, RsvpStatus
from bot.i18n import plain, t
from bot.services import Services
from handlers.activities.card import card_link_keyboard, when_text
from handlers.kit.buttons import button, keyboard

PRIVATE_ANSWER = "actp"
"""Callback prefix of the private answer buttons: `actp:<go|no|pos>:<activity id>`."""
STATUS_KEYS = {
    RsvpStatus.GOING: "activity.mine.going",
    RsvpStatus.MAYBE: "activity.mine.maybe",
    RsvpStatus.WAITING: "activity.mine.waiting",
    RsvpStatus.NOT_GOING: "activity.mine.no",
}


def answer_buttons(lang: str, activity: Activity,
                   status: RsvpStatus | None) -> list[list[InlineKeyboardButton]]:
    """The buttons that fit where the resident stands now."""
    def choice(key: str, action: str) -> InlineKeyboardButton:
        return button(plain(lang, f"activity.private.{key}"), PRIVATE_ANSWER, action, activity.id)

    if status is RsvpStatus.GOING:
        return [[choice("cannot", "no")]]
    if status is RsvpStatus.WAITING:
        return [[choice("position", "pos")], [choice("leave_list", "no")]]
    if status is RsvpStatus.MAYBE:
        return [[choice("come", "go"), choice("not", "no")]]
    return [[choice("come_after_all", "go")]]


def answer_keyboard(lang: str, activity: Activity,
                    status: RsvpStatus | None) -> InlineKeyboardMarkup | None:
    """The answer buttons, and a link to the card where Telegram can link to it."""
    rows = answer_buttons(lang, activity, status) if activity.is_open else []
    link = card_link_keyboard(lang, activity)
    if link is not None:
        rows += [list(row) for row in link.inline_keyboard]
    return keyboard(*rows) if rows else None


def status_text(lang: str, svc: Services, activity: Activity, status: RsvpStatus,
                position: int | None = None) -> str:
    """Where the resident stands, in one or two short lines."""
    return t(lang, STATUS_KEYS[status], title=activity.title,
             when=when_text(lang, svc, activity), place=activity.place or "…",
             position=position or 1)
