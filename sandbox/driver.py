"""`Sandbox`: a local Telegram for end-to-end tests and the demo.

Start it, point the unmodified bot at `f"{sandbox.url}/bot"`, act as people (send, press, join)
and wait for what the bot does (`next_message`, `wait_for`, `settle`).
"""

from __future__ import annotations

from sandbox.acting import Acting, CallbackResult
from sandbox.core import ChatLike, HandledCheck
from sandbox.watching import Watching

__all__ = ["CallbackResult", "ChatLike", "HandledCheck", "Sandbox"]


class Sandbox(Acting, Watching):
    """A Telegram Bot API server on loopback, with people to act and a log of the bot's calls."""
