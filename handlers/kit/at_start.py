"""Work a feature does once the bot runs: recover what a stop left half-done, plan the clean-up."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import Application, ContextTypes

HOWEVER_LATE: dict[str, Any] = {"misfire_grace_time": None}
"""APScheduler drops a run that starts more than a second late; a busy start (a loaded machine,
a long replay of stored updates) must not drop these."""


def run_at_start(app: Application,  # type: ignore[type-arg]
                 callback: Callable[[ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]], *,
                 after: float, name: str) -> None:
    """`callback` once, `after` seconds from the start, however late a busy start makes it."""
    if app.job_queue is not None:
        app.job_queue.run_once(callback, when=after, name=name, job_kwargs=HOWEVER_LATE)
