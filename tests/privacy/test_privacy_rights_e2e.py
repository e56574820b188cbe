"""A resident's and a group's rights over their data, driven through the sandbox as people would:
/privacy, /mijngegevens, /vergeetmij, the nightly clean-up and /wisgroep."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.domain.privacy import EXPORT_FILE_NAME
from bot.i18n import t, tsn
from handlers.privacy.jobs import RETENTION_KIND
from sandbox import SandboxMessage, SandboxUser
from tests.harness import World
from tests.requests.request_steps import ask, started


class NotesData:
    """A stand-in for a colleague's feature: keeps a note per resident, says what, can forget."""

    name = "test_notes"

    def __init__(self, notes: dict[int, list[str]]) -> None:
        self.notes = notes
        self.forgotten: list[int] = []
        self.expired: list[datetime] = []

    async def export(self, user_id: int) -> dict[str, Any]:
        return {"notes": list(self.notes.get(user_id, []))}

    async def forget(self, user_id: int, now: datetime) -> None:
        self.notes.pop(user_id, None)
        self.forgotten.append(user_id)

    async def expire(self, before: datetime) -> int:
        self.expired.append(before)
        return 0


async def _join_privately(world: World, user: SandboxUser, welcome: SandboxMessage) -> None:
    """The resident taps "Begin hier" in the group: a private chat tied to the building."""
    await world.sb.open_private(user, welcome.url_buttons()["Begin hier"])
    await world.sb.next_message(user)


async def _welcome(world: World) -> SandboxMessage:
    await world.sb.add_bot_to_group(world.group, by=world.admin)
    return await world.sb.next_message(world.group)


def without_this_request(document: dict[str, Any]) -> dict[str, Any]:
    """The export without the /mijngegevens message that asked for it (kept like any message
    to the bot until the nightly clean-up, so it is in the file too)."""
    stored = document["data"]["resident"]["stored_updates"]
    asked = [u for u in stored if u.get("text") == "/mijngegevens"]
    assert len(asked) == 1 and asked[0]["handled_at"] is None
    rest = [u for u in stored if u is not asked[0]]
    return {**document, "data": {**document["data"], "resident": {
        **document["data"]["resident"], "stored_updates": rest}}}


async def _export(world: World, user: SandboxUser) -> tuple[SandboxMessage, dict[str, Any], str]:
    await world.sb.say(user, user, "/mijngegevens")
    sent = await world.sb.next_message(user)
    assert sent.document is not None, "the export comes as a file"
    raw = world.sb.file_bytes(sent).decode()
    return sent, json.loads(raw), raw


async def test_privacy_explains_in_plain_words_in_group_and_private(world: World) -> None:
    john = world.user("John")
    async with world.bot():
        await world.add_bot()
        await world.sb.say(world.user("Kees"), world.group, "/privacy")
        in_group = await world.sb.next_message(world.group)
        assert in_group.text == t("nl", "privacy.text", days=tsn("nl", "privacy.days", 90),
                                 grace=tsn("nl", "privacy.days", 30)).replace("<b>", "").replace(
            "</b>", "")
        assert "90 dagen" in in_group.text and "/vergeetmij" in in_group.text
        await world.sb.open_private(john)
        await world.sb.next_message(john)
        await world.sb.say(john, john, "/privacy")
        private = await world.sb.next_message(john)
        assert "90 days" in private.text and "/forgetme" in private.text and "/mydata" in private.text


async def test_export_lists_everything_of_the_resident_and_nothing_of_others(world: World) -> None:
    fatma, kees = world.user("Fatma"), world.user("Kees")
    async with world.bot():
        welcome = await _welcome(world)
        svc = world.services
        notes = NotesData({fatma.id: ["boodschappen op dinsdag"], kees.id: ["kees-geheim"]})
        svc.personal_data.append(notes)
        await _join_privately(world, fatma, welcome)
        await _join_privately(world, kees, welcome)
        await world.sb.say(kees, kees, "/taal")
        await (await world.sb.tap(kees, await world.sb.next_message(kees), "English")).answer()

        sent, document, raw = await _export(world, fatma)
        assert sent.document.file_name == EXPORT_FILE_NAME
        assert sent.text == t("nl", "data.export.caption")
        assert document["omzien_export"]["user_id"] == fatma.id
        data = document["data"]
        assert set(data) == {personal.name for personal in svc.personal_data}
        assert data["resident"]["profile"]["first_name"] == "Fatma"
        assert data["resident"]["profile"]["telegram_language"] == "nl"
        assert [m["building"] for m in data["resident"]["memberships"]] == ["Flat De Linde"]
        assert data["test_notes"] == {"notes": ["boodschappen op dinsdag"]}
        for other in ("Kees", str(kees.id), "kees-geheim", "Marieke", str(world.admin.id)):
            assert other not in raw, f"the export of Fatma mentions {other}"


async def test_mydata_in_the_group_points_to_the_private_chat(world: World) -> None:
    anouk = world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await world.sb.say(anouk, world.group, "/mijngegevens")
        pointer = await world.sb.next_message(world.group)
        assert pointer.text == t("nl", "data.go_private")
        assert pointer.document is None
        await world.sb.open_private(anouk, pointer.url_buttons()["Open Omzien"])
        sent = await world.sb.next_message(anouk, containing=t("nl", "data.export.caption"))
        document = json.loads(world.sb.file_bytes(sent))
        assert document["data"]["resident"]["profile"]["first_name"] == "Anouk"


async def test_forget_erases_everything_and_is_harmless_twice(world: World) -> None:
    fatma, kees = world.user("Fatma"), world.user("Kees")
    departures: list[tuple[int, int]] = []

    async def on_departure(building_id: int, user_id: int, now: datetime) -> None:
        departures.append((building_id, user_id))

    async with world.bot():
        welcome = await _welcome(world)
        svc = world.services
        notes = NotesData({fatma.id: ["soep"], kees.id: ["fiets"]})
        svc.personal_data.append(notes)
        svc.departure_hooks.append(on_departure)
        await _join_privately(world, fatma, welcome)
        await _join_privately(world, kees, welcome)

        await world.sb.say(fatma, fatma, "/vergeetmij")
        ask = await world.sb.next_message(fatma)
        assert ask.button_texts() == ["Ja, wis alles", "Nee"]
        await (await world.sb.tap(fatma, ask, "Nee")).answer()
        assert (await world.sb.next_edit(fatma)).text == t("nl", "data.forget.kept")
        assert await svc.residents.get(fatma.id) is not None and notes.forgotten == []

        await world.sb.say(fatma, fatma, "/vergeetmij")
        ask = await world.sb.next_message(fatma)
        await (await world.sb.tap(fatma, ask, "Ja, wis alles")).answer()
        assert (await world.sb.next_edit(fatma)).text == t("nl", "data.forget.done")
        assert departures == [(world.group.id, fatma.id)]
        assert notes.forgotten == [fatma.id]
        assert await svc.residents.get(fatma.id) is None
        assert await svc.memberships.get(world.group.id, fatma.id) is None

        _, document, raw = await _export(world, fatma)
        assert without_this_request(document)["data"]["resident"] == {
            "profile": None, "memberships": [], "links_created": [], "stored_updates": []}
        assert document["data"]["test_notes"] == {"notes": []}
        assert "Fatma" not in json.dumps(without_this_request(document)) and "soep" not in raw

        await world.sb.say(fatma, fatma, "/vergeetmij")
        again = await world.sb.next_message(fatma)
        await (await world.sb.tap(fatma, again, "Ja, wis alles")).answer()
        assert (await world.sb.next_edit(fatma)).text == t("nl", "data.forget.done")
        assert departures == [(world.group.id, fatma.id)], "nothing left to leave the second time"
        assert (await svc.residents.get(kees.id)) is not None
        assert notes.notes == {kees.id: ["fiets"]}
        assert await svc.memberships.get(world.group.id, kees.id) is not None


async def test_forgetme_in_the_group_opens_the_confirmation_privately(world: World) -> None:
    youssef = world.user("Youssef")
    async with world.bot():
        await world.add_bot()
        await world.sb.say(youssef, world.group, "/vergeetmij")
        pointer = await world.sb.next_message(world.group)
        assert pointer.text == t("nl", "data.go_private")
        await world.sb.open_private(youssef, pointer.url_buttons()["Open Omzien"])
        ask = await world.sb.next_message(youssef, containing="Wil je dat ik alles over je wis?")
        await (await world.sb.tap(youssef, ask, "Ja, wis alles")).answer()
        await world.sb.next_edit(youssef)
        assert await world.services.residents.get(youssef.id) is None


async def _retention_rows(world: World) -> list[Any]:
    """The pending nightly clean-up, once the bot has finished starting up."""
    await world.sb.settle()
    rows = await world.services.scheduler.store.pending(RETENTION_KIND)
    assert rows, "the nightly clean-up was never scheduled"
    return rows


async def test_retention_runs_nightly_with_configured_days_and_survives_restart(world: World) -> None:
    world.settings_overrides = {"retention_days": 30}
    kees, fatma = world.user("Kees"), world.user("Fatma")
    notes = NotesData({})
    async with world.bot():
        welcome = await _welcome(world)
        await _join_privately(world, fatma, welcome)
        await _join_privately(world, kees, welcome)
        await world.sb.leave(world.group, kees)
        await world.sb.settle()
        [first] = await _retention_rows(world)
        assert first.due_at.astimezone(world.services.settings.zone).hour == 4
        assert first.due_at - world.clock.now() < timedelta(days=1)
    async with world.bot():
        svc = world.services
        svc.personal_data.append(notes)
        assert len(await _retention_rows(world)) == 1, "a restart schedules nothing twice"
        world.clock.advance(timedelta(days=29))
        await world.run_due()
        assert notes.expired == [world.clock.now() - timedelta(days=30)]
        assert await svc.residents.get(kees.id) is not None, "left 29 days ago: kept"
        world.clock.advance(timedelta(days=2))
        await world.run_due()
        assert notes.expired[-1] == world.clock.now() - timedelta(days=30)
        assert await svc.residents.get(kees.id) is None, "left 31 days ago: erased"
        assert await svc.residents.get(fatma.id) is not None, "a current member is kept"
        [following] = await svc.scheduler.store.pending(RETENTION_KIND)
        assert world.clock.now() < following.due_at < world.clock.now() + timedelta(days=1)


async def test_removed_group_is_erased_after_thirty_days_not_before(world: World) -> None:
    kees = world.user("Kees")
    other = world.sb.add_group("Flat Het Anker", members=[world.admin, kees], admins=[world.admin])
    async with world.bot():
        await world.add_bot()
        await world.sb.add_bot_to_group(other, by=world.admin)
        await world.sb.next_message(other)
        await world.sb.say(kees, world.group, "/help")
        await world.sb.next_message(world.group)
        await world.sb.remove_bot_from_group(world.group, by=world.admin)
        await world.sb.remove_bot_from_group(other, by=world.admin)
        await world.sb.settle()
        svc = world.services
        await _retention_rows(world)

        world.clock.advance(timedelta(days=10))
        await world.sb.add_bot_to_group(other, by=world.admin)  # added back within the grace period
        await world.sb.next_message(other)
        world.clock.advance(timedelta(days=19))
        await world.run_due()
        building = await svc.buildings.get(world.group.id)
        assert building is not None and not building.active, "29 days: still kept"
        assert await svc.memberships.get(world.group.id, kees.id) is not None

        world.clock.advance(timedelta(days=2))
        await world.run_due()
        assert await svc.buildings.get(world.group.id) is None, "31 days: erased"
        assert await svc.memberships.get(world.group.id, kees.id) is None
        assert (await svc.buildings.get(other.id)) is not None, "added back: never erased"


async def test_erase_group_needs_an_admin_and_two_confirmations(world: World) -> None:
    kees = world.user("Kees")
    async with world.bot():
        await world.add_bot()
        svc = world.services
        await world.sb.say(kees, world.group, "/help")
        await world.sb.next_message(world.group)

        await world.sb.say(kees, world.group, "/wisgroep")
        assert (await world.sb.next_message(world.group)).text == t("nl", "erase.admin_only")

        await world.sb.say(world.admin, world.group, "/wisgroep")
        ask = await world.sb.next_message(world.group)
        assert ask.text == t("nl", "erase.ask1")
        forged = await world.sb.raw_update({"callback_query": {
            "id": "forged-1", "from": {"id": world.admin.id, "is_bot": False, "first_name": "Marieke"},
            "message": world.sb.message(world.group, ask.message_id).to_dict(),
            "chat_instance": "1", "data": "wipe:2"}})
        assert forged
        sneaky = await (await world.sb.tap(kees, ask, "Ja, wis alles")).answer()
        assert sneaky.text == t("nl", "erase.admin_only") and sneaky.show_alert
        await world.sb.settle()
        assert await svc.memberships.get(world.group.id, kees.id) is not None, "nothing erased yet"

        await (await world.sb.tap(world.admin, ask, "Ja, wis alles")).answer()
        second = await world.sb.next_edit(world.group)
        assert second.text == t("nl", "erase.ask2")
        assert (await (await world.sb.tap(kees, second, "Ja, echt alles wissen")).answer()).text \
            == t("nl", "erase.admin_only")
        assert await svc.memberships.get(world.group.id, kees.id) is not None

        await (await world.sb.tap(world.admin, second, "Ja, echt alles wissen")).answer()
        done = await world.sb.next_edit(world.group)
        assert done.text == t("nl", "erase.done") and done.buttons() == []
        assert await svc.memberships.get(world.group.id, kees.id) is None
        count = await svc.db.fetch_value(
            "SELECT COUNT(*) FROM deep_links WHERE building_id = ?", (world.group.id,))
        assert count == 0
        building = await svc.buildings.get(world.group.id)
        assert building is not None and building.active, "the bot stays, with a clean slate"

        await world.sb.say(kees, world.group, "/help")
        assert "Dit kun je" in (await world.sb.next_message(world.group)).text


async def test_erase_group_called_off_changes_nothing(world: World) -> None:
    kees = world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await world.sb.say(kees, world.group, "/help")
        await world.sb.next_message(world.group)
        await world.sb.say(world.admin, world.group, "/wisgroep")
        ask = await world.sb.next_message(world.group)
        await (await world.sb.tap(world.admin, ask, "Ja, wis alles")).answer()
        second = await world.sb.next_edit(world.group)
        await (await world.sb.tap(world.admin, second, "Nee")).answer()
        assert (await world.sb.next_edit(world.group)).text == t("nl", "erase.called_off")
        assert await world.services.memberships.get(world.group.id, kees.id) is not None
        assert await world.services.db.fetch_value("SELECT COUNT(*) FROM group_erasures") == 0


async def test_export_and_forget_cover_a_real_help_request(world: World) -> None:
    """With the help-request feature as built: Fatma's request is in her file and nobody else's,
    and after /vergeetmij neither her file nor the group card shows her text or her name."""
    fatma, kees = world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, kees)
        mine = await ask(world, fatma, text="Wie neemt melk voor me mee?", named=True)
        await ask(world, kees, text="Wie plakt mijn fietsband?", kind="Klusje")
        _, _, raw = await _export(world, fatma)
        assert "melk" in raw and "fietsband" not in raw and "Kees" not in raw
        _, _, kees_raw = await _export(world, kees)
        assert "fietsband" in kees_raw and "melk" not in kees_raw

        await world.sb.say(fatma, fatma, "/vergeetmij")
        await (await world.sb.tap(fatma, await world.sb.next_message(fatma), "Ja, wis alles")).answer()
        await world.sb.next_edit(fatma, containing=t("nl", "data.forget.done"))
        await world.sb.settle()
        _, document, raw = await _export(world, fatma)
        assert "melk" not in raw
        assert "Fatma" not in json.dumps(without_this_request(document))
        card = world.sb.message(world.group, mine.card.message_id)
        assert card is not None and (card.deleted or "Fatma" not in card.text)
        _, _, kees_raw = await _export(world, kees)
        assert "fietsband" in kees_raw, "another resident's request is untouched"
