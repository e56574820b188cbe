"""`python -m tests.delivery.scaled_bot`: the bot as `python -m bot run` runs it, for a test of a long
fan-out, with three things changed through the environment and nothing in the product's
settings (an operator cannot loosen Telegram's limits this way):

- SCALED_BOT_TIME_SCALE: Telegram's rate windows are that many times shorter (30 messages in a
  fifth of a second at 5), so thousands of sends take seconds; the sandbox's windows are
  shortened by the same factor, so the bot still meets limits exactly as strict as its own.
- SCALED_BOT_CLOCK_SHIFT: the bot's clock is this many seconds ahead of real time (and runs at
  real speed), so the schedule sees the same evening however often the process is restarted.
- SCALED_BOT_DIGEST_LINE: every group has this line to show in its digest.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import bot.app as bot_app
from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from bot.ratelimit import GROUP_MARGIN, OVERALL_MARGIN, OmzienRateLimiter
from bot.services import Services
from bot.shared_limits import FLIGHT_SECONDS

TIME_SCALE = "SCALED_BOT_TIME_SCALE"
CLOCK_SHIFT = "SCALED_BOT_CLOCK_SHIFT"
DIGEST_LINE = "SCALED_BOT_DIGEST_LINE"


class ShiftedClock:
    """Real time, `shift` ahead."""

    def __init__(self, shift: timedelta) -> None:
        self._shift = shift

    def now(self) -> datetime:
        return datetime.now(UTC) + self._shift


def scaled_limiter(scale: float, *, messages_per_second: int,
                   group_messages_per_minute: int) -> OmzienRateLimiter:
    """Telegram's limits in windows `scale` times shorter (the margins, and how long a send
    of a process that died counts in shared windows, too)."""
    return OmzienRateLimiter(
        overall_max_rate=messages_per_second,
        group_max_rate=group_messages_per_minute,
        private_max_rate=scale,
        overall_time_period=1.0 / scale,
        overall_margin=OVERALL_MARGIN / scale,
        group_time_period=60.0 / scale,
        group_margin=GROUP_MARGIN / scale,
        flight_time=FLIGHT_SECONDS / scale,
    )


def add_digest_line(line: str) -> None:
    wire = bot_app.wire

    def wire_with_line(app: Any, svc: Services) -> None:
        wire(app, svc)

        async def source(building_id: int, lang: str, now: datetime) -> list[str]:
            return [line]

        svc.digest_sources.append(source)

    bot_app.wire = wire_with_line


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"omzien: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.token)
    scale = float(os.environ.get(TIME_SCALE, "1"))
    clock = ShiftedClock(timedelta(seconds=float(os.environ.get(CLOCK_SHIFT, "0"))))
    if line := os.environ.get(DIGEST_LINE):
        add_digest_line(line)
    limiter = scaled_limiter(scale, messages_per_second=settings.messages_per_second,
                             group_messages_per_minute=settings.group_messages_per_minute)
    bot_app.run(settings, clock=clock, rate_limiter=limiter)
    return 0


def environment(scale: float, now: datetime, line: str) -> dict[str, str]:
    """For `main`: windows `scale` times shorter, the bot's clock at `now` as of this moment
    (and from then on at real speed), `line` in every digest."""
    shift = now - datetime.now(UTC)
    return {TIME_SCALE: str(scale), CLOCK_SHIFT: repr(shift.total_seconds()), DIGEST_LINE: line}


if __name__ == "__main__":
    sys.exit(main())
