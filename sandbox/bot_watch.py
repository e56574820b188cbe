"""Knowing when a bot running in this process has finished with what it was given, so a
test or the demo waits for that and never for a stretch of silence."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.triggers.date import DateTrigger

from bot.app import App, running
from bot.durable import OmzienApplication
from bot.services import Services
from sandbox.driver import Sandbox

JOB_EVENTS = EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED


class BotWatch:
    """Tells `Sandbox.settle` when the bot running in this process has finished: every update
    the sandbox delivered since the bot started is marked handled in its inbox, its messenger
    has nothing waiting to be sent, no job of its job queue is due at once or running, and
    each enabled repeating job (the schedule's poll) has run once: starting includes the first poll."""

    def __init__(self, sb: Sandbox, app: App) -> None:
        self.app = app
        self.first = len(sb.delivered_updates)
        self.handled: set[int] = set()
        self.running: dict[str, int] = {}
        self.ran: set[str] = set()

    async def finished(self, delivered: Sequence[int]) -> bool:
        inbox = self.services.inbox
        for update_id in delivered[self.first :]:
            if update_id not in self.handled:
                if not await inbox.is_handled(update_id):
                    return False
                self.handled.add(update_id)
        return True

    def busy(self) -> bool:
        answering = isinstance(self.app, OmzienApplication) and self.app.press_answers.waiting
        if self.services.out.busy() or answering or any(self.running.values()):
            return True
        assert self.app.job_queue is not None
        return any(isinstance(job.job.trigger, DateTrigger)
                   or (job.enabled and job.job.id not in self.ran)
                   for job in self.app.job_queue.jobs())

    def on_job_event(self, event: JobEvent) -> None:
        if isinstance(event, JobSubmissionEvent):
            self.running[event.job_id] = self.running.get(event.job_id, 0) + len(
                event.scheduled_run_times)
        else:
            self.running[event.job_id] = self.running.get(event.job_id, 0) - 1
            self.ran.add(event.job_id)

    @property
    def services(self) -> Services:
        services = self.app.bot_data["services"]
        assert isinstance(services, Services)
        return services


@asynccontextmanager
async def running_watched(sb: Sandbox, app: App,
                          poll_timeout: int = 1) -> AsyncIterator[App]:
    """`running(app)`, with the sandbox's `settle` waiting until this bot has finished."""
    watch = BotWatch(sb, app)
    assert app.job_queue is not None
    scheduler = app.job_queue.scheduler
    scheduler.add_listener(watch.on_job_event, JOB_EVENTS)
    async with running(app, poll_timeout=poll_timeout):
        sb.handled_checks.append(watch.finished)
        sb.busy_checks.append(watch.busy)
        try:
            yield app
        finally:
            sb.handled_checks.remove(watch.finished)
            sb.busy_checks.remove(watch.busy)
            scheduler.remove_listener(watch.on_job_event)
