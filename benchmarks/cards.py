"""Concurrent presses on real cards: every resident of several buildings presses a card's
button at the same moment.

Omzien: each building's group has a real activity card (posted through /activiteit) and its
residents, who began with the bot through the group's "Begin hier" (so the bot knows them as
members, as it knows a building's regular users), press "Ik kom". Each press is checked (a
member, on this card), stored in one transaction with its update's "handled" mark and the
card's coalesced edit, on disk before it is answered (`storage/group_commit.py`, the guarantee
of `synchronous=FULL`). The bare bot posts a card with one button in each group, answers each
press and edits its card, with PTB's concurrent updates, no storage and no rate limiter.

A press's latency runs from the moment the sandbox queued it until the bot's
answerCallbackQuery reached the sandbox; throughput is presses divided by the time from the
first press to the last answer.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.app import SCHEDULE_POLL_SECONDS
from bot.clock import FakeClock
from sandbox import Sandbox, SandboxChat, SandboxMessage, SandboxUser
from tests.activities.test_activities_e2e import open_private, post_prepared
from tests.harness import START, World

BARE_BUTTON = "Ik kom"


@dataclass(frozen=True)
class Presses:
    latencies: list[float]
    """Seconds from each press to its answer."""
    seconds: float
    """From the first press to the last answer."""

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


@dataclass(frozen=True)
class Building:
    group: SandboxChat
    organiser: SandboxUser
    residents: list[SandboxUser]


def buildings(sb: Sandbox, count: int, residents: int, *, bot_in: bool) -> list[Building]:
    """`bot_in`: the bot is a member from the start (Omzien is added, so it says welcome)."""
    made = []
    for b in range(count):
        organiser = sb.add_user(f"Organisator{b}", language_code="nl")
        people = [sb.add_user(f"Buur{b}x{r}", language_code="nl") for r in range(residents)]
        members = [organiser, *people, *([sb.bot_user] if bot_in else [])]
        group = sb.add_group(f"Flat {b}", members=members, admins=[organiser],
                             supergroup=True)
        made.append(Building(group, organiser, people))
    return made


async def press_all(sb: Sandbox, cards: list[tuple[Building, SandboxMessage]],
                    button: str) -> Presses:
    presses = [(user, card, button) for building, card in cards for user in building.residents]
    sb.mark()
    pressed_at = sb.world.clock()
    results = await sb.press_together(presses)
    answers = [await result.answer(timeout=120) for result in results]
    assert all(answer is not None for answer in answers)
    arrived = {str(e.params.get("callback_query_id")): e.at for e in sb.events_since_mark()
               if e.method == "answerCallbackQuery" and e.ok}
    latencies = [arrived[result.query_id] - pressed_at for result in results]
    return Presses(latencies, max(latencies))


@asynccontextmanager
async def _bare_bot(sb: Sandbox) -> AsyncIterator[None]:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(BARE_BUTTON, callback_data="go")]])

    async def post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Samen soep eten", reply_markup=keyboard)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.from_user is not None
        await query.answer("Fijn dat je komt")
        await query.edit_message_text(f"Samen soep eten: {query.from_user.first_name} komt",
                                      reply_markup=keyboard)

    app = (Application.builder().token(sb.token).base_url(f"{sb.url}/bot")
           .concurrent_updates(True).build())
    app.add_handler(CommandHandler("kaart", post))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def bare_presses(sb: Sandbox, count: int, residents: int) -> Presses:
    places = buildings(sb, count, residents, bot_in=True)
    async with _bare_bot(sb):
        cards = []
        for building in places:
            await sb.command(building.organiser, building.group, "kaart")
            cards.append((building, await sb.next_message(building.group, timeout=30)))
        return await press_all(sb, cards, BARE_BUTTON)


async def omzien_presses(sb: Sandbox, count: int, residents: int,
                         database: Path | str | None = None) -> Presses:
    """`database`: where the bot keeps its data (a SQLite file of its own if not given)."""
    places = buildings(sb, count, residents, bot_in=False)
    with tempfile.TemporaryDirectory() as workdir:
        first = places[0]
        world = World(sb=sb, clock=FakeClock(START),
                      database=database or Path(workdir) / "bench.sqlite3",
                      group=first.group, admin=first.organiser, residents=first.residents)
        async with world.bot(schedule_poll_seconds=SCHEDULE_POLL_SECONDS):
            cards = []
            for building in places:
                await sb.add_bot_to_group(building.group, by=building.organiser)
                await sb.next_message(building.group, timeout=30)
                card = await post_prepared(world, building.organiser, group=building.group)
                cards.append((building, card))
                for resident in building.residents:
                    await open_private(world, resident, building.group)
            await sb.settle(timeout=60)
            return await press_all(sb, cards, "Ik kom")
