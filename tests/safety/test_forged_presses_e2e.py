"""Private buttons pressed by someone they were not sent to, through the sandbox: button data
crafted by hand (a modified client can send any data on any message it can see) changes nothing,
tells nothing, and an id of another building is answered exactly as an id that does not exist,
so nobody can count through another building's things (every button with an id, forged from
outside its building, is in tests/safety/test_fuzz.py, which has both buildings set up already)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.domain.activities import Repeat
from bot.i18n import t
from sandbox import CallbackAnswer, SandboxChat, SandboxMessage, SandboxUser
from sandbox.world import CallbackQueryState
from tests.activities.test_activities_e2e import activity_of, local, post_prepared, tap
from tests.harness import World
from tests.requests.request_steps import ask_url, press_as_outsider
from tests.schema_info import table_names

UNKNOWN = 987_654
"""An id nothing has."""
BOOKKEEPING = frozenset({"inbox", "schema_version", "residents", "deep_links", "privacy_secrets",
                         "outbox", "schedule"})
"""Who was seen when, links, what waits to be sent, the schedule's own planning: a refused
press may touch these."""


async def snapshot(world: World) -> dict[str, list[tuple[object, ...]]]:
    """Every table the bot keeps (as the database lists them), but bookkeeping; each table's
    rows in one order whatever order the engine reads them in."""
    db = world.services.db
    return {name: sorted((tuple(row) for row in await db.fetch_all(f'SELECT * FROM "{name}"')), key=repr)
            for name in await table_names(db) if name not in BOOKKEEPING}


async def outsider(world: World, first_name: str) -> tuple[SandboxUser, SandboxMessage]:
    """Someone in no group of the bot who opened it privately, and the bot's greeting there."""
    user = world.sb.add_user(first_name, "Buiten", language_code="nl")
    await world.sb.open_private(user)
    return user, await world.sb.next_message(user)


async def other_building(world: World) -> tuple[SandboxUser, SandboxChat, SandboxMessage]:
    """The admin of another building with the bot, and her greeting in her private chat."""
    olga = world.sb.add_user("Olga", "Anker", language_code="nl")
    group = world.sb.add_group("Flat Anker", members=[olga], admins=[olga])
    await world.sb.add_bot_to_group(group, by=olga)
    await world.sb.next_message(group)
    await world.sb.open_private(olga)
    return olga, group, await world.sb.next_message(olga)


async def forged(world: World, user: SandboxUser, message: SandboxMessage, data: str) -> CallbackAnswer:
    return await (await world.sb.tap(user, message, data, forged=True)).answer()


def names_in(world: World, chat: SandboxUser, *names: str) -> list[str]:
    """Which of `names` the bot ever showed in this private chat (current texts of its messages)."""
    texts = [message.text for message in world.sb.messages(chat)]
    return [name for name in names if any(name in text for text in texts)]


async def held_activity(world: World) -> tuple[int, SandboxUser, SandboxUser]:
    """Fatma's weekly walk took place with Anouk there; both were asked how it was."""
    sb = world.sb
    fatma, anouk = world.user("Fatma"), world.user("Anouk")
    await sb.open_private(anouk)
    await sb.next_message(anouk)
    card = await post_prepared(world, fatma, title="Wandelen", repeat=Repeat.WEEKLY)
    await tap(world, anouk, card, "Ik kom")
    activity_id = await activity_of(world, card)
    world.clock.set(local(2026, 11, 26, 21, 5))
    await world.run_due()
    await sb.next_message(anouk, containing="Hoe was")
    await sb.next_message(fatma, containing="Hoe was")
    return activity_id, fatma, anouk


async def test_look_back_buttons_are_only_for_those_who_were_asked(world: World) -> None:
    """A non-member once pressed a forged `act:help:<id>:y` and was told the organiser's
    name; the answer also told apart an activity of another building from no activity."""
    sb = world.sb
    async with world.bot():
        await world.add_bot()
        activity_id, fatma, anouk = await held_activity(world)
        piet, greeting = await outsider(world, "Piet")
        olga, _, olga_greeting = await other_building(world)
        kees = world.user("Kees")
        await sb.open_private(kees)
        kees_greeting = await sb.next_message(kees)
        await sb.settle()
        before = await snapshot(world)
        told_fatma = len(sb.bot_messages(fatma))

        # Queued together, so the bot fetches them in one batch.
        pressed = [(await sb.tap(user, message, "act:" + action.format(UNKNOWN), forged=True),
                    await sb.tap(user, message, "act:" + action.format(activity_id), forged=True))
                   for user, message in ((piet, greeting), (olga, olga_greeting),
                                         (kees, kees_greeting))
                   for action in ("help:{}:y", "help:{}:n", "rate:{}:good")]
        for made_up, forged_real in pressed:
            unknown, real = await made_up.answer(), await forged_real.answer()
            assert unknown.text == t("nl", "error.stale_button")
            assert (real.text, real.show_alert) == (unknown.text, unknown.show_alert), \
                "another building's activity is answered as one that does not exist"
        await sb.settle()
        for user in (piet, olga, kees):
            assert names_in(world, user, "Fatma", "Wandelen") == [], "nothing is told"
            assert [m.text for m in sb.bot_messages(user)][1:] == []
        assert sb.message(piet, greeting.message_id) == greeting, "the greeting stays as it was"
        assert len(sb.bot_messages(fatma)) == told_fatma, "the organiser hears of no offer"
        assert await snapshot(world) == before, "a refused press changes nothing"

        # On a group message the look-back buttons count for nobody either.
        card = sb.bot_messages(world.group)[-1]
        assert (await forged(world, anouk, card, f"act:help:{activity_id}:y")).text == \
            t("nl", "error.stale_button")
        assert await snapshot(world) == before

        # The one who was asked answers as before, and the organiser hears it once.
        question = next(m for m in sb.bot_messages(anouk) if "Hoe was" in m.text)
        await tap(world, anouk, question, "Fijn")
        follow_up = await sb.next_edit(anouk, containing="helpen")
        await tap(world, anouk, follow_up, "Ja, graag")
        await sb.next_message(fatma, containing="Anouk wil graag helpen")


async def test_a_look_back_question_stays_with_whom_it_was_sent_to(world: World) -> None:
    """Someone who left the group since was still asked: the question is theirs, so their
    answer counts."""
    sb = world.sb
    async with world.bot():
        await world.add_bot()
        activity_id, _, anouk = await held_activity(world)
        await sb.leave(world.group, anouk)
        await sb.settle()
        question = next(m for m in sb.bot_messages(anouk) if "Hoe was" in m.text)
        answer = await forged(world, anouk, question, f"act:rate:{activity_id}:good")
        assert answer.text is None
        await sb.next_edit(anouk, containing="helpen")
        rated = await world.services.db.fetch_value(
            "SELECT rating FROM activity_feedback WHERE activity_id = ? AND user_id = ?",
            (activity_id, anouk.id))
        assert rated == "good"


# --- private buttons on a group message ------------------------------------------------------------

async def test_private_buttons_pressed_on_a_group_message_change_nothing_there(world: World) -> None:
    """A flow's "Stop" is a private button; its data pressed on a group message once replaced
    that message in the group by the private answer (and dropped the presser's draft)."""
    sb = world.sb
    kees = world.user("Kees")
    async with world.bot():
        svc = world.services
        await world.add_bot()
        welcome = sb.bot_messages(world.group)[0]
        await sb.open_private(kees, ask_url(world))
        await sb.next_message(kees)
        await sb.say(kees, kees, "/aanbod")
        await sb.next_message(kees)
        await svc.stores.ideas.start_draft(kees.id, world.group.id, svc.clock.now())
        await sb.settle()
        before = await snapshot(world)
        for data in ("idea:stop", "rqf:stop", "pf:stop", "actf:stop", "actf:new", "wrk:cancel",
                     "cfg:stop", "lang:en", "mute:request", "fgt:yes", "rkeep:1"):
            answer = await forged(world, kees, welcome, data)
            assert answer.text, f"{data} on a group message is refused with a short line"
        await sb.settle()
        now = sb.message(world.group, welcome.message_id)
        assert now is not None and now.text == welcome.text and not now.edited
        assert sb.bot_messages(world.group) == [now], "nothing was said in the group"
        assert await snapshot(world) == before, "the drafts and everything else are as they were"


# --- a press proves no membership --------------------------------------------------------------------

async def test_a_press_from_outside_the_group_makes_nobody_a_member(world: World) -> None:
    """A public group's messages can be pressed by anyone. Such a press once recorded the
    presser as a member, who could then ask for help in a group he is not in."""
    sb = world.sb
    async with world.bot():
        svc = world.services
        await world.add_bot()
        welcome = sb.bot_messages(world.group)[0]
        piet, _ = await outsider(world, "Piet")
        for data in ("pf:stop", "lang:en", "wsh:new", f"off:b:{world.group.id}", "pair:reg:1:y",
                     "rqf:stop"):
            assert (await press_as_outsider(world, piet, welcome, data)).text
        assert await svc.memberships.get(world.group.id, piet.id) is None
        await sb.open_private(piet, ask_url(world))
        assert (await sb.next_message(piet)).text == t("nl", "request.flow.not_member")
        assert await svc.stores.requests.draft(piet.id) is None


# --- presses that are no button of the bot -------------------------------------------------------------

async def test_a_press_without_data_or_without_a_message_is_answered(world: World) -> None:
    """PTB hands a press without data to the first button handler of all, which answered
    nothing; a press on an inline message (none of ours) had no chat to answer in."""
    sb = world.sb
    kees = world.user("Kees")
    async with world.bot():
        await world.add_bot()
        welcome = sb.bot_messages(world.group)[0]
        before = await snapshot(world)
        bodies: dict[str, dict[str, Any]] = {
            "no-data": {"message": welcome.to_dict()},
            "inline": {"inline_message_id": "AgAAAB", "data": "lang:en"},
            "game": {"message": welcome.to_dict(), "game_short_name": "buren"},
        }
        for name, body in bodies.items():
            query_id = f"odd-{name}"
            sb.world.callback_queries[query_id] = CallbackQueryState(
                query_id, kees, welcome.chat_id, welcome.message_id, "")
            await sb.raw_update({"callback_query": {
                "id": query_id, "from": kees.to_dict(), "chat_instance": "3", **body}})
            answer = await sb.callback_answer(query_id)
            assert answer.text == t("nl", "error.stale_button"), name
        assert await snapshot(world) == before


async def test_updates_that_lack_fields_reach_no_handler(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    """A message without its chat once reached a command handler's filter (which failed on it)
    before the screen; a press without its presser went unanswered."""
    sb = world.sb
    kees = world.user("Kees")
    async with world.bot():
        await world.add_bot()
        welcome = sb.bot_messages(world.group)[0]
        caplog.set_level(logging.ERROR)
        handled = world.services.inbox.is_handled
        update_id = await sb.raw_update({"message": {
            "message_id": 77, "date": 1795357915, "from": kees.to_dict(), "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}})
        sb.world.callback_queries["no-from"] = CallbackQueryState(
            "no-from", kees, welcome.chat_id, welcome.message_id, "lang:en")
        await sb.raw_update({"callback_query": {
            "id": "no-from", "message": welcome.to_dict(), "chat_instance": "3", "data": "lang:en"}})
        assert (await sb.callback_answer("no-from")).text == t("nl", "error.stale_button")
        await sb.settle()
        assert await handled(update_id)
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
