"""A group that becomes a supergroup takes everything along: its rows, its schedule, and the cards
that are still in use, which go up in the supergroup once. A message id is a number within one
chat, so nothing the bot kept from the old chat may ever point into the new one."""

from __future__ import annotations

from bot.domain.requests import RequestStatus
from bot.i18n import plain, t
from sandbox import SandboxChat
from tests.activities.test_activities_e2e import activity_of, post_prepared
from tests.harness import World
from tests.requests.request_steps import ask, started, store, tap


def next_message_id(world: World, chat: SandboxChat) -> int:
    """The number the next message in `chat` gets (the sandbox counts per chat, as Telegram)."""
    return max((m.message_id for m in world.sb.world.chat_messages(chat.id)), default=0) + 1


async def test_an_open_request_is_offered_again_in_the_supergroup_once(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, kees)
        posted = await ask(world, fatma)
        old_id = world.group.id
        supergroup = await sb.migrate_to_supergroup(world.group)
        card = await sb.next_message(supergroup, containing="Wie neemt melk")
        assert card.button_texts() == ["Ik help", "Meld"]

        stale = await tap(world, kees, posted.card, "Ik help")
        assert stale.text == plain("nl", "error.stale_button")
        claimed = await tap(world, kees, card, "Ik help")
        assert claimed.text == plain("nl", "request.answer.claimed")
        assert "Fatma" in (await sb.next_message(kees)).text
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.CLAIMED
        assert saved.building_id == supergroup.id and saved.card_message_id == card.message_id
        await sb.settle()
    assert world.sb.message(world.group, posted.card.message_id) is not None, "old card left be"
    async with world.bot():
        await sb.settle()
        cards = [m for m in sb.bot_messages(supergroup) if "Wie neemt melk" in m.text]
        assert [m.message_id for m in cards] == [card.message_id], "posted anew exactly once"
        assert await world.services.buildings.get(old_id) is None


async def test_withdrawing_an_old_request_never_touches_another_live_card(world: World) -> None:
    """The supergroup numbers its messages from 1 again: the old card's number comes round to
    another request's card, which must not be edited when the old request is withdrawn."""
    sb, fatma, anouk = world.sb, world.user("Fatma"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, anouk)
        first = await ask(world, fatma, text="Wie neemt melk voor me mee?")
        supergroup = await sb.migrate_to_supergroup(world.group)
        await sb.settle()
        while next_message_id(world, supergroup) < first.card.message_id:
            await sb.say(world.user("Kees"), supergroup, "Goedemorgen allemaal")
        assert next_message_id(world, supergroup) == first.card.message_id
        second = await ask(world, anouk, kind="Klusje", text="Wie helpt met een lamp?",
                           group=supergroup, link_group=world.group)
        assert second.card.message_id == first.card.message_id, "the numbers meet"
        await sb.settle()

        await tap(world, fatma, first.controls, "Stop mijn vraag")
        assert (await sb.next_edit(fatma)).text == t("nl", "request.cancel.done")
        await sb.settle()
        live = sb.message(supergroup, second.card.message_id)
        assert live is not None and "Wie helpt met een lamp?" in live.text
        assert live.button_texts() == ["Ik help", "Meld"]
        reposted = [m for m in sb.bot_messages(supergroup) if "Boodschappen" in m.text]
        assert len(reposted) == 1 and "gestopt" in reposted[0].text
        still_open = await store(world).get(second.request_id)
        assert still_open is not None and still_open.status is RequestStatus.OPEN


async def test_rows_that_name_the_old_group_move_with_it(world: World) -> None:
    """A pending /wisgroep confirmation lives in the old chat: it goes, and its buttons with it.
    Schedule rows named after the group follow it, so the week's digest stays one."""
    sb, admin = world.sb, world.admin
    async with world.bot():
        await world.add_bot()
        svc = world.services
        old_id = world.group.id
        await world.run_due()
        digests = await svc.db.fetch_all(
            "SELECT ref FROM schedule WHERE building_id = ? AND kind = 'digest'", (old_id,))
        assert digests and all(row[0].startswith(f"{old_id}:") for row in digests)
        await sb.say(admin, world.group, "/wisgroep")
        question = await sb.next_message(world.group)
        assert question.text == t("nl", "erase.ask1")
        supergroup = await sb.migrate_to_supergroup(world.group)
        await sb.settle()
        assert await svc.db.fetch_value("SELECT COUNT(*) FROM group_erasures") == 0
        refs = [row[0] for row in await svc.db.fetch_all(
            "SELECT ref FROM schedule WHERE building_id = ? AND kind = 'digest'",
            (supergroup.id,))]
        assert refs == [f"{supergroup.id}:{row[0].split(':', 1)[1]}" for row in digests]
        assert await svc.db.fetch_value(
            f"SELECT COUNT(*) FROM schedule WHERE {svc.db.sql.position('?', 'ref')} > 0",
            (str(old_id),)) == 0

        pressed = await tap(world, admin, question, "Ja, wis alles")
        assert pressed.text == plain("nl", "error.stale_button")
        await sb.say(world.user("Kees"), supergroup, "/help")
        assert "Dit kun je" in (await sb.next_message(supergroup)).text
        assert await svc.memberships.get(supergroup.id, world.user("Kees").id) is not None


async def test_open_activities_and_ideas_go_up_in_the_supergroup_once(world: World) -> None:
    sb, anouk, kees, fatma = world.sb, world.user("Anouk"), world.user("Kees"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        old_card = await post_prepared(world, anouk, title="Samen soep eten")
        activity_id = await activity_of(world, old_card)
        await sb.say(fatma, world.group, "/idee Samen een moestuin op het dak")
        old_idea = await sb.next_message(world.group, containing="moestuin")
        supergroup = await sb.migrate_to_supergroup(world.group)
        card = await sb.next_message(supergroup, containing="Samen soep eten")
        idea = await sb.next_message(supergroup, containing="moestuin")
        assert card.button_texts() == old_card.button_texts()
        assert idea.button_texts() == ["Doe mee", "Toch niet", "Meld"]

        stale = await tap(world, kees, old_card, "Ik kom")
        assert stale.text == plain("nl", "error.stale_button")
        assert (await tap(world, kees, card, "Ik kom")).text is not None
        assert "1" in (await sb.next_edit(supergroup, containing="Samen soep eten")).text
        assert (await tap(world, kees, old_idea, "Doe mee")).text == plain("nl", "error.stale_button")
        assert (await tap(world, kees, idea, "Doe mee")).text == t("nl", "idea.answer.joined")
        going = await world.services.db.fetch_value(
            "SELECT COUNT(*) FROM activity_rsvps WHERE activity_id = ? AND user_id = ?",
            (activity_id, kees.id))
        assert going == 1
        await sb.settle()
    async with world.bot():
        await sb.settle()
        for text in ("Samen soep eten", "moestuin"):
            assert len([m for m in sb.bot_messages(supergroup) if text in m.text]) == 1


async def test_what_waits_for_the_old_group_never_lands_on_another_message(world: World) -> None:
    """Sends still waiting for the old group follow it; an edit of one of its messages stays
    behind (the same number is another message in the supergroup), and a reply to one goes out
    as a plain message."""
    sb, kees = world.sb, world.user("Kees")
    async with world.bot():
        await world.add_bot()
        old_id = world.group.id
        supergroup = await sb.migrate_to_supergroup(world.group)
        await sb.settle()
        await sb.say(kees, supergroup, "/help")
        answer = await sb.next_message(supergroup, containing="Dit kun je")
        out = world.services.out
        await out.edit(old_id, answer.message_id, "Vergadering verplaatst")
        await out.message(old_id, "Vergadering om acht uur", reply_to=answer.message_id)
        moved = await sb.next_message(supergroup, containing="Vergadering om acht uur")
        assert moved.reply_to is None
        await sb.settle()
        untouched = sb.message(supergroup, answer.message_id)
        assert untouched is not None and untouched.text == answer.text
        states = {row[0]: row[1] for row in await world.services.db.fetch_all(
            "SELECT method, state FROM outbox WHERE payload LIKE '%Vergadering%'")}
        assert states == {"editMessageText": "skipped", "sendMessage": "sent"}
