"""Outgoing calls keep to Telegram's limits and wait out a 429 instead of losing the message.

PTB's AIORateLimiter does the group (20 a minute) and overall (30 a second) limits but retries
nothing by default and knows no per-private-chat limit. This adds: retries on 429, about one
message a second into each private chat (a short burst allowed), and read-only calls that do not
spend a group's message budget.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]

READ_ONLY_METHODS = frozenset(
    {
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "getChatMemberCount",
        "answerCallbackQuery",
        "sendChatAction",
        "getFile",
        "getMe",
    }
)
PRIVATE_BURST = 3
MAX_PRIVATE_LIMITERS = 2048


class OmzienRateLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        overall_max_rate: float = 30,
        group_max_rate: float = 20,
        private_max_rate: float = 1,
        max_retries: int = 5,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate,
            overall_time_period=1,
            group_max_rate=group_max_rate,
            group_time_period=60,
            max_retries=max_retries,
        )
        self._private_rate = private_max_rate
        self._private: dict[int, AsyncLimiter] = {}

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._private) > MAX_PRIVATE_LIMITERS:
            for key, idle in list(self._private.items()):
                if idle.has_capacity(PRIVATE_BURST):
                    del self._private[key]
        limiter = self._private.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(PRIVATE_BURST, PRIVATE_BURST / self._private_rate)
            self._private[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        if endpoint in READ_ONLY_METHODS:
            data = {key: value for key, value in data.items() if key != "chat_id"}
        else:
            chat_id = _as_int(data.get("chat_id"))
            if chat_id is not None and chat_id > 0 and self._private_rate:
                async with self._private_limiter(chat_id):
                    return await super().process_request(
                        callback, args, kwargs, endpoint, data, rate_limit_args
                    )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def _as_int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None
