"""What a group's admins may choose in /instellingen, and checking what they typed.

The menu offers a few presets per setting, so a press can only carry a known value; anything
else (a forged or outdated button, a too long text) is refused and changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from enum import StrEnum

from bot.domain.community import BuildingSettings
from bot.domain.quiet_hours import QuietHours
from bot.domain.text import typed_text

DIGEST_HOURS: tuple[int, ...] = (9, 10, 12, 14, 17, 18, 19, 20)
NUDGE_DAYS: tuple[int, ...] = (7, 10, 14, 21)
BUMP_HOURS: tuple[int, ...] = (1, 2, 3, 6, 12, 24)
MAX_OPEN: tuple[int, ...] = (1, 2, 3, 5, 10)
QUIET_PRESETS: tuple[QuietHours, ...] = (
    QuietHours(start=time(21, 30), end=time(8, 30)),
    QuietHours(start=time(22, 0), end=time(8, 0)),
    QuietHours(start=time(21, 0), end=time(9, 0)),
    QuietHours(start=time(20, 0), end=time(9, 0)),
    QuietHours(start=time(23, 0), end=time(7, 30)),
)

CONTACT_MAX = 500
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class Field(StrEnum):
    """The settings a menu button can change (its value follows in the button's data)."""

    DIGEST_DAY = "dday"
    DIGEST_HOUR = "dhour"
    DIGEST_OFF = "doff"
    NUDGES = "nudge"
    QUIET = "quiet"
    BUMP = "bump"
    MAX_OPEN = "max"
    CONTACT_CLEAR = "cclear"


class InvalidChoice(ValueError):
    """A value no menu offers: a forged or outdated button."""


class ContactProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


class InvalidContact(ValueError):
    def __init__(self, problem: ContactProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _number(value: str, allowed: tuple[int, ...]) -> int:
    if not value.isdigit() or int(value) not in allowed:
        raise InvalidChoice(value)
    return int(value)


def apply_choice(settings: BuildingSettings, field: str, value: str) -> BuildingSettings:
    """The settings after one menu press; InvalidChoice for anything the menu does not offer."""
    try:
        chosen = Field(field)
    except ValueError:
        raise InvalidChoice(field) from None
    changes: dict[str, object]
    match chosen:
        case Field.DIGEST_DAY:
            changes = {"digest_enabled": True, "digest_weekday": _number(value, tuple(range(7)))}
        case Field.DIGEST_HOUR:
            changes = {"digest_enabled": True, "digest_hour": _number(value, DIGEST_HOURS)}
        case Field.DIGEST_OFF:
            changes = {"digest_enabled": False}
        case Field.NUDGES:
            days = _number(value, (0, *NUDGE_DAYS))
            changes = {"nudges_enabled": False} if days == 0 else {
                "nudges_enabled": True, "nudge_after_days": days}
        case Field.QUIET:
            changes = {"quiet_hours": QUIET_PRESETS[_number(value, tuple(range(len(QUIET_PRESETS))))]}
        case Field.BUMP:
            changes = {"bump_hours_before": _number(value, BUMP_HOURS)}
        case Field.MAX_OPEN:
            changes = {"max_open_requests": _number(value, MAX_OPEN)}
        case Field.CONTACT_CLEAR:
            changes = {"care_contact": ""}
    return BuildingSettings.model_validate({**settings.model_dump(), **changes})


def quiet_preset_index(quiet: QuietHours) -> int | None:
    return next((i for i, preset in enumerate(QUIET_PRESETS) if preset == quiet), None)


def clean_contact(text: str) -> str:
    """The care contact as the admin typed it: trimmed, without control characters."""
    cleaned = typed_text(_CONTROL.sub(" ", text))
    if not cleaned:
        raise InvalidContact(ContactProblem.EMPTY)
    if len(cleaned) > CONTACT_MAX:
        raise InvalidContact(ContactProblem.TOO_LONG)
    return cleaned


def digest_changed(before: BuildingSettings, after: BuildingSettings) -> bool:
    """Whether the pending digest must be planned again."""
    fields = ("digest_enabled", "digest_weekday", "digest_hour", "quiet_hours")
    return any(getattr(before, name) != getattr(after, name) for name in fields)


def nudges_changed(before: BuildingSettings, after: BuildingSettings) -> bool:
    fields = ("nudges_enabled", "nudge_after_days", "quiet_hours")
    return any(getattr(before, name) != getattr(after, name) for name in fields)


# Residents' own settings (/meldingen): which kinds of private prompt they want.

PROMPT_KINDS: tuple[str, ...] = ("request", "activity", "pairing")
"""Private prompts a resident can mute: request follow-ups, activity reminders, regular-neighbour
follow-ups."""
ABSENCE = timedelta(days=60)
"""After this long without using the bot, prompts stop until the resident comes back."""


def is_mutable(kind: str) -> bool:
    return kind in PROMPT_KINDS


def wants_prompt(kind: str, muted: set[str]) -> bool:
    return kind not in muted


def still_around(last_seen_at: datetime | None, now: datetime) -> bool:
    """Someone who has not used the bot for two months gets no prompts until they return."""
    return last_seen_at is None or now - last_seen_at < ABSENCE


class QuietAnswer(StrEnum):
    """What happens to a private prompt for a resident, given how quiet they have been."""

    SEND = "send"
    ASK_AND_SEND = "ask_and_send"
    """They went quiet: this prompt still comes, with one question whether to keep them."""
    HOLD = "hold"
    """They were asked this quiet spell and did not say yes: nothing until they come back."""


def quiet_answer(last_seen_at: datetime | None, asked_at: datetime | None, kept: bool,
                 now: datetime) -> QuietAnswer:
    """Quiet residents are not dropped silently: before prompts stop after a long quiet spell,
    they are asked once; a yes keeps them coming for good, coming back starts a new spell."""
    if kept or still_around(last_seen_at, now):
        return QuietAnswer.SEND
    if asked_at is not None and last_seen_at is not None and asked_at >= last_seen_at:
        return QuietAnswer.HOLD
    return QuietAnswer.ASK_AND_SEND
