""""Meld" on activity and idea cards, through the sandbox as residents would: a neighbour reports
a card, the group's admin hears of it privately without learning who, only an admin can hide
it, and hiding takes the card out of the group and the thing out of use."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import t
from sandbox import CallbackAnswer, SandboxMessage, SandboxUser
from storage.activities import ActivityStore
from storage.ideas import IdeaStore
from tests.activities.test_activities_e2e import activity_of, post_prepared
from tests.harness import World


async def tap(world: World, user: SandboxUser, message: SandboxMessage, button: str) -> CallbackAnswer:
    return await (await world.sb.tap(user, message, button)).answer()


async def started(world: World, *users: SandboxUser) -> None:
    for user in users:
        await world.sb.open_private(user)
        await world.sb.next_message(user)


async def report_and_alert(world: World, reporter: SandboxUser, card: SandboxMessage,
                           summary: str) -> SandboxMessage:
    """The neighbour presses "Meld" (and again, to confirm); the admin's private alert names the
    card, not the reporter."""
    confirm = await tap(world, reporter, card, "Meld")
    assert confirm.text == t("nl", "report.confirm") and confirm.show_alert
    thanks = await tap(world, reporter, card, "Meld")
    assert thanks.text == t("nl", "report.thanks") and thanks.show_alert
    alert = await world.sb.next_message(world.admin, containing="meldde dit bericht")
    assert summary in alert.text and "Flat De Linde" in alert.text
    assert reporter.first_name not in alert.text and str(reporter.id) not in alert.html
    assert alert.button_texts() == ["Verbergen", "Laten staan"]
    assert not [m for m in world.sb.bot_messages(world.group) if "meldde" in m.text], "never in the group"
    return alert


async def a_resident_cannot_hide(world: World, resident: SandboxUser, alert: SandboxMessage,
                                 card: SandboxMessage) -> None:
    """The admin's button, forwarded to (or forged by) a resident, changes nothing."""
    hide = next(b["callback_data"] for row in alert.buttons() for b in row if b["text"] == "Verbergen")
    own_chat = world.sb.bot_messages(resident)[0]
    refused = await (await world.sb.tap(resident, own_chat, str(hide), forged=True)).answer()
    assert refused.text == t("nl", "report.admin_only") and refused.show_alert
    still = world.sb.message(world.group, card.message_id)
    assert still is not None and not still.deleted
    assert await world.services.db.fetch_value("SELECT state FROM reports") == "open"


async def test_a_reported_activity_is_hidden_by_an_admin_and_called_off(world: World) -> None:
    sb, admin = world.sb, world.admin
    anouk, kees, youssef = world.user("Anouk"), world.user("Kees"), world.user("Youssef")
    async with world.bot():
        await world.add_bot()
        await started(world, admin, kees, youssef)
        card = await post_prepared(world, anouk, title="Gratis iPhones", place="Bij mij")
        assert card.button_texts()[-1] == "Meld"
        activity_id = await activity_of(world, card)
        await tap(world, kees, card, "Ik kom")

        alert = await report_and_alert(world, youssef, card, "Gratis iPhones")
        await a_resident_cannot_hide(world, kees, alert, card)

        await tap(world, admin, alert, "Verbergen")
        assert (await sb.next_edit(admin)).text == t("nl", "report.hidden")
        await world.delivered()
        gone = sb.message(world.group, card.message_id)
        assert gone is not None and gone.deleted
        activity = await ActivityStore(world.services.db).get(activity_id)
        assert activity is not None and activity.status.value == "cancelled"
        assert activity.removed_at is not None
        told = await sb.next_message(anouk, containing="Een beheerder heeft je activiteit")
        assert "Gratis iPhones" in told.text and "Youssef" not in told.text
        assert "gaat niet door" in (await sb.next_message(kees, containing="Gratis iPhones")).text

        # Nothing reminds anyone of it any more, and the deleted card is never edited again.
        sb.mark()
        world.clock.advance(timedelta(days=3))
        await world.run_due()
        await sb.settle()
        assert not [e for e in sb.events_since_mark() if e.chat_id in (kees.id, anouk.id)]
        assert not [e for e in sb.events if not e.ok and e.chat_id == world.group.id]
        assert await world.services.db.fetch_value("SELECT state FROM reports") == "hidden"


async def test_a_reported_idea_is_hidden_by_an_admin_and_closed(world: World) -> None:
    sb, admin = world.sb, world.admin
    fatma, kees, youssef = world.user("Fatma"), world.user("Kees"), world.user("Youssef")
    async with world.bot():
        await world.add_bot()
        await started(world, admin, fatma, kees, youssef)
        await sb.say(fatma, world.group, "/idee Koop mijn oude spullen, heel goedkoop")
        card = await sb.next_message(world.group, containing="oude spullen")
        assert card.button_texts() == ["Doe mee", "Toch niet", "Meld"]
        idea_id = int(str(card.buttons()[0][0]["callback_data"]).split(":")[2])
        await tap(world, kees, card, "Doe mee")

        alert = await report_and_alert(world, youssef, card, "Koop mijn oude spullen")
        await a_resident_cannot_hide(world, kees, alert, card)

        await tap(world, admin, alert, "Verbergen")
        assert (await sb.next_edit(admin)).text == t("nl", "report.hidden")
        await world.delivered()
        gone = sb.message(world.group, card.message_id)
        assert gone is not None and gone.deleted
        idea = await IdeaStore(world.services.db).get(idea_id)
        assert idea is not None and idea.removed_at is not None and not idea.is_open
        told = await sb.next_message(fatma, containing="Een beheerder heeft je idee")
        assert "oude spullen" in told.text and "Youssef" not in told.text

        # Once decided, the report is done: pressing again (an old copy) says so, changes nothing.
        report_id = await world.services.db.fetch_value("SELECT id FROM reports")
        again = await (await sb.tap(admin, alert, f"rhide:{report_id}", forged=True)).answer()
        assert again.text == t("nl", "report.done_before")
        assert await world.services.db.fetch_value("SELECT state FROM reports") == "hidden"
        await sb.settle()
        assert not [e for e in sb.events if not e.ok and e.chat_id == world.group.id]
