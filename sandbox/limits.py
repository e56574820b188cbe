"""Telegram's flood limits, so the bot meets 429s in tests before it meets them in a building.

Telegram allows about 20 messages a minute into one group, 30 a second overall and (loosely)
one a second into a private chat. A call over a limit is refused and not counted.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field


class SlidingWindow:
    """At most `limit` events in any `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._stamps: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits; 0 when it fits now."""
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()
        if len(self._stamps) < self.limit:
            return 0.0
        return self._stamps[len(self._stamps) - self.limit] + self.window - now

    def add(self, now: float) -> None:
        self._stamps.append(now)


class RateLimiter:
    """Per group chat, overall and (optionally) per private chat message limits."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        group_per_minute: int = 20,
        global_per_second: int = 30,
        private_per_second: float | None = None,
    ) -> None:
        self.clock = clock
        self.group_per_minute = group_per_minute
        self.private_per_second = private_per_second
        self._global = SlidingWindow(global_per_second, 1.0) if global_per_second > 0 else None
        self._chats: dict[int, SlidingWindow] = {}

    def _chat_window(self, chat_id: int, is_group: bool) -> SlidingWindow | None:
        if is_group:
            if self.group_per_minute <= 0:
                return None
            return self._chats.setdefault(chat_id, SlidingWindow(self.group_per_minute, 60.0))
        if not self.private_per_second:
            return None
        rate = self.private_per_second
        window = SlidingWindow(int(rate), 1.0) if rate >= 1 else SlidingWindow(1, 1.0 / rate)
        return self._chats.setdefault(chat_id, window)

    def acquire(self, chat_id: int, *, is_group: bool) -> int | None:
        """Count one message into `chat_id`, or return the retry_after Telegram would give."""
        now = self.clock()
        windows = [w for w in (self._global, self._chat_window(chat_id, is_group)) if w]
        wait = max((w.wait(now) for w in windows), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for window in windows:
            window.add(now)
        return None


@dataclass
class Stats:
    """What the bot asked for and how often it was told to slow down."""

    calls: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0
    too_many_requests_by_chat: Counter[int] = field(default_factory=Counter)

    def count_429(self, chat_id: int | None) -> None:
        self.too_many_requests += 1
        if chat_id is not None:
            self.too_many_requests_by_chat[chat_id] += 1
