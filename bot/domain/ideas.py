"""Ideas: a resident proposes something to do together; neighbours join; at five it can become
an activity. Who joined stays private until the proposer turns the idea into an activity."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.domain.activity_drafts import TITLE_MAX, InvalidInput, Problem
from bot.domain.text import one_line

IDEA_MAX = 300
JOINS_NEEDED = 5
"""Neighbours (besides the proposer) who join before the proposer is invited to organise it."""


class IdeaStatus(StrEnum):
    OPEN = "open"
    CONVERTED = "converted"


class JoinOutcome(StrEnum):
    JOINED = "joined"
    ALREADY = "already"
    LEFT = "left"
    NOT_JOINED = "not_joined"
    OWN_IDEA = "own_idea"
    CLOSED = "closed"


class Idea(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    building_id: int
    proposer_id: int | None
    proposer_name: str
    text: str
    message_id: int | None
    status: IdeaStatus
    joined: int
    activity_id: int | None
    card_version: int
    card_shown: int
    created_at: datetime
    ready_at: datetime | None
    converted_at: datetime | None
    removed_at: datetime | None = None
    """Set when a group admin hid the reported card: nobody can join or build on it after."""

    @property
    def is_open(self) -> bool:
        return self.status is IdeaStatus.OPEN and self.removed_at is None

    @property
    def missing(self) -> int:
        return max(0, JOINS_NEEDED - self.joined)


def clean_idea(text: str) -> str:
    cleaned = one_line(text)
    if not cleaned:
        raise InvalidInput(Problem.EMPTY)
    if len(cleaned) > IDEA_MAX:
        raise InvalidInput(Problem.DESCRIPTION_TOO_LONG)
    return cleaned


def decide_join(idea: Idea, user_id: int, already: bool, joining: bool) -> JoinOutcome:
    """Joining and leaving are absolute, so repeated presses leave one consistent answer."""
    if not idea.is_open:
        return JoinOutcome.CLOSED
    if idea.proposer_id == user_id:
        return JoinOutcome.OWN_IDEA
    if joining:
        return JoinOutcome.ALREADY if already else JoinOutcome.JOINED
    return JoinOutcome.LEFT if already else JoinOutcome.NOT_JOINED


def reached(joined: int) -> bool:
    return joined >= JOINS_NEEDED


def draft_title(text: str) -> str:
    """A first title from the idea; the proposer can change it before posting."""
    if len(text) <= TITLE_MAX:
        return text
    cut = text[: TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,.;:")
    return (cut or text[: TITLE_MAX - 1]) + "…"
