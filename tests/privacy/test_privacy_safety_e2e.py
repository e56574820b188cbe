"""Safety through the sandbox: members only, departures, odd senders, a fair share of the bot per
resident, the "Meld" button, updates that cannot be read, and logs that name nobody."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import InlineKeyboardMarkup

from bot.domain.privacy import ActionCounter, RateLimit
from bot.i18n import t
from bot.services import ReportedCard, Services
from handlers.kit.buttons import report_button
from sandbox import SandboxMessage, SandboxUser
from tests.harness import TOKEN, BotProcess, World


def _user_dict(user: SandboxUser) -> dict[str, Any]:
    return user.to_dict()


def _group_dict(world: World) -> dict[str, Any]:
    return {"id": world.group.id, "type": "group", "title": world.group.title}


async def _bot_calls_since_mark(world: World) -> list[str]:
    await world.sb.settle()
    return [event.method for event in world.sb.events[world.sb._mark:]]


async def is_current_member(svc: Services, building_id: int, user_id: int) -> bool:
    """What the bot's records say: a current member of an active building."""
    building = await svc.buildings.get(building_id)
    if building is None or not building.active:
        return False
    membership = await svc.memberships.get(building_id, user_id)
    return membership is not None and membership.is_current


async def test_only_current_members_count(world: World) -> None:
    kees, mehmet = world.user("Kees"), world.user("Mehmet")
    async with world.bot():
        await world.add_bot()
        svc = world.services
        await world.sb.say(kees, world.group, "/help")
        await world.sb.next_message(world.group)
        assert await is_current_member(svc, world.group.id, kees.id)
        assert not await is_current_member(svc, world.group.id, mehmet.id), "never seen"
        assert not await is_current_member(svc, -999, kees.id), "unknown building"
        await world.sb.leave(world.group, kees)
        await world.sb.settle()
        assert not await is_current_member(svc, world.group.id, kees.id)
        await world.sb.join(world.group, kees)
        await world.sb.settle()
        assert await is_current_member(svc, world.group.id, kees.id)
        await world.sb.remove_bot_from_group(world.group, by=world.admin)
        await world.sb.settle()
        assert not await is_current_member(svc, world.group.id, kees.id), "the bot was removed"


async def test_departure_hooks_run_once_per_departure(world: World) -> None:
    kees, youssef, mehmet = world.user("Kees"), world.user("Youssef"), world.user("Mehmet")
    seen: list[tuple[int, int, datetime]] = []

    async def on_departure(building_id: int, user_id: int, now: datetime) -> None:
        seen.append((building_id, user_id, now))

    async def broken(building_id: int, user_id: int, now: datetime) -> None:
        raise RuntimeError("a feature's bug")

    async with world.bot():
        await world.sb.add_bot_to_group(world.group, by=world.admin, as_admin=True)
        await world.sb.next_message(world.group)
        svc = world.services
        svc.departure_hooks.extend([broken, on_departure])
        await world.sb.leave(world.group, kees)  # service message and chat_member update
        await world.sb.settle()
        assert seen == [(world.group.id, kees.id, world.clock.now())]
        await world.sb.leave(world.group, youssef)
        await world.sb.raw_update({"chat_member": {
            "chat": _group_dict(world), "from": _user_dict(world.admin), "date": 1795357915,
            "old_chat_member": {"status": "member", "user": _user_dict(mehmet)},
            "new_chat_member": {"status": "kicked", "user": _user_dict(mehmet), "until_date": 0},
        }})
        await world.sb.settle()
        assert [user for _, user, _ in seen] == [kees.id, youssef.id, mehmet.id]
        membership = await svc.memberships.get(world.group.id, mehmet.id)
        assert membership is not None and not membership.is_current


async def test_odd_senders_are_handled_calmly(world: World) -> None:
    kees = world.user("Kees")
    group = _group_dict(world)
    async with world.bot():
        await world.add_bot()
        world.sb.mark()
        await world.sb.raw_update({"message": {
            "message_id": 900, "date": 1795357915, "chat": group, "sender_chat": group,
            "from": {"id": 1087968824, "is_bot": True, "first_name": "Group",
                     "username": "GroupAnonymousBot"},
            "text": "/wisgroep@OmzienBot", "entities": [{"type": "bot_command", "offset": 0, "length": 19}],
        }})
        line = await world.sb.next_message(world.group)
        assert line.text == t("nl", "odd.anonymous")
        world.sb.mark()
        await world.sb.raw_update({"message": {  # an anonymous admin's ordinary talk
            "message_id": 901, "date": 1795357915, "chat": group, "sender_chat": group,
            "from": {"id": 1087968824, "is_bot": True, "first_name": "Group"}, "text": "hallo"}})
        await world.sb.raw_update({"message": {  # another bot
            "message_id": 902, "date": 1795357915, "chat": group,
            "from": {"id": 55, "is_bot": True, "first_name": "Spam", "username": "spam_bot"},
            "text": "/help@OmzienBot", "entities": [{"type": "bot_command", "offset": 0, "length": 15}]}})
        await world.sb.raw_update({"channel_post": {
            "message_id": 5, "date": 1795357915,
            "chat": {"id": -100777, "type": "channel", "title": "Nieuws"},
            "text": "/help", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}})
        await world.sb.raw_update({"edited_message": {
            "message_id": 903, "date": 1795357915, "edit_date": 1795357920, "chat": group,
            "from": _user_dict(kees), "text": "/help@OmzienBot",
            "entities": [{"type": "bot_command", "offset": 0, "length": 15}]}})
        await world.sb.raw_update({"message_reaction": {"chat": group, "message_id": 1, "date": 1795357915,
                                                        "old_reaction": [], "new_reaction": []}})
        assert not [m for m in await _bot_calls_since_mark(world) if m.startswith("send")]
        assert await world.services.residents.get(kees.id) is None, "an edit is not a visit"
        await world.sb.say(kees, world.group, "/help")
        assert "Dit kun je" in (await world.sb.next_message(world.group)).text


async def test_unreadable_updates_are_skipped_and_polling_goes_on(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    anouk = world.user("Anouk")
    caplog.set_level(logging.WARNING, logger="bot.durable")
    async with world.bot():
        await world.sb.open_private(anouk)
        await world.sb.next_message(anouk)
        bad_ids = [
            await world.sb.raw_update({"message": {"message_id": "x", "chat": 5, "date": "gisteren"}}),
            await world.sb.raw_update({"callback_query": {"id": "1", "data": "rep:x:1"}}),
            await world.sb.raw_update({"message": {"message_id": 1, "date": 1, "chat": {"id": 1}}}),
        ]
        await world.sb.say(anouk, anouk, "/help")
        assert "Dit kun je" in (await world.sb.next_message(anouk)).text
        await world.sb.settle()
        assert world.sb.pending_updates == 0, "every update was confirmed"
        for update_id in bad_ids:
            assert await world.services.inbox.is_handled(update_id)
        skipped = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
        assert len(skipped) == len(bad_ids)
        assert not any("gisteren" in line or "rep:x" in line for line in skipped), "no content logged"


async def _rate_press(world: World, user: SandboxUser, card: SandboxMessage) -> str | None:
    return (await (await world.sb.tap(user, card, "Meld")).answer()).text


class Cards:
    """A tiny reportable: one card in the group, posted by the test."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.message_id: int | None = None
        self.hidden: list[int] = []

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        if item_id != 1 or self.message_id is None or item_id in self.hidden:
            return None
        return ReportedCard(building_id=self.world.group.id, chat_id=self.world.group.id,
                            message_id=self.message_id, summary="Wie leent mij een <boor>?")

    async def hide(self, item_id: int, now: datetime) -> bool:
        self.hidden.append(item_id)
        return True


async def _post_card(world: World, cards: Cards) -> SandboxMessage:
    assert world.app is not None
    world.services.reportables["test"] = cards
    keyboard = InlineKeyboardMarkup([[report_button("nl", "test", 1)]])
    await world.app.bot.send_message(world.group.id, "Wie leent mij een boor?", reply_markup=keyboard)
    card = await world.sb.next_message(world.group, containing="boor")
    cards.message_id = card.message_id
    return card


async def test_report_alerts_admins_anonymously_and_only_admins_hide(world: World) -> None:
    kees, youssef, anouk = world.user("Kees"), world.user("Youssef"), world.user("Anouk")
    marieke = world.admin
    async with world.bot():
        await world.add_bot()
        for person in (marieke, anouk):
            await world.sb.open_private(person)
            await world.sb.next_message(person)
        await world.sb.set_admin(world.group, anouk)
        cards = Cards(world)
        card = await _post_card(world, cards)

        asked = await (await world.sb.tap(kees, card, "Meld")).answer()
        assert asked.text == t("nl", "report.confirm") and asked.show_alert
        thanks = await (await world.sb.tap(kees, card, "Meld")).answer()
        assert thanks.text == t("nl", "report.thanks") and thanks.show_alert
        alert = await world.sb.next_message(marieke)
        assert "Wie leent mij een <boor>?" in alert.text and "Flat De Linde" in alert.text
        assert "Kees" not in alert.text
        assert alert.button_texts() == ["Verbergen", "Laten staan"]
        anouk_alert = await world.sb.next_message(anouk)

        world.sb.mark()
        await (await world.sb.tap(youssef, card, "Meld")).answer()
        again = await (await world.sb.tap(youssef, card, "Meld")).answer()
        assert again.text == t("nl", "report.thanks")
        assert "sendMessage" not in await _bot_calls_since_mark(world), "admins are told once"

        await world.sb.set_admin(world.group, anouk, admin=False)
        refused = await (await world.sb.tap(anouk, anouk_alert, "Verbergen")).answer()
        assert refused.text == t("nl", "report.admin_only")
        assert cards.hidden == [] and not world.sb.message(world.group, card.message_id).deleted

        await (await world.sb.tap(marieke, alert, "Verbergen")).answer()
        assert (await world.sb.next_edit(marieke)).text == t("nl", "report.hidden")
        assert cards.hidden == [1]
        await world.delivered()  # the deletion goes out beside the answer, to another chat
        assert world.sb.message(world.group, card.message_id).deleted
        stored = await world.services.db.fetch_all("SELECT * FROM reports")
        assert [row["state"] for row in stored] == ["hidden"]
        assert kees.id not in [value for row in stored for value in tuple(row)]


async def test_forged_report_presses_change_nothing(world: World) -> None:
    kees = world.user("Kees")
    async with world.bot():
        await world.add_bot()
        cards = Cards(world)
        card = await _post_card(world, cards)
        live = world.sb.message(world.group, card.message_id)
        assert live is not None
        for data in ("rep:test:2", "rep:nokind:1", "rep:test:1:extra", "rep:" + "9" * 60):
            await world.sb.raw_update({"callback_query": {
                "id": f"forged-{len(data)}", "from": _user_dict(kees), "message": live.to_dict(),
                "chat_instance": "1", "data": data}})
        await world.sb.settle()
        assert await world.services.db.fetch_value("SELECT COUNT(*) FROM reports") == 0


async def test_each_resident_gets_a_fair_share_of_presses(world: World) -> None:
    kees, fatma = world.user("Kees"), world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        card = await _post_card(world, Cards(world))
        answers = [await _rate_press(world, kees, card) for _ in range(20)]
        assert answers[0] == t("nl", "report.confirm")
        assert answers[1] in (t("nl", "report.thanks"), t("nl", "report.no_admins"))
        assert t("nl", "abuse.slow_down") not in answers
        assert await _rate_press(world, kees, card) == t("nl", "abuse.slow_down")
        assert await _rate_press(world, kees, card) is None, "told once, then quiet"
        assert await _rate_press(world, fatma, card) != t("nl", "abuse.slow_down"), "others go on"
        world.clock.advance(timedelta(seconds=61))
        assert await _rate_press(world, kees, card) != t("nl", "abuse.slow_down")


async def test_too_many_commands_one_private_line_and_silence_in_the_group(world: World) -> None:
    john, kees = world.user("John"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        world.services.action_counter = ActionCounter(RateLimit(per_minute=2, per_hour=200))
        await world.sb.open_private(john)
        await world.sb.next_message(john)
        await world.sb.say(john, john, "/help")
        await world.sb.next_message(john)
        await world.sb.say(john, john, "/help")
        assert (await world.sb.next_message(john)).text == t("en", "abuse.slow_down")
        await world.sb.say(john, john, "/help")
        for _ in range(2):
            await world.sb.say(kees, world.group, "/help")
            await world.sb.next_message(world.group)
        world.sb.mark()
        await world.sb.say(kees, world.group, "/help")
        assert not [m for m in await _bot_calls_since_mark(world) if m.startswith("send")]
        assert len([m for m in world.sb.bot_messages(john) if "Easy now" in m.text]) == 1


async def test_logs_name_nobody_and_show_no_texts(
    world: World, bot_process: BotProcess, tmp_path: Path
) -> None:
    sb = world.sb
    fatma = world.user("Fatma")
    log_file = tmp_path / "bot.log"
    async with bot_process(sb, world.database, log_level="INFO", log_file=log_file):
        await sb.add_bot_to_group(world.group, by=world.admin)
        await sb.next_message(world.group, timeout=30)
        await sb.open_private(fatma)
        await sb.next_message(fatma, timeout=15)
        await sb.say(fatma, fatma, "Mijn buurman Piet-Geheim is ziek")
        await sb.next_message(fatma, containing="Vraag hulp", timeout=15)
        await sb.say(fatma, fatma, "/mijngegevens")
        exported = await sb.next_message(fatma, timeout=15)
        assert exported.document is not None
        await sb.say(fatma, fatma, "/vergeetmij")
        ask = await sb.next_message(fatma, timeout=15)
        await (await sb.tap(fatma, ask, "Ja, wis alles")).answer()
        await sb.next_edit(fatma, timeout=15)
        await sb.raw_update({"message": {"message_id": "kapot", "chat": {"id": fatma.id},
                                         "text": "Piet-Geheim"}})
        await sb.say(fatma, fatma, "/help")
        await sb.next_message(fatma, containing="Dit kun je", timeout=15)
    logs = log_file.read_text()
    assert "data export sent to u-" in logs, "the INFO log of a full run was not captured"
    for secret in ("Piet-Geheim", "Fatma", "Marieke", str(fatma.id), TOKEN, TOKEN.split(":")[1]):
        assert secret not in logs, f"the log shows {secret!r}"
