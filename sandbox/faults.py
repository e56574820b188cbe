"""Injected failures and delays: Telegram's bad days, on demand."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from sandbox.errors import ApiError, too_many_requests

POLLING_METHOD = "getUpdates"


@dataclass
class _Fault:
    remaining: int
    method: str | None
    error: ApiError | None = None
    seconds: float = 0.0
    chat_id: int | None = None

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.chat_id is not None and chat_id != self.chat_id:
            return False
        if self.method is None:
            return method != POLLING_METHOD
        return self.method.lower() == method.lower()


def _error_for(status: int, retry_after: int, description: str | None) -> ApiError:
    if status == 429:
        error = too_many_requests(retry_after)
        if description:
            error.description = description
        return error
    if description is None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        description = f"{phrase}: injected failure" if status < 500 else phrase
    return ApiError(status, description)


class Faults:
    """Failures (`fail`) and delays (`delay`) for the next calls.

    Without `method` a fault applies to any call except getUpdates, so that the bot's long
    poll does not swallow a fault meant for its replies; name getUpdates to fault polling.
    With `chat_id` it applies only to calls into that chat.
    """

    def __init__(self) -> None:
        self._failures: list[_Fault] = []
        self._delays: list[_Fault] = []

    def fail(
        self,
        count: int,
        *,
        status: int = 429,
        retry_after: int = 1,
        method: str | None = None,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The next `count` matching calls fail with `status` (429 carries retry_after)."""
        if count > 0:
            error = _error_for(status, retry_after, description)
            self._failures.append(_Fault(count, method, error=error, chat_id=chat_id))

    def delay(
        self, seconds: float, count: int = 1, *, method: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The next `count` matching calls are answered `seconds` late."""
        if count > 0 and seconds > 0:
            self._delays.append(_Fault(count, method, seconds=seconds, chat_id=chat_id))

    def clear(self) -> None:
        self._failures.clear()
        self._delays.clear()

    @property
    def pending(self) -> int:
        return sum(f.remaining for f in self._failures + self._delays)

    def take(self, method: str, chat_id: int | None = None) -> tuple[float, ApiError | None]:
        """The delay and the failure (if any) for one call of `method` into `chat_id`,
        consuming them."""
        seconds = 0.0
        for fault in self._delays:
            if fault.matches(method, chat_id):
                fault.remaining -= 1
                seconds = fault.seconds
                break
        error = None
        for fault in self._failures:
            if fault.matches(method, chat_id):
                fault.remaining -= 1
                error = fault.error
                break
        self._delays = [f for f in self._delays if f.remaining > 0]
        self._failures = [f for f in self._failures if f.remaining > 0]
        return seconds, error
