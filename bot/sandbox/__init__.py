"""A local Telegram Bot API for end-to-end tests and the demo; the product never imports it."""

from bot.sandbox.driver import CallbackResult, Sandbox
from bot.sandbox.models import (
    BotEvent,
    CallbackAnswer,
    SandboxChat,
    SandboxMessage,
    SandboxUser,
)

__all__ = [
    "BotEvent",
    "CallbackAnswer",
    "CallbackResult",
    "Sandbox",
    "SandboxChat",
    "SandboxMessage",
    "SandboxUser",
]
