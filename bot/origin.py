"""Where the work that is sending comes from: one update, or one schedule row.

Everything a handler or a job leaves in the outbox gets a key derived from its origin
(`u<update id>:<n>`, `s<schedule row id>:<n>`), so work that is run again after a crash, in a
unit of work that may already have committed part of it, cannot say anything twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class _Origin:
    prefix: str
    count: int = 0


_ORIGIN: ContextVar[_Origin | None] = ContextVar("origin", default=None)


@contextmanager
def origin(prefix: str) -> Iterator[None]:
    """Messages sent inside the block are numbered under `prefix`, in the order they are sent."""
    token = _ORIGIN.set(_Origin(prefix))
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def update_origin(update_id: int) -> str:
    return f"u{update_id}"


def schedule_origin(row_id: int) -> str:
    return f"s{row_id}"


def next_key() -> str | None:
    """The next default key of the current origin; None outside one."""
    current = _ORIGIN.get()
    if current is None:
        return None
    key = f"{current.prefix}:{current.count}"
    current.count += 1
    return key
