"""What every Bot API method of the sandbox stands on: the result type, the method table and
the checks of who may write where (the target chat, blocked and unstarted private chats, the
rate limit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.errors import bad_request, forbidden, too_many_requests
from sandbox.limits import RateLimiter
from sandbox.models import SandboxMessage
from sandbox.params import Params
from sandbox.world import ADMIN_STATUSES, MEMBER_STATUSES, World


@dataclass
class Reply:
    """A method's result, plus what the bot-event log should say about it."""

    result: Any
    chat_id: int | None = None
    message: SandboxMessage | None = None
    # What the spec check covers when not the whole result (updates queued raw are exempt).
    checks: list[tuple[tuple[str, ...], Any]] | None = None


Handler = Callable[[Params], Awaitable[Reply]]


@dataclass(frozen=True)
class MethodDef:
    name: str
    params: frozenset[str]
    handler: Handler



class ApiBase:
    """The world the methods act on and the table they are served from."""

    def __init__(self, world: World, limiter: RateLimiter) -> None:
        self.world = world
        self.limiter = limiter
        self.methods: dict[str, MethodDef] = {}

    def find(self, name: str) -> MethodDef | None:
        return self.methods.get(name.lower())

    def _add(self, name: str, params: Sequence[str], handler: Handler) -> None:
        self.methods[name.lower()] = MethodDef(name, frozenset(params), handler)

    def _chat(self, p: Params) -> int:
        """The target chat; the bot must have access to it."""
        raw = p.get_chat_id()
        if isinstance(raw, str):
            raise bad_request("chat not found")  # no public @usernames in the sandbox
        if raw > 0:
            if raw not in self.world.users:
                raise bad_request("chat not found")
            return raw
        state = self.world.group(raw)
        if state is None:
            raise bad_request("chat not found")
        if state.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        status = state.status(self.world.bot_user.id)
        if status not in MEMBER_STATUSES:
            if not state.bot_was_member:
                raise bad_request("chat not found")
            kind = "supergroup" if state.is_supergroup else "group"
            if status == "kicked":
                raise forbidden(f"bot was kicked from the {kind} chat")
            raise forbidden(f"bot is not a member of the {kind} chat")
        return raw

    def _writable_chat(self, p: Params) -> int:
        chat_id = self._chat(p)
        if chat_id > 0:
            state = self.world.private_state(chat_id)
            if state.blocked:
                raise forbidden("bot was blocked by the user")
            if not state.started:
                raise forbidden("bot can't initiate conversation with a user")
        return chat_id

    def _throttle(self, chat_id: int) -> None:
        retry_after = self.limiter.acquire(chat_id, is_group=chat_id < 0)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def _is_admin(self, chat_id: int) -> bool:
        return chat_id > 0 or self.world.bot_status(chat_id) in ADMIN_STATUSES

    def _check_send_options(self, p: Params) -> None:
        """Type-check the options the sandbox stores nowhere, as Telegram would."""
        p.get_int("message_thread_id")
        p.get_bool("disable_notification")
        p.get_bool("allow_paid_broadcast")
        p.get_str("message_effect_id")

    def _bot_message(self, chat_id: int, **fields: Any) -> SandboxMessage:
        return self.world.put(self.world.new_message(chat_id, self.world.bot_user, **fields))
