"""Outgoing calls keep to Telegram's limits and wait out a 429 instead of losing the message.

Telegram counts messages in sliding windows: at most 20 in any minute into one group (edits
count) and 30 in any second overall. PTB's AIORateLimiter uses leaky buckets that allow a full
burst on top of the steady rate, so a busy minute can send nearly twice the limit and earn 429s.

Here every limit is a sliding window in which a message counts from the moment it leaves until
a full period after its answer came back. Telegram sees the message somewhere in between, so
however the requests travel (one slow, the next fast), no window on Telegram's side ever holds
more than the limit: in normal operation no 429 happens at all. Concurrent senders queue first
come, first served, per chat and overall.

Also: retries on 429 (everything pauses for retry_after, as Telegram asks), about one message a
second into each private chat (a short burst allowed, as Telegram does there), and read-only
calls that spend no message budget.

On PostgreSQL, where several processes send for one bot, the same windows are kept in the
database instead (`share`, bot/shared_limits.py), so that together they stay within the limits.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.metrics import RETRIES, RETRY_BY_RATE_LIMITER, TELEGRAM_429
from bot.shared_limits import FLIGHT_SECONDS, SharedWindows
from storage.send_slots import OVERALL, Scope, SendSlotStore

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]
T = TypeVar("T")

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
EDIT_METHODS = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "editMessageCaption", "editMessageMedia"}
)
"""A private chat's own limit is about new messages; an edit answering a tap does not add one.
In a group, edits count like messages (Telegram's 20 a minute), and everywhere overall."""
PRIVATE_BURST = 3
MAX_CHAT_WINDOWS = 2048
OVERALL_MARGIN = 0.01
GROUP_MARGIN = 0.5
"""Seconds added to each period, for the difference between our clock's pace and Telegram's.
Where in its round trip Telegram counts a message is covered by the window itself (a place is
held until a period after the answer), so the margin stays small: every hundredth of a second
added to the overall second costs about 1 % of a large fan-out's 30 messages a second."""
IN_FLIGHT_POLL = 0.01
"""How often to look again when every place in a window is taken by a request under way."""
RETRY_PAUSE_EXTRA = 0.1


class SlidingWindow:
    """At most `limit` messages in any `period` seconds, as Telegram counts them.

    A message holds its place while under way and for `period` seconds after it came back.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = max(1, limit)
        self.period = period
        self.in_flight = 0
        self._done: list[float] = []

    def delay(self, now: float) -> float:
        """Seconds until one more message fits; 0 when it fits now."""
        self._done = [stamp for stamp in self._done if stamp > now - self.period]
        taken = self.in_flight + len(self._done)
        if taken < self.limit:
            return 0.0
        must_expire = taken - self.limit + 1
        if must_expire > len(self._done):
            return IN_FLIGHT_POLL
        return max(sorted(self._done)[must_expire - 1] + self.period - now, IN_FLIGHT_POLL / 10)

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        self.in_flight -= 1
        self._done.append(now)

    def record(self, now: float) -> None:
        """A message that left and came back at `now`."""
        self._done.append(now)

    def idle(self, now: float) -> bool:
        """Nothing under way or counted in the last period: the window can be forgotten."""
        return self.in_flight == 0 and all(stamp <= now - self.period for stamp in self._done)


class LeakyBucket:
    """About `rate` messages a second with a short burst: Telegram's looser private-chat limit,
    where a resident tapping through a flow should not wait for a strict window."""

    def __init__(self, burst: int, rate: float) -> None:
        self.burst = max(1, burst)
        self.rate = rate
        self._level = 0.0
        self._last: float | None = None

    def _leak(self, now: float) -> None:
        if self._last is not None:
            self._level = max(0.0, self._level - (now - self._last) * self.rate)
        self._last = now

    def delay(self, now: float) -> float:
        self._leak(now)
        if self._level + 1 <= self.burst:
            return 0.0
        return (self._level + 1 - self.burst) / self.rate

    def start(self) -> None:
        self._level += 1

    def finish(self, now: float) -> None:
        """The bucket counts messages when they leave, not when they come back."""

    def idle(self, now: float) -> bool:
        self._leak(now)
        return self._level == 0


Window = SlidingWindow | LeakyBucket


class OmzienRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        *,
        overall_max_rate: float = 30,
        group_max_rate: float = 20,
        private_max_rate: float = 1,
        max_retries: int = 5,
        overall_margin: float = OVERALL_MARGIN,
        group_margin: float = GROUP_MARGIN,
        group_time_period: float = 60.0,
        overall_time_period: float = 1.0,
        flight_time: float = FLIGHT_SECONDS,
    ) -> None:
        """`flight_time`: in windows shared with other processes, how long a send whose answer
        never came back (its process died) still counts as under way."""
        self._overall = SlidingWindow(int(overall_max_rate), overall_time_period + overall_margin)
        self._group_rate = int(group_max_rate)
        self._group_period = group_time_period + group_margin
        self._private_rate = private_max_rate
        self._max_retries = max_retries
        self._flight_time = flight_time
        self._windows: dict[int | str, Window] = {}
        self._chat_locks: dict[int | str, asyncio.Lock] = {}
        self._gate = asyncio.Lock()
        self._paused_until = 0.0
        self._queued: set[asyncio.Task[Any]] = set()
        self._shared: SharedWindows | None = None

    def share(self, store: SendSlotStore) -> None:
        """From now on keep the windows in the database, shared with every other process that
        sends for this bot (PostgreSQL), instead of in this process's memory."""
        self._shared = SharedWindows(
            store, overall=Scope(OVERALL, self._overall.limit, self._overall.period),
            group_limit=self._group_rate, group_period=self._group_period,
            private_burst=PRIVATE_BURST, private_rate=self._private_rate,
            flight=self._flight_time,
        )

    async def initialize(self) -> None:
        """Nothing to open: the windows live in memory, or in the database given to `share`."""

    async def shutdown(self) -> None:
        """The answers not yet recorded in the shared windows are recorded."""
        if self._shared is not None:
            await self._shared.close()

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def _window(self, chat: int | str) -> Window | None:
        is_private = isinstance(chat, int) and chat > 0
        if is_private and not self._private_rate:
            return None
        window = self._windows.get(chat)
        if window is None:
            if len(self._windows) > MAX_CHAT_WINDOWS:
                self._forget_idle()
            window = (LeakyBucket(PRIVATE_BURST, self._private_rate) if is_private
                      else SlidingWindow(self._group_rate, self._group_period))
            self._windows[chat] = window
        return window

    def _forget_idle(self) -> None:
        now = self._now()
        for key, window in list(self._windows.items()):
            lock = self._chat_locks.get(key)
            if window.idle(now) and (lock is None or not lock.locked()):
                del self._windows[key]
                self._chat_locks.pop(key, None)

    def is_queued(self, task: asyncio.Task[Any]) -> bool:
        """`task` is waiting for a place: its request has not left (cancelling it loses
        nothing that Telegram saw)."""
        return task in self._queued

    async def _queue(self, places: Awaitable[T]) -> T:
        """Wait for `places`, marked as queued meanwhile (see `is_queued`)."""
        task = asyncio.current_task()
        if task is None:
            return await places
        self._queued.add(task)
        try:
            return await places
        finally:
            self._queued.discard(task)

    async def _acquire(self, chat: int | str | None, endpoint: str) -> list[Window]:
        """Wait, first come first served, until the chat's and the overall window both have
        room, and take a place in both at the same moment, just before the request leaves."""
        return await self._queue(self._take_places(chat, endpoint))

    async def _take_places(self, chat: int | str | None, endpoint: str) -> list[Window]:
        private_edit = isinstance(chat, int) and chat > 0 and endpoint in EDIT_METHODS
        window = self._window(chat) if chat is not None and not private_edit else None
        if chat is None or window is None:
            async with self._gate:
                await self._wait_overall()
                self._overall.start()
            return [self._overall]
        lock = self._chat_locks.setdefault(chat, asyncio.Lock())
        async with lock:
            await self._wait_for(window)
            async with self._gate:
                await self._wait_overall()
                self._overall.start()
                window.start()
        return [self._overall, window]

    async def _wait_for(self, window: Window) -> None:
        while True:
            wait = window.delay(self._now())
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def _wait_overall(self) -> None:
        while True:
            now = self._now()
            wait = max(self._overall.delay(now), self._paused_until - now)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def _wait_paused(self) -> None:
        shared = self._shared.paused_until if self._shared is not None else 0.0
        wait = max(self._paused_until, shared) - self._now()
        if wait > 0:
            await asyncio.sleep(wait)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat_id = data.get("chat_id")
        limited = chat_id is not None and endpoint not in READ_ONLY_METHODS
        chat = _chat_key(chat_id) if limited else None
        retries = rate_limit_args or self._max_retries
        log.debug("Bot API call %s", endpoint)  # the method only: parameters name residents
        for attempt in range(retries + 1):
            try:
                if not limited:
                    await self._wait_paused()
                    return await callback(*args, **kwargs)
                if self._shared is not None:
                    return await self._send_shared(self._shared, chat, endpoint,
                                                   lambda: callback(*args, **kwargs))
                windows = await self._acquire(chat, endpoint)
                try:
                    return await callback(*args, **kwargs)
                finally:
                    now = self._now()
                    for window in windows:
                        window.finish(now)
            except RetryAfter as exc:
                TELEGRAM_429.inc()
                if attempt == retries:
                    log.error("rate limit still hit after %d retries", retries)
                    raise
                seconds = retry_after_seconds(exc)
                log.warning("Telegram asked to slow down; pausing %.1f s", seconds)
                RETRIES.labels(by=RETRY_BY_RATE_LIMITER).inc()
                self._paused_until = max(
                    self._paused_until, self._now() + seconds + RETRY_PAUSE_EXTRA
                )
                if self._shared is not None:
                    await self._shared.pause(seconds + RETRY_PAUSE_EXTRA)
        raise AssertionError("unreachable")

    async def _send_shared(self, shared: SharedWindows, chat: int | str | None, endpoint: str,
                           request: Callable[[], Awaitable[Result]]) -> Result:
        """`request` once its places in the shared windows are taken; its answer's moment is
        recorded after, whatever the answer."""
        private_edit = isinstance(chat, int) and chat > 0 and endpoint in EDIT_METHODS
        scopes = shared.scopes(chat if chat is not None else OVERALL,
                               counts_in_chat=chat is not None and not private_edit)
        slots = await self._queue(shared.take(scopes))
        try:
            return await request()
        finally:
            shared.answered(slots)


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # int vs timedelta: PTB's migration warning
        pause = exc.retry_after
    return float(pause) if isinstance(pause, int | float) else pause.total_seconds()


def _chat_key(value: object) -> int | str | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value) if value.lstrip("-").isdigit() else value
    return None
