"""Nothing between 21:30 and 08:30: every kind of scheduled message, one case each.

The kinds come from the schedule itself (every handler the features register), so a new kind
without a case here fails `test_every_scheduled_kind_has_a_case`. Each case makes the bot plan a
row of its kind the way residents do, the row falls due at night, and: nothing of it at night,
then in the morning it is sent, once. Work that sends nothing is not held back: it runs at night.

The schedule's own poll is paused in these tests, so rows run only when the test runs what is due.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest

from bot.domain.quiet_hours import QuietHours
from bot.domain.schedule import ItemState
from bot.scheduler import JobHandler, Scheduler
from handlers.activities.schedule import BEGIN, CHANGED, END, INVITE, REMIND, announce_change
from handlers.ideas.joins import READY
from handlers.insights.consent import DECIDE_KIND
from handlers.kit.redirects import REMOVE_JOB as REDIRECT_REMOVE_JOB
from handlers.pairing.pairs import ASK_KIND, CHECKIN_KIND, MATCH_KIND, TELL_KIND
from handlers.privacy.jobs import RETENTION_KIND
from sandbox import BotEvent, SandboxUser
from storage.db import to_db
from tests.activities.test_activities_e2e import post_prepared
from tests.harness import AMS, World
from tests.insights.insights_steps import accept, invite
from tests.pairing.test_pairing_e2e import SUGGESTION, begin_here, offer, wish
from tests.prompts.test_digest_e2e import NUDGES_NL
from tests.requests.request_steps import ask, started, tap

QUIET = QuietHours()
LATE = time(23, 0)
EARLY = time(7, 0)
NEW_MESSAGES = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
SENDING = NEW_MESSAGES | {"editMessageText", "editMessageReplyMarkup", "deleteMessage"}


@dataclass
class Due:
    """What a case leaves: its rows due at `night`, and how its message looks (`count` of them
    in the morning: one per person it is for)."""

    night: datetime
    sends: Callable[[BotEvent], bool]
    count: int = 1


Case = Callable[[World], Awaitable[Due]]


def to(user: SandboxUser, containing: str) -> Callable[[BotEvent], bool]:
    return lambda e: e.chat_id == user.id and _new_containing(e, containing)


def into_group(world: World, containing: str) -> Callable[[BotEvent], bool]:
    return lambda e: e.chat_id == world.group.id and _new_containing(e, containing)


def _new_containing(event: BotEvent, text: str) -> bool:
    return event.method in NEW_MESSAGES and event.message is not None and text in event.message.text


def night_after(moment: datetime) -> datetime:
    """`moment` itself when it is in the quiet hours, else 23:00 that evening."""
    if QUIET.contains(moment, AMS):
        return moment
    local = moment.astimezone(AMS)
    return datetime.combine(local.date(), LATE, tzinfo=AMS)


def tonight(world: World) -> None:
    """23:00 this evening on the test clock. What one resident causes for another goes out at
    once by day, so its case acts at night to have a row held for the morning."""
    world.clock.set(night_after(world.clock.now()))


def early_that_day(moment: datetime) -> datetime:
    """07:00 on the day of `moment`."""
    return datetime.combine(moment.astimezone(AMS).date(), EARLY, tzinfo=AMS)


async def at_night(world: World, kind: str, ref_part: str = "", *,
                   when: Callable[[datetime], datetime] = night_after) -> datetime:
    """The pending rows of `kind` (those whose ref holds `ref_part`) fall due at night: the
    night after their time (as when the day's work ran late), or `when` it says."""
    store = world.services.scheduler.store
    rows = [row for row in await store.pending(kind) if ref_part in row.ref]
    assert rows, f"no {kind} row was planned"
    night = when(max(row.due_at for row in rows))
    assert QUIET.contains(night, AMS)
    for row in rows:
        assert await store.postpone(row.id, night)
    return night


# --- the cases: what residents do before each kind of row is planned ------------------------------

async def request_bump(world: World) -> Due:
    await ask(world, world.user("Fatma"), when="wo 9:00")
    return Due(await at_night(world, "request.bump"), into_group(world, "nog geen helper"))


async def request_close(world: World) -> Due:
    fatma = world.user("Fatma")
    await ask(world, fatma, text="Wie wil een stukje wandelen?", when="Vandaag")
    return Due(await at_night(world, "request.close"), to(fatma, "Niemand kon helpen"))


async def request_prompt(world: World) -> Due:
    """The follow-up to the requester, when its close was held back to the morning."""
    fatma, kees = world.user("Fatma"), world.user("Kees")
    await started(world, kees)
    posted = await ask(world, fatma, when="Morgen")
    await tap(world, kees, posted.card, "Ik help")
    await world.sb.settle()
    svc = world.services
    await svc.scheduler.add("request.prompt", f"req:{posted.request_id}:later",
                            night_after(world.clock.now()), building_id=world.group.id,
                            payload={"request_id": posted.request_id})
    return Due(night_after(world.clock.now()), to(fatma, "Is het gelukt"))


async def request_next(world: World) -> Due:
    await ask(world, world.user("Fatma"), kind="Container of afval", text="Container aan de straat",
              when="di 19:00", weekly=True)
    return Due(await at_night(world, "request.next"), into_group(world, "Container aan de straat"))


async def activity_with_answers(world: World) -> int:
    """Fatma's soup evening on Thursday 19:00-21:00; Anouk comes."""
    anouk = world.user("Anouk")
    await started(world, anouk)
    card = await post_prepared(world, world.user("Fatma"))
    await tap(world, anouk, card, "Ik kom")
    await world.sb.settle()
    return int(str(card.buttons()[0][0]["callback_data"]).split(":")[2])


async def activity_remind(world: World) -> Due:
    await activity_with_answers(world)
    return Due(await at_night(world, REMIND, ":day"), lambda e: _new_containing(e, "Samen soep eten")
               and e.chat_id in (world.user("Anouk").id, world.user("Fatma").id), count=2)


async def activity_invite(world: World) -> Due:
    await activity_with_answers(world)
    return Due(await at_night(world, INVITE), into_group(world, "Neem je een buur mee"))


async def activity_end(world: World) -> Due:
    await activity_with_answers(world)
    return Due(await at_night(world, END), to(world.user("Anouk"), "Samen soep eten"))


async def activity_changed(world: World) -> Due:
    activity_id = await activity_with_answers(world)
    svc = world.services
    activity = await svc.stores.activities.get(activity_id)
    assert activity is not None
    tonight(world)
    await announce_change(svc, activity, "place")
    return Due(await at_night(world, CHANGED), to(world.user("Anouk"), "Samen soep eten"))


async def digest(world: World) -> Due:
    await post_prepared(world, world.user("Anouk"), title="Samen pannenkoeken bakken",
                        starts_at=datetime(2026, 12, 2, 15, 0, tzinfo=AMS), ends_at=None)
    await world.run_due()
    return Due(await at_night(world, "digest"), into_group(world, "Deze week in Flat De Linde"))


async def nudge(world: World) -> Due:
    """Ten quiet days; the slot of the check is moved into the early morning (a nudge is
    pointless by the evening, so it never waits a whole night)."""
    await world.run_due()
    return Due(await at_night(world, "nudge", when=early_that_day),
               lambda e: e.chat_id == world.group.id
               and e.message is not None and e.message.text in NUDGES_NL)


async def offered_and_wished(world: World, *, at_night: bool = False
                             ) -> tuple[SandboxUser, SandboxUser]:
    youssef, fatma = world.user("Youssef"), world.user("Fatma")
    await begin_here(world, youssef, fatma)
    await offer(world, youssef)
    if at_night:
        tonight(world)
    await wish(world, fatma)
    return youssef, fatma


async def pairing_match(world: World) -> Due:
    youssef, _ = await offered_and_wished(world, at_night=True)
    return Due(await at_night(world, MATCH_KIND), to(youssef, SUGGESTION))


async def helper_said_yes(world: World, *, at_night: bool = False
                          ) -> tuple[SandboxUser, SandboxUser]:
    youssef, fatma = await offered_and_wished(world)
    await world.run_due()
    suggestion = await world.sb.next_message(youssef, containing=SUGGESTION)
    if at_night:
        tonight(world)
    await tap(world, youssef, suggestion, "Ja, graag")
    await world.sb.settle()
    return youssef, fatma


async def pairing_ask(world: World) -> Due:
    _, fatma = await helper_said_yes(world, at_night=True)
    return Due(await at_night(world, ASK_KIND, ":ask:r"), to(fatma, "Een buur wil graag"))


async def both_said_yes(world: World, *, at_night: bool = False
                        ) -> tuple[SandboxUser, SandboxUser]:
    youssef, fatma = await helper_said_yes(world)
    await world.run_due()
    asked = await world.sb.next_message(fatma, containing="Een buur wil graag")
    if at_night:
        tonight(world)
    await tap(world, fatma, asked, "Ja, graag")
    await world.sb.settle()
    return youssef, fatma


async def pairing_tell(world: World) -> Due:
    youssef, _ = await both_said_yes(world, at_night=True)
    return Due(await at_night(world, TELL_KIND, ":made:"), to(youssef, "vaste buren"))


async def pairing_checkin(world: World) -> Due:
    youssef, fatma = await both_said_yes(world)
    await world.run_due()
    await world.sb.next_message(youssef, containing="vaste buren")
    return Due(await at_night(world, CHECKIN_KIND),
               lambda e: (to(fatma, "elkaar al gezien")(e) or to(youssef, "elkaar al gezien")(e)),
               count=2)


async def idea_ready(world: World) -> Due:
    oksana = world.user("Oksana")
    await started(world, oksana)
    await world.sb.say(oksana, world.group, "/idee Samen een moestuin op het dak")
    card = await world.sb.next_message(world.group, containing="moestuin")
    for name in ("Anouk", "Kees", "Youssef", "Fatma"):
        await tap(world, world.user(name), card, "Doe mee")
    tonight(world)
    await tap(world, world.user("Mehmet"), card, "Doe mee")
    await world.sb.settle()
    return Due(await at_night(world, READY), to(oksana, "doen mee met je idee"))


async def worker_consent(world: World) -> Due:
    worker = world.sb.add_user("Sanne", "Visser", language_code="nl")
    await accept(world, worker, await invite(world), "Sanne Visser", "Wijkteam Noord")
    return Due(await at_night(world, DECIDE_KIND), to(worker, "Goed nieuws"))


MESSAGES: dict[str, Case] = {
    "request.bump": request_bump,
    "request.close": request_close,
    "request.prompt": request_prompt,
    "request.next": request_next,
    REMIND: activity_remind,
    INVITE: activity_invite,
    END: activity_end,
    CHANGED: activity_changed,
    "digest": digest,
    "nudge": nudge,
    MATCH_KIND: pairing_match,
    ASK_KIND: pairing_ask,
    TELL_KIND: pairing_tell,
    CHECKIN_KIND: pairing_checkin,
    READY: idea_ready,
    DECIDE_KIND: worker_consent,
}
"""Kinds whose rows message residents: held to the morning."""


async def activity_begin(world: World) -> Due:
    await activity_with_answers(world)
    return Due(await at_night(world, BEGIN), lambda e: False)


async def retention(world: World) -> Due:
    await world.sb.settle()
    return Due(await at_night(world, RETENTION_KIND), lambda e: False)


async def redirect_removal(world: World) -> Due:
    await world.sb.say(world.user("Kees"), world.group, "/vraag")
    await world.sb.next_message(world.group)
    return Due(await at_night(world, REDIRECT_REMOVE_JOB), lambda e: False)


MAINTENANCE: dict[str, Case] = {BEGIN: activity_begin, RETENTION_KIND: retention,
                                REDIRECT_REMOVE_JOB: redirect_removal}
"""Kinds whose rows send nothing: they run when due, night or not."""
CARD_FIRST = {"request.close": "request.prompt"}
"""Kinds that change a card when due, night or not (an edit is not a message), while what they
say privately waits for the morning, as a row of the kind named here."""


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bool]]:
    """Every kind the features register with the schedule, and whether it is held to calm hours."""
    kinds: dict[str, bool] = {}
    register = Scheduler.register

    def recording(self: Scheduler, kind: str, handler: JobHandler, *, calm: bool = True) -> None:
        kinds[kind] = calm
        register(self, kind, handler, calm=calm)

    monkeypatch.setattr(Scheduler, "register", recording)
    yield kinds


async def test_every_scheduled_kind_has_a_case(world: World, registered: dict[str, bool]) -> None:
    async with world.bot():
        pass
    assert {kind for kind, calm in registered.items() if calm} | set(CARD_FIRST) == set(MESSAGES), \
        "a kind of scheduled message without a case here (or a case for a kind that is gone)"
    assert {kind for kind, calm in registered.items() if not calm} - set(CARD_FIRST) \
        == set(MAINTENANCE)


@pytest.mark.parametrize("kind", sorted(MESSAGES) + sorted(MAINTENANCE))
async def test_nothing_at_night_then_once_in_the_morning(
    world: World, registered: dict[str, bool], kind: str
) -> None:
    sb = world.sb
    async with world.bot():
        world.pause_schedule_poll()
        await world.add_bot()
        due = await (MESSAGES.get(kind) or MAINTENANCE[kind])(world)
        await sb.settle()
        sb.mark()
        world.clock.set(due.night)
        await world.run_due()
        await sb.settle()
        store = world.services.scheduler.store
        if kind in MAINTENANCE:
            assert registered[kind] is False
            assert [e.describe() for e in sb.events_since_mark() if e.method in NEW_MESSAGES] == []
            ran = await world.services.db.fetch_value(
                "SELECT COUNT(*) FROM schedule WHERE kind = ? AND state = 'done' AND finished_at = ?",
                (kind, to_db(due.night)))
            assert ran, f"{kind} ran at night"
            return

        assert registered[kind] is (kind not in CARD_FIRST)
        assert [e.describe() for e in sb.events_since_mark() if e.method in NEW_MESSAGES] == [], \
            "nothing at night"
        morning = QUIET.next_allowed(due.night, AMS)
        held = CARD_FIRST.get(kind, kind)
        waiting = [row for row in await store.pending(held) if row.due_at == morning]
        assert waiting, "held back to the morning"

        world.clock.set(morning)
        await world.run_due()
        await sb.settle()
        sent = [e for e in sb.events_since_mark() if due.sends(e)]
        assert len(sent) == due.count and all(e.ok for e in sent), [e.describe() for e in sent]
        for row in waiting:
            after = await store.get(held, row.ref)
            assert after is not None and after.state is ItemState.DONE

        world.clock.set(morning + timedelta(minutes=1))
        await world.run_due()
        await sb.settle()
        assert len([e for e in sb.events_since_mark() if due.sends(e)]) == due.count, "once"
