"""A calm group (the bot's "do this in private" lines go after a minute; "Meld" asks once),
/zorgen always has somewhere to go, and quiet residents are asked before messages stop."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import t
from tests.harness import World, local
from tests.requests.request_steps import ask, started, store, tap


async def test_redirect_lines_in_the_group_are_removed_after_a_minute(world: World) -> None:
    sb, kees, fatma = world.sb, world.user("Kees"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await sb.say(kees, world.group, "/vraag")
        ask_line = await sb.next_message(world.group)
        assert ask_line.text == t("nl", "request.group.go_private")
        await sb.say(fatma, world.group, "/zorgen")
        worried_line = await sb.next_message(world.group)
        assert worried_line.text == t("nl", "worried.group.go_private")

        world.clock.advance(timedelta(seconds=30))
        await world.run_due()
        await sb.settle()
        assert not [e for e in sb.events if e.method == "deleteMessage"], "still there for a while"

        world.clock.advance(timedelta(seconds=31))
        await world.run_due()
        for line in (ask_line, worried_line):
            await sb.wait_for(lambda e, line=line: e.method == "deleteMessage" and e.ok
                              and e.message is not None and e.message.message_id == line.message_id)
            gone = sb.message(world.group, line.message_id)
            assert gone is not None and gone.deleted
        welcome = sb.bot_messages(world.group)[0]
        assert not welcome.deleted, "only the redirect lines go"


async def test_meld_asks_once_before_it_reports(world: World) -> None:
    sb, fatma, kees, admin = world.sb, world.user("Fatma"), world.user("Kees"), world.admin
    async with world.bot():
        await world.add_bot()
        await started(world, admin)
        first = await ask(world, fatma, text="Wie leent me een ladder?", kind="Klusje")
        second = await ask(world, fatma, text="Wie neemt post mee?", kind="Iets anders")
        asked = await tap(world, kees, first.card, "Meld")
        assert asked.text == t("nl", "report.confirm") and asked.show_alert
        reports = world.services.db
        assert await reports.fetch_value("SELECT COUNT(*) FROM reports") == 0
        # A tap on another card is not the confirmation of the first.
        assert (await tap(world, kees, second.card, "Meld")).text == t("nl", "report.confirm")
        assert await reports.fetch_value("SELECT COUNT(*) FROM reports") == 0

        assert (await tap(world, kees, first.card, "Meld")).text == t("nl", "report.thanks")
        alert = await sb.next_message(admin, containing="meldde dit bericht")
        assert "Wie leent me een ladder?" in alert.text
        assert await reports.fetch_value("SELECT COUNT(*) FROM reports") == 1

        # Too long after the first tap, a tap asks again.
        world.clock.advance(timedelta(minutes=3))
        assert (await tap(world, kees, second.card, "Meld")).text == t("nl", "report.confirm")
        assert await reports.fetch_value("SELECT COUNT(*) FROM reports") == 1


async def test_worried_always_lists_places_to_turn_to_with_or_without_a_contact(
    world: World,
) -> None:
    sb, kees = world.sb, world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        await sb.say(kees, kees, "/zorgen")
        shown = await sb.next_message(kees)
        for place in ("De huisarts, overdag", "De huisartsenpost", "Veilig Thuis", "0800-2000",
                      "Bel dan 112"):
            assert place in shown.text, place
        assert "/instellingen" in shown.text

        building = await world.services.buildings.get(world.group.id)
        assert building is not None
        await world.services.buildings.save_settings(world.group.id, building.settings.model_copy(
            update={"care_contact": "Buurtteam Noord, Sanne, 020 123 4567"}))
        await sb.say(kees, kees, "/zorgen")
        shown = await sb.next_message(kees)
        assert "Buurtteam Noord, Sanne, 020 123 4567" in shown.text
        assert "Veilig Thuis" in shown.text and "112" in shown.text


async def test_a_deployment_sets_its_own_places_to_turn_to(world: World) -> None:
    sb, john = world.sb, world.user("John")
    world.settings_overrides["care_contacts"] = (
        "Wijkteam Oost: 020 555 0101 | Huisartsenpost Amsterdam: 088 003 0600 | <Buurtzorg>"
    )
    async with world.bot():
        await world.add_bot()
        await started(world, john)
        await sb.say(john, john, "/worried")
        shown = await sb.next_message(john)
        assert "• Wijkteam Oost: 020 555 0101\n• Huisartsenpost Amsterdam: 088 003 0600\n" \
               "• <Buurtzorg>" in shown.text
        assert "Veilig Thuis" not in shown.text and "Call 112" in shown.text


async def test_a_quiet_resident_is_asked_once_before_messages_stop(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma)
        for day in ("10-2", "15-2", "20-2"):  # nobody takes them; Fatma does not come back
            await ask(world, fatma, text=f"Wie helpt me op {day}?", when=day)

        sb.mark()
        world.clock.set(local(2027, 2, 11, 9, 0))  # 80 days without using the bot
        await world.run_due()
        question = await sb.next_message(fatma, containing="Blijf sturen")
        assert question.text.startswith("Je hebt mij al een tijd niet gebruikt.")
        assert question.button_texts() == ["Blijf sturen"]
        await sb.next_message(fatma, containing="Niemand kon helpen met je vraag")

        sb.mark()
        world.clock.set(local(2027, 2, 16, 9, 0))
        await world.run_due()
        await sb.settle()
        assert not [e for e in sb.events_since_mark()
                    if e.method == "sendMessage" and e.chat_id == fatma.id], "asked once, then calm"
        closed = [r for r in await store(world).involving(fatma.id) if r.status.value == "expired"]
        assert len(closed) == 2

        assert (await tap(world, fatma, question, "Blijf sturen")).text is None
        kept = await sb.next_edit(fatma, containing="blijft")
        assert kept.text == t("nl", "notify.quiet.kept")
        world.clock.set(local(2027, 5, 1, 9, 0))  # quiet again for months: still kept
        assert await world.services.out.prompt(fatma.id, "request", "Lukt het morgen?")
        await sb.next_message(fatma, containing="Lukt het morgen?")
        asked = [e for e in sb.events if e.method == "sendMessage" and e.chat_id == fatma.id
                 and "Blijf sturen" in str(e.params.get("text"))]
        assert len(asked) == 1, "asked once"
