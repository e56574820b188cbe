"""Who is in a group is asked of Telegram again when the bot may have missed a leave: after the
bot was away from the group, and when the last word on someone there is older than
`MEMBERSHIP_TRUSTED_FOR`. Someone found gone is treated as if the bot had seen them leave."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.community import MEMBERSHIP_TRUSTED_FOR, Membership, MemberStatus
from bot.domain.requests import RequestStatus
from bot.i18n import plain, t
from tests.harness import START, World
from tests.requests.request_steps import ask, press_as_outsider, started, store, tap


def test_a_membership_is_trusted_for_a_while_then_asked_again() -> None:
    known = Membership(building_id=-1, user_id=1, status=MemberStatus.MEMBER, joined_at=START,
                       updated_at=START, confirmed_at=START)
    assert not known.needs_check(START + MEMBERSHIP_TRUSTED_FOR)
    assert known.needs_check(START + MEMBERSHIP_TRUSTED_FOR + timedelta(seconds=1))
    unknown = known.model_copy(update={"confirmed_at": None})
    assert unknown.needs_check(START)
    assert timedelta(days=30) == MEMBERSHIP_TRUSTED_FOR


async def test_someone_who_left_while_the_bot_was_away_is_no_member_when_it_returns(
        world: World) -> None:
    sb, admin = world.sb, world.admin
    fatma, kees, anouk = world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, kees, anouk)
        for neighbour in (kees, anouk):
            await sb.say(neighbour, world.group, "/help")
            await sb.next_message(world.group)
        posted = await ask(world, fatma)

        await sb.remove_bot_from_group(world.group, by=admin)
        await sb.leave(world.group, kees)
        await sb.add_bot_to_group(world.group, by=admin)
        await sb.next_message(world.group, containing="Hoi")
        await sb.settle()

        forged = await press_as_outsider(world, kees, posted.card, f"req:c:{posted.request_id}")
        assert forged.text == plain("nl", "request.answer.not_member") and forged.show_alert
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.OPEN
        membership = await world.services.memberships.get(world.group.id, kees.id)
        assert membership is not None and not membership.is_current
        await sb.say(kees, kees, "/vraag")
        assert (await sb.next_message(kees)).text == t("nl", "request.flow.no_building")

        claimed = await tap(world, anouk, posted.card, "Ik help")
        assert claimed.text == plain("nl", "request.answer.claimed"), "who stayed still counts"


async def test_a_leave_telegram_never_delivered_is_found_after_a_long_silence(
        world: World) -> None:
    """The bot was down longer than Telegram keeps updates: Kees's leave never arrived. A month
    on, his press is checked with Telegram, and what he held is let go as on any leave."""
    sb = world.sb
    fatma, kees, anouk = world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, kees, anouk)
        for neighbour in (kees, anouk):
            await sb.say(neighbour, world.group, "/help")
            await sb.next_message(world.group)
        await sb.settle()
    await sb.leave(world.group, kees)
    sb.world.updates.clear()
    world.clock.advance(MEMBERSHIP_TRUSTED_FOR + timedelta(days=1))
    async with world.bot():
        await sb.settle()
        posted = await ask(world, fatma)
        forged = await press_as_outsider(world, kees, posted.card, f"req:c:{posted.request_id}")
        assert forged.text == plain("nl", "request.answer.not_member")
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.status is RequestStatus.OPEN
        gone = await world.services.memberships.get(world.group.id, kees.id)
        assert gone is not None and gone.status is MemberStatus.LEFT

        claimed = await tap(world, anouk, posted.card, "Ik help")
        assert claimed.text == plain("nl", "request.answer.claimed")
        stayed = await world.services.memberships.get(world.group.id, anouk.id)
        assert stayed is not None and stayed.confirmed_at == world.clock.now()
