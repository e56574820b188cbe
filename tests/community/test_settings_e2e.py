"""Group settings by the group's admins, and each resident's own notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

import bot.app as bot_app
from bot.domain.digest import fanout_offset
from bot.i18n import t
from bot.services import Services
from sandbox import SandboxMessage, SandboxUser
from storage.prompts import PromptStore
from tests.harness import World, local

DIGEST_TITLE = "Deze week in Flat De Linde"
LINE = "• Vrijdag samen koken"


@pytest.fixture(autouse=True)
def digest_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bot started here has one line to say in the digest."""
    wire: Callable[[Any, Services], None] = bot_app.wire

    def wire_with_line(app: Any, svc: Services) -> None:
        wire(app, svc)

        async def source(building_id: int, lang: str, now: datetime) -> list[str]:
            return [LINE]

        svc.digest_sources.append(source)

    monkeypatch.setattr(bot_app, "wire", wire_with_line)


async def press(world: World, user: SandboxUser, message: SandboxMessage, button: str) -> str:
    """Press a menu button; returns the answer shown to the presser."""
    result = await world.sb.tap(user, message, button)
    return (await result.answer()).text or ""


async def open_menu(world: World) -> SandboxMessage:
    await world.sb.say(world.admin, world.group, "/instellingen")
    return await world.sb.next_message(world.group, containing="Instellingen voor")


async def digest_due(world: World) -> list[datetime]:
    return [item.due_at for item in await world.services.scheduler.store.pending("digest")]


async def test_admin_moves_the_digest_and_it_applies_without_restart(world: World) -> None:
    sb = world.sb
    kees = world.user("Kees")
    offset = fanout_offset(world.group.id)
    async with world.bot():
        await world.add_bot()
        await world.run_due()
        assert await digest_due(world) == [local(2026, 11, 29, 19) + offset]

        menu = await open_menu(world)
        assert "Weekoverzicht: zondag om 19:00" in menu.text
        await press(world, world.admin, menu, "Weekoverzicht")
        menu = await sb.next_edit(world.group)
        assert await press(world, world.admin, menu, "wo") == "Bewaard."
        menu = await sb.next_edit(world.group)
        assert await press(world, world.admin, menu, "10:00") == "Bewaard."
        menu = await sb.next_edit(world.group)
        assert "✓ wo" in menu.button_texts() and "✓ 10:00" in menu.button_texts()
        assert await digest_due(world) == [local(2026, 11, 25, 10) + offset]

        # Anyone else gets a kind no, and nothing changes.
        answer = await sb.tap(kees, menu, "✓ 10:00")
        said = await answer.answer()
        assert said.text == t("nl", "settings.admin_only_short") and said.show_alert
        await sb.say(kees, world.group, "/instellingen")
        refusal = await sb.next_message(world.group)
        assert refusal.text == t("nl", "settings.admin_only")
        building = await world.services.buildings.get(world.group.id)
        assert building is not None
        assert (building.settings.digest_weekday, building.settings.digest_hour) == (2, 10)

        world.clock.set(local(2026, 11, 25, 10) + offset + timedelta(minutes=1))
        await world.run_due()
        digest = await sb.next_message(world.group, containing=DIGEST_TITLE)
        assert LINE in digest.text

        await press(world, world.admin, menu, "Terug")
        menu = await sb.next_edit(world.group)
        await press(world, world.admin, menu, "Klaar")
        closed = await sb.next_edit(world.group)
        assert "Weekoverzicht: woensdag om 10:00" in closed.text
        assert closed.reply_markup is None or not closed.buttons()


async def test_quiet_hours_move_the_digest_and_nudges_can_be_turned_off(world: World) -> None:
    sb = world.sb
    async with world.bot():
        await world.add_bot()
        await world.run_due()
        assert len(await world.services.scheduler.store.pending("nudge")) == 1

        menu = await open_menu(world)
        await press(world, world.admin, menu, "Stille uren")
        menu = await sb.next_edit(world.group)
        await press(world, world.admin, menu, "20:00 – 09:00")
        menu = await sb.next_edit(world.group)
        await press(world, world.admin, menu, "Terug")
        menu = await sb.next_edit(world.group)
        await press(world, world.admin, menu, "Weekoverzicht")
        menu = await sb.next_edit(world.group)
        await press(world, world.admin, menu, "20:00")
        menu = await sb.next_edit(world.group)
        assert await digest_due(world) == [local(2026, 11, 30, 9, 0)]  # moved to the morning

        await press(world, world.admin, menu, "Terug")
        menu = await sb.next_edit(world.group)
        await press(world, world.admin, menu, "Duwtjes")
        menu = await sb.next_edit(world.group)
        await press(world, world.admin, menu, "Uit")
        menu = await sb.next_edit(world.group)
        assert "✓ Uit" in menu.button_texts()
        await world.run_due()
        assert await world.services.scheduler.store.pending("nudge") == []

        world.clock.set(local(2026, 11, 29, 20, 30))
        await world.run_due()
        await sb.settle()
        assert not [m for m in sb.bot_messages(world.group) if DIGEST_TITLE in m.text]
        world.clock.set(local(2026, 11, 30, 9, 1))
        await world.run_due()
        await sb.next_message(world.group, containing=DIGEST_TITLE)


async def test_group_language_from_the_menu(world: World) -> None:
    sb = world.sb
    async with world.bot():
        await world.add_bot()
        menu = await open_menu(world)
        await press(world, world.admin, menu, "Taal")
        menu = await sb.next_edit(world.group)
        assert await press(world, world.admin, menu, "English") == "Saved."
        menu = await sb.next_edit(world.group)
        assert "Settings for Flat De Linde" in menu.text
        assert "Weekly overview: Sunday at 19:00" in menu.text


async def test_care_contact_typed_privately_survives_a_restart(world: World) -> None:
    sb = world.sb
    marieke, kees = world.admin, world.user("Kees")
    async with world.bot():
        await world.add_bot()
        menu = await open_menu(world)
        await press(world, marieke, menu, "Contact bij zorgen")
        menu = await sb.next_edit(world.group)
        url = menu.url_buttons()["Typ het contact privé"]

        await sb.open_private(kees, url)  # not an admin
        assert (await sb.next_message(kees)).text == t("nl", "settings.contact.not_admin")

        await sb.open_private(marieke, url)
        ask = await sb.next_message(marieke)
        assert "Typ nu het contact bij zorgen" in ask.text
        await sb.say(marieke, marieke, "x" * 501)
        too_long = await sb.next_message(marieke)
        assert "501 letters" in too_long.text
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.settings.care_contact == ""

    async with world.bot():  # the bot restarted while Marieke was typing
        await sb.say(marieke, marieke, "Wijkteam Noord, Sanne, 020 123 4567")
        saved = await sb.next_message(marieke)
        assert "Wijkteam Noord, Sanne, 020 123 4567" in saved.text
        building = await world.services.buildings.get(world.group.id)
        assert building is not None
        assert building.settings.care_contact == "Wijkteam Noord, Sanne, 020 123 4567"
        await sb.say(marieke, marieke, "/zorgen")  # what neighbours are shown
        shown = await sb.next_message(marieke)
        assert "Wijkteam Noord, Sanne, 020 123 4567" in shown.text

        # A second time she thinks better of it.
        await sb.open_private(marieke, url)
        ask = await sb.next_message(marieke)
        await press(world, marieke, ask, "Stop")
        assert (await sb.next_edit(marieke)).text == t("nl", "settings.contact.cancelled")

        # A third time she moves on to something else: her next text is not taken as contact.
        drafts = PromptStore(world.services.db)
        await sb.open_private(marieke, url)
        await sb.next_message(marieke)
        assert await drafts.draft(marieke.id, world.clock.now()) is not None
        await sb.say(marieke, marieke, "/help")
        await sb.next_message(marieke, containing="Dit kun je")
        assert await drafts.draft(marieke.id, world.clock.now()) is None

        # In the group, typed after the command; the text is shown as typed, never as HTML.
        await sb.say(marieke, world.group, "/instellingen contact <b>Buurtteam</b> & co")
        confirm = await sb.next_message(world.group)
        assert "<b>Buurtteam</b> & co" in confirm.text
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.settings.care_contact == "<b>Buurtteam</b> & co"


async def test_residents_mute_prompts_and_rest_after_two_months(world: World) -> None:
    sb = world.sb
    fatma, kees = world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        svc = world.services
        await sb.open_private(fatma)
        await sb.next_message(fatma)
        await sb.say(fatma, fatma, "/meldingen")
        menu = await sb.next_message(fatma)
        assert "Herinneringen voor activiteiten: aan" in menu.button_texts()
        assert await press(world, fatma, menu, "Herinneringen voor activiteiten: aan") == "Bewaard."
        menu = await sb.next_edit(fatma)
        assert "Herinneringen voor activiteiten: uit" in menu.button_texts()

        now = svc.clock.now()
        assert not await svc.may_prompt(fatma.id, "activity", now)
        assert await svc.may_prompt(fatma.id, "request", now)
        assert await svc.out.prompt(fatma.id, "activity", "Morgen soep!") is False
        sent = await svc.out.prompt(fatma.id, "request", "Lukt het morgen?")
        assert sent is True
        await sb.next_message(fatma, containing="Lukt het morgen?")

        world.clock.advance(timedelta(days=61))  # Fatma did not use the bot for two months
        assert await svc.may_prompt(fatma.id, "request", svc.clock.now())  # asked once first
        await sb.next_message(fatma, containing="Blijf sturen")
        assert not await svc.may_prompt(fatma.id, "request", svc.clock.now())
        await sb.say(fatma, fatma, "/meldingen")  # she is back
        await sb.next_message(fatma, containing="Welke berichten")
        assert await svc.may_prompt(fatma.id, "request", svc.clock.now())
        assert not await svc.may_prompt(fatma.id, "activity", svc.clock.now())

        await sb.say(kees, world.group, "/meldingen")
        pointer = await sb.next_message(world.group)
        await sb.open_private(kees, pointer.url_buttons()["Open Omzien"])
        private_menu = await sb.next_message(kees)
        assert "Welke berichten wil je privé van mij krijgen?" in private_menu.text


async def test_stop_ends_the_wait_for_the_care_contact(world: World) -> None:
    sb = world.sb
    marieke = world.admin
    async with world.bot():
        await world.add_bot()
        menu = await open_menu(world)
        await press(world, marieke, menu, "Contact bij zorgen")
        url = (await sb.next_edit(world.group)).url_buttons()["Typ het contact privé"]
        await sb.open_private(marieke, url)
        await sb.next_message(marieke, containing="Typ nu het contact bij zorgen")

        await sb.say(marieke, marieke, "/stop")
        stopped = await sb.next_message(marieke)
        assert stopped.text == t("nl", "settings.contact.cancelled")
        await sb.say(marieke, marieke, "Wijkteam Zuid")  # no longer taken as the contact
        await sb.settle()
        building = await world.services.buildings.get(world.group.id)
        assert building is not None and building.settings.care_contact == ""
