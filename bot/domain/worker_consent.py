"""The group's consent to a community worker seeing its figures.

An admin proposes a worker; the group sees who, from which organisation and exactly what they
would see; access starts after `OBJECTION_DAYS` unless enough residents object (a number the
admins may set; by default 3, or a quarter of the active residents when that is fewer). Any
resident can object later too: that pauses access at once and asks the admins, who resume or
stop it. Plain rules with the clock passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from math import ceil

OBJECTION_DAYS = 7
DEFAULT_MOST = 3
"""By default this many objections stop a proposal, or a quarter of the residents if fewer."""
THRESHOLD_CHOICES = (1, 2, 3, 4, 5)
"""What the admins can choose from; `None` stands for the default rule."""


class ConsentStatus(StrEnum):
    PROPOSED = "proposed"
    """The group was asked; no figures yet."""
    ACTIVE = "active"
    """The worker gets the figures."""
    PAUSED = "paused"
    """A resident objected after access began; the admins decide. No figures meanwhile."""
    DECLINED = "declined"
    """Enough residents objected to the proposal, or the group never saw it."""
    STOPPED = "stopped"
    """An admin stopped it, or the worker asked to be forgotten."""


LIVE = (ConsentStatus.PROPOSED, ConsentStatus.ACTIVE, ConsentStatus.PAUSED)


def default_threshold(active_residents: int) -> int:
    """3 objections, or a quarter of the active residents when that is fewer (at least 1)."""
    return max(1, min(DEFAULT_MOST, ceil(active_residents / 4)))


def objection_threshold(chosen: int | None, active_residents: int) -> int:
    """The number of objections that stops a proposal: the admins' choice, else the default."""
    return chosen if chosen is not None else default_threshold(active_residents)


def access_from(proposed_at: datetime) -> datetime:
    return proposed_at + timedelta(days=OBJECTION_DAYS)


def outcome(objections: int, threshold: int, seen_by_group: bool) -> ConsentStatus:
    """What a proposal becomes when its days are over: the group must have seen it, and fewer
    residents than the threshold objected."""
    if not seen_by_group or objections >= threshold:
        return ConsentStatus.DECLINED
    return ConsentStatus.ACTIVE


def after_objection(status: ConsentStatus, objections: int, threshold: int) -> ConsentStatus:
    """A resident objected: a proposal stops once enough did; access pauses at the first."""
    if status is ConsentStatus.PROPOSED:
        return ConsentStatus.DECLINED if objections >= threshold else ConsentStatus.PROPOSED
    if status is ConsentStatus.ACTIVE:
        return ConsentStatus.PAUSED
    return status
