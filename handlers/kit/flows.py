"""Private flows: a resident answers the bot's questions by typing, one flow at a time.

Each feature with typed answers registers a `PrivateFlow`. Starting one ends every other flow of
that resident (`Flows.begin`), and one text handler hands a typed answer (or /stop) to the one
flow that is waiting for it, so an answer never feeds two flows.
"""

from __future__ import annotations

from typing import Protocol

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

Context = ContextTypes.DEFAULT_TYPE

FLOW_TEXT = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND


class PrivateFlow(Protocol):
    name: str

    async def waiting(self, user_id: int) -> bool:
        """Is this flow waiting for this resident to type something?"""
        ...

    async def on_text(self, update: Update, context: Context) -> None:
        """The resident typed an answer (only called while `waiting`)."""
        ...

    async def on_stop(self, update: Update, context: Context) -> None:
        """The resident typed /stop (only called while `waiting`): end and say so."""
        ...

    async def end(self, user_id: int) -> None:
        """Drop this resident's draft quietly (another flow starts)."""
        ...


class Flows:
    def __init__(self) -> None:
        self._flows: dict[str, PrivateFlow] = {}

    def register(self, flow: PrivateFlow) -> None:
        if flow.name in self._flows:
            raise ValueError(f"a flow named {flow.name!r} is already registered")
        self._flows[flow.name] = flow

    async def begin(self, user_id: int, name: str) -> None:
        """`name` starts for this resident: every other flow of theirs ends."""
        for other, flow in self._flows.items():
            if other != name:
                await flow.end(user_id)

    async def end_all(self, user_id: int) -> None:
        for flow in self._flows.values():
            await flow.end(user_id)

    async def waiting_flow(self, user_id: int) -> PrivateFlow | None:
        for flow in self._flows.values():
            if await flow.waiting(user_id):
                return flow
        return None

    async def _on_text(self, update: Update, context: Context) -> None:
        user = update.effective_user
        flow = await self.waiting_flow(user.id) if user is not None else None
        if flow is None:
            return
        await flow.on_text(update, context)
        raise ApplicationHandlerStop

    async def _on_stop(self, update: Update, context: Context) -> None:
        user = update.effective_user
        flow = await self.waiting_flow(user.id) if user is not None else None
        if flow is None:
            return
        await flow.on_stop(update, context)
        raise ApplicationHandlerStop

    def install(self, app: Application, group: int) -> None:  # type: ignore[type-arg]
        """One handler for every flow's typed answers and /stop, in handler group `group`."""
        app.add_handler(MessageHandler(FLOW_TEXT, self._on_text), group=group)
        app.add_handler(CommandHandler("stop", self._on_stop,
                                       filters=filters.ChatType.PRIVATE), group=group)
