"""Scheduled prompts and settings: the weekly digest and gentle nudges in each group, the
group's settings chosen by its admins (/instellingen), and each resident's own choice of private
prompts (/meldingen)."""

from __future__ import annotations

from telegram.ext import Application

from bot.services import Services
from handlers.prompts import notifications, settings
from handlers.prompts.contact_flow import ContactFlow
from handlers.prompts.digest import WeeklyDigest
from handlers.prompts.jobs import schedule_group_post
from handlers.prompts.nudges import GentleNudge

COMMANDS = [*settings.COMMANDS, *notifications.COMMANDS]


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    schedule_group_post(svc, WeeklyDigest(svc))
    schedule_group_post(svc, GentleNudge(svc))
    ContactFlow(svc).register(app)
    settings.register(app, svc)
    notifications.register(app, svc)
