"""Forget by default, end to end: the nightly clean-up at four, at the real default of 90 days.

Every feature's rows are made as residents make them (or, where the path there is long, through
the feature's own store), closed on the first day, and looked at after the night 90 days on
(kept: not yet 90 days) and after the night after (gone). The counts stay.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from bot.domain.activities import Draft, DraftStep, RsvpChoice
from bot.domain.periods import week_of
from bot.domain.schedule import ItemState
from handlers.privacy.jobs import RETENTION_KIND
from sandbox import SandboxMessage
from storage.db import from_db
from tests.harness import AMS, START, World
from tests.pairing.test_pairing_e2e import begin_here, pair_up, pairing_store, wish
from tests.requests.request_steps import ask, tap, to_text_step

FOUR = time(4, 0)


def night(days_after_start: int) -> datetime:
    """04:00 in Amsterdam, this many days after the first day."""
    day = START.astimezone(AMS).date() + timedelta(days=days_after_start)
    return datetime.combine(day, FOUR, tzinfo=AMS)


async def run_night(world: World, moment: datetime) -> None:
    """The clock stands at `moment`; the schedule runs what is due; the clean-up ran then."""
    world.clock.set(moment)
    await world.run_due()
    await world.sb.settle()
    row = await world.services.db.fetch_one(
        "SELECT state, finished_at FROM schedule WHERE kind = ? AND state != 'pending'"
        " ORDER BY finished_at DESC LIMIT 1", (RETENTION_KIND,))
    assert row is not None and row["state"] == ItemState.DONE.value
    assert from_db(row["finished_at"]) == moment, "the clean-up ran at four, not later"


async def value(world: World, sql: str, *args: Any) -> Any:
    return await world.services.db.fetch_value(sql, args)


async def test_the_nightly_clean_up_runs_at_four_in_the_quiet_hours(world: World) -> None:
    """It sends nothing, so the quiet hours do not hold it back to the morning."""
    async with world.bot():
        await world.add_bot()
        await world.sb.settle()
        [first] = await world.services.scheduler.store.pending(RETENTION_KIND)
        assert first.due_at == night(1)
        await run_night(world, night(1))
        [following] = await world.services.scheduler.store.pending(RETENTION_KIND)
        assert following.due_at == night(2)


async def test_every_feature_forgets_after_ninety_days_and_not_a_day_before(world: World) -> None:
    sb = world.sb
    fatma, kees, anouk = world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    youssef, john, oksana = world.user("Youssef"), world.user("John"), world.user("Oksana")
    async with world.bot():
        svc = world.services
        await world.add_bot()
        await begin_here(world, fatma, kees, anouk, youssef, john, oksana)
        now = world.clock.now()
        group = world.group.id

        # A help request, withdrawn; a request left half-way (a draft).
        posted = await ask(world, fatma, text="Wie neemt melk voor me mee?")
        await tap(world, fatma, posted.controls, "Stop mijn vraag")
        await sb.next_edit(world.group, containing="gestopt")
        await to_text_step(world, kees)

        # An activity that took place with Kees there; an activity left half-way.
        activities = svc.stores.activities
        held = await activities.publish(Draft(
            user_id=anouk.id, building_id=group, step=DraftStep.PREVIEW, title="Soep eten",
            description="Bij Anouk thuis, neem een kom mee.", place="Linde 12",
            starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1),
            updated_at=now), "Anouk", now - timedelta(hours=4))
        await activities.respond(held.id, kees.id, RsvpChoice.GOING, now - timedelta(hours=4))
        assert await activities.finish(held.id, now) is not None
        await activities.save_draft(Draft(
            user_id=kees.id, building_id=group, step=DraftStep.PLACE, title="Klaverjassen",
            description="Bij Kees, Linde 4.", updated_at=now))

        # An idea Fatma joined and Youssef reported, taken down by the admins.
        await sb.say(oksana, world.group, "/idee Samen een moestuin op het dak")
        card: SandboxMessage = await sb.next_message(world.group, containing="moestuin")
        await tap(world, fatma, card, "Doe mee")
        await tap(world, youssef, card, "Meld")
        await tap(world, youssef, card, "Meld")  # the second tap confirms the report
        idea_id = int(await value(world, "SELECT id FROM ideas WHERE proposer_id = ?", oksana.id))
        assert await svc.stores.ideas.remove(idea_id, now)

        # Regular neighbours who stopped; a wish withdrawn.
        sb.mark()
        await pair_up(world, youssef, fatma)
        [pairing] = await pairing_store(world).involving(fatma.id)
        assert await pairing_store(world).end(pairing.id, now)
        await wish(world, john)
        [open_wish] = await pairing_store(world).open_wishes_of(john.id)
        assert await pairing_store(world).withdraw_wish(open_wish.id, john.id, now)

        # A community worker who stopped, and one who never finished saying who they are.
        workers = svc.stores.workers
        await workers.start_draft(anouk.id, group, now)
        await workers.set_draft_name(anouk.id, "Sanne Visser")
        finished = await workers.finish(anouk.id, "Wijkteam Noord", now, threshold=3)
        assert finished is not None
        consent, _ = finished
        assert await workers.stop(consent.id, group, now)
        await workers.start_draft(kees.id, group, now)

        # Oksana left the building.
        await sb.leave(world.group, oksana)
        await sb.settle()
        assert await value(world, "SELECT COUNT(*) FROM inbox WHERE payload LIKE '%moestuin%'") >= 1
        insights, week = svc.stores.insights, week_of(now.astimezone(AMS).date(), AMS)
        shown = await insights.figures(group, week, week.end)  # a worker looked after that week
        assert (shown.asked, shown.activities_held, shown.rsvps, shown.ideas) == (1, 1, 1, 1)

        # A group erasure asked five minutes before the night 90 days on, never confirmed.
        await svc.stores.erasures.begin(group, card.message_id, night(90) - timedelta(minutes=5))

        async def kept() -> dict[str, Any]:
            return {
                "request": await value(world, "SELECT description FROM requests"),
                "request draft": await value(world, "SELECT COUNT(*) FROM request_drafts"),
                "activity": await value(world, "SELECT description || place FROM activities"),
                "activity draft": await value(world, "SELECT COUNT(*) FROM activity_drafts"),
                "idea": await value(world, "SELECT text FROM ideas"),
                "report": await value(world, "SELECT COUNT(*) FROM reports"),
                "pair": await value(world, "SELECT helper_id FROM pairings"),
                "wish": await value(world, "SELECT COUNT(*) FROM pairing_wishes"),
                "worker": await value(world, "SELECT name FROM worker_consents"),
                "worker draft": await value(world, "SELECT COUNT(*) FROM worker_drafts"),
                "who left": await value(world, "SELECT COUNT(*) FROM residents WHERE user_id = ?",
                                        oksana.id),
                "erasure": await value(world, "SELECT COUNT(*) FROM group_erasures"),
            }

        first_day = await kept()
        assert all(first_day.values()), first_day

        async def counts() -> dict[str, Any]:
            return {
                "requests": await value(world, "SELECT kind || status FROM requests"),
                "activities": await value(world, "SELECT title || status FROM activities"),
                "answers": await value(world, "SELECT COUNT(*) FROM activity_rsvps"),
                "ideas": await value(world, "SELECT COUNT(*) FROM ideas"),
                "joins": await value(world, "SELECT COUNT(*) FROM idea_joins"),
                "pairs": await value(world, "SELECT status FROM pairings"),
                "workers": await value(world, "SELECT COUNT(*) FROM worker_consents"),
                "week's figures": await insights.figures(group, week, max(week.end, world.clock.now())),
                # Counted anew, what stays is every count but who took part and who lived
                # there: people who left are forgotten (the stored week above keeps them).
                "counted again": (await insights.count(group, week.start, week.end)).model_dump(
                    exclude={"participants", "members"}),
            }

        before = await counts()

        await run_night(world, night(90))
        assert await kept() == first_day, "not yet 90 days: everything is kept"
        assert await value(world, "SELECT COUNT(*) FROM inbox WHERE payload != '{}'") == 0, \
            "what residents sent is gone from the inbox after the first night"

        await run_night(world, night(91))
        gone = await kept()
        assert gone == {
            "request": None, "request draft": 0, "activity": "", "activity draft": 0, "idea": "",
            "report": 0, "pair": None, "wish": 0, "worker": "", "worker draft": 0,
            "who left": 0, "erasure": 0,
        }
        assert await counts() == before, "the counts stay"
        assert await svc.residents.get(fatma.id) is not None, "current members are kept"
