"""Whole stories in the four newer languages, through the sandbox: each resident reads the bot in
the language their Telegram is set to, while the group keeps the language its admins chose."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.domain.activities import Draft, DraftStep
from bot.i18n import FSI, PDI, plain
from locales import native_name
from sandbox import SandboxUser
from storage.activities import ActivityStore
from tests.harness import World, local
from tests.languages.reading import chunks, reads
from tests.requests.request_steps import ask_url, tap

FRIDAY_EVENING = local(2026, 11, 27, 19, 0)


async def newcomer(world: World, first: str, last: str, lang: str) -> SandboxUser:
    user = world.sb.add_user(first, last, language_code=lang)
    await world.sb.join(world.group, user)
    return user


async def start_privately(world: World, user: SandboxUser, lang: str) -> None:
    await world.sb.open_private(user)
    hello = await world.sb.next_message(user)
    assert reads(hello, lang, "start.private"), hello.text


async def test_a_turkish_neighbour_asks_and_a_polish_neighbour_helps(world: World) -> None:
    sb = world.sb
    async with world.bot():
        await world.add_bot()
        elif_ = await newcomer(world, "Elif", "Kaya", "tr")
        tomasz = await newcomer(world, "Tomasz", "Nowak", "pl")
        await start_privately(world, tomasz, "pl")

        await sb.open_private(elif_, ask_url(world))
        question = await sb.next_message(elif_)
        assert reads(question, "tr", "request.flow.kind")
        await tap(world, elif_, question, plain("tr", "request.kind.groceries"))
        question = await sb.next_edit(elif_)
        assert all(part in question.text for part in chunks("tr", "request.flow.text")[:1])
        await sb.say(elif_, elif_, "Kim bana süt getirebilir?")
        question = await sb.next_message(elif_)
        await tap(world, elif_, question, plain("tr", "request.button.tomorrow"))
        question = await sb.next_edit(elif_)
        await tap(world, elif_, question, plain("tr", "request.button.anonymous"))
        preview = await sb.next_edit(elif_)
        await tap(world, elif_, preview, plain("tr", "request.button.post"))
        card = await sb.next_message(world.group, containing="Kim bana süt getirebilir?")
        assert card.button_texts() == [plain("nl", "request.button.claim"), plain("nl", "report.button")]

        answer = await tap(world, tomasz, card, plain("nl", "request.button.claim"))
        assert answer.text == plain("pl", "request.answer.claimed")
        to_elif = await sb.next_message(elif_, containing="Tomasz")
        to_tomasz = await sb.next_message(tomasz, containing="Elif")
        assert reads(to_elif, "tr", "request.meet.requester"), to_elif.text
        assert reads(to_tomasz, "pl", "request.meet.helper"), to_tomasz.text
        assert not reads(to_elif, "nl", "request.meet.requester")
        assert "Kim bana süt getirebilir?" in to_tomasz.text


async def test_an_arabic_activity_card_reminder_and_calendar_file_keep_names_in_order(
        world: World) -> None:
    sb, admin = world.sb, world.admin
    async with world.bot():
        await world.add_bot()
        await sb.say(admin, world.group, "/taal")
        choice = await sb.next_message(world.group)
        await tap(world, admin, choice, native_name("ar"))
        await sb.next_edit(world.group)
        layla = await newcomer(world, "Layla", "Haddad", "ar")
        omar = await newcomer(world, "Omar", "Saleh", "ar")
        await start_privately(world, layla, "ar")
        await start_privately(world, omar, "ar")

        draft = Draft(user_id=layla.id, building_id=world.group.id, step=DraftStep.PREVIEW,
                      title="شاي مع الجيران", description="نشرب الشاي معا.",
                      starts_at=FRIDAY_EVENING, ends_at=None, place="Ontmoetingsruimte",
                      capacity=None, updated_at=world.clock.now())
        await ActivityStore(world.services.db).save_draft(draft)
        await sb.say(layla, layla, "/activiteit")
        preview = await sb.next_message(layla, containing="شاي مع الجيران")
        await tap(world, layla, preview, plain("ar", "activity.flow.post"))
        card = await sb.next_message(world.group, containing="شاي مع الجيران")
        posted = await sb.next_message(layla, containing="Flat De Linde")
        assert reads(posted, "ar", "activity.flow.posted")
        assert f"{FSI}Ontmoetingsruimte{PDI}" in card.text
        assert f"{FSI}Layla{PDI}" in card.text
        assert plain("ar", "activity.button.going") in card.button_texts()

        assert (await tap(world, omar, card, plain("ar", "activity.button.going"))).text
        assert (await tap(world, omar, card, plain("ar", "activity.button.calendar"))).text == \
            plain("ar", "activity.ics.sent")
        calendar = await sb.next_message(omar)
        assert calendar.caption is not None and f"{FSI}شاي مع الجيران{PDI}" in calendar.caption
        assert "BEGIN:VCALENDAR" in sb.file_bytes(calendar).decode()

        world.clock.set(FRIDAY_EVENING - timedelta(hours=23))
        await world.run_due()
        reminder = await sb.next_message(omar, containing="شاي مع الجيران")
        assert reads(reminder, "ar", "activity.remind.day"), reminder.text
        assert f"{FSI}Ontmoetingsruimte{PDI}" in reminder.text
        assert f"{FSI}Flat De Linde{PDI}" in reminder.text


async def test_a_ukrainian_neighbour_reads_privacy_and_their_data_in_ukrainian(world: World) -> None:
    sb = world.sb
    async with world.bot():
        await world.add_bot()
        olena = await newcomer(world, "Olena", "Kovalenko", "uk")
        await start_privately(world, olena, "uk")
        await sb.say(olena, olena, "/privacy")
        privacy = await sb.next_message(olena)
        assert reads(privacy, "uk", "privacy.text"), privacy.text
        await sb.say(olena, olena, "/mijngegevens")
        export = await sb.next_message(olena)
        assert export.caption is not None
        assert export.caption == plain("uk", "data.export.caption")
        data = json.loads(sb.file_bytes(export))
        assert json.dumps(data, ensure_ascii=False).count("Olena") >= 1
