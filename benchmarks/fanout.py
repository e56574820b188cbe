"""A Sunday evening in 5,000 buildings: every group's weekly digest falls due at once.

The digests are real schedule rows, planned by the digest planner and run by the scheduler;
their messages go through the outbox and the delivery worker, within Telegram's 30 messages a
second overall (the sandbox answers a 31st with 429). The rate is taken from the sandbox's own
record of the sends: how close it comes to those 30 a second, and how many 429s it earned.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import SCHEDULE_POLL_SECONDS
from bot.clock import FakeClock
from sandbox import Sandbox
from tests.harness import START, World

AMS = ZoneInfo("Europe/Amsterdam")
SUNDAY_EVENING = datetime(2026, 11, 29, 19, 10, tzinfo=AMS)
"""When every digest of the week is due (they are spread from 19:00 over ten minutes)."""
TELEGRAM_PER_SECOND = 30
LINE = "Zondag soep in de hal"
"""What each digest says this week (so only digests are counted, not a nudge)."""


class SendRate:
    """A rate of sends from the first to the last one, and its share of Telegram's 30 a second."""

    sent: int
    seconds: float

    @property
    def per_second(self) -> float:
        return (self.sent - 1) / self.seconds if self.seconds > 0 else 0.0

    @property
    def share(self) -> float:
        """Of Telegram's 30 messages a second."""
        return self.per_second / TELEGRAM_PER_SECOND


@dataclass(frozen=True)
class FanOut(SendRate):
    groups: int
    sent: int
    seconds: float
    """From the first digest's send to the last one's."""
    too_many_requests: int


async def omzien_fanout(sb: Sandbox, groups: int) -> FanOut:
    admin = sb.add_user("Marieke", language_code="nl")
    chats = [sb.add_group(f"Flat {n}", members=[admin, sb.bot_user], admins=[admin],
                          supergroup=True) for n in range(groups)]
    ids = {chat.id for chat in chats}
    with tempfile.TemporaryDirectory() as workdir:
        world = World(sb=sb, clock=FakeClock(START), database=Path(workdir) / "bench.sqlite3",
                      group=chats[0], admin=admin, residents=[])
        async with world.bot(schedule_poll_seconds=SCHEDULE_POLL_SECONDS):
            svc = world.services
            now = world.clock.now()
            async with svc.db.unit_of_work():
                for chat in chats:
                    await svc.buildings.activate(chat.id, chat.title, "nl", now)

            async def source(building_id: int, lang: str, at: datetime) -> list[str]:
                return [f"• {LINE}"] if building_id in ids else []

            svc.digest_sources.append(source)
            await world.run_due(timeout=600)
            world.clock.set(SUNDAY_EVENING)
            sb.mark()
            refused_before = sb.stats.too_many_requests
            # 5,000 messages at 30 a second take at least 167 s.
            await world.run_due(timeout=groups / TELEGRAM_PER_SECOND * 3)
            sends = [e for e in sb.events_since_mark()
                     if e.method == "sendMessage" and e.ok and e.chat_id in ids
                     and e.message is not None and LINE in e.message.text]
            refused = sb.stats.too_many_requests - refused_before
    stamps = sorted(e.at for e in sends)
    return FanOut(groups, len(sends), stamps[-1] - stamps[0] if stamps else 0.0, refused)
