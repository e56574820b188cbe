"""The membership and admin checks on their own: real stores, and a stand-in for the few Bot
API calls the checks make (who is in the group, answering a press), so each rule is checked
without the whole bot.

The end-to-end authorization matrix (tests/safety/test_authorization.py) checks the same rules
through every command and button; these pin down each branch, the language of each refusal,
and the admin cache's minute.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError

from bot.clock import FakeClock
from bot.config import load_settings
from bot.domain.community import MEMBERSHIP_TRUSTED_FOR, MemberStatus
from bot.domain.deeplinks import DeepLink
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit import guards
from handlers.kit.send import Method, Outgoing
from storage.db import Database
from tests.harness import TOKEN

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GROUP, OTHER_GROUP = -100, -200
FATMA, KEES = 11, 22
REFUSAL = "pairing.flow.not_member"
ADMIN_ONLY = "language.admin_only"


class Recorded:
    """Where the bot's messages would go: kept here to be read."""

    def __init__(self) -> None:
        self.items: list[Outgoing] = []

    async def deliver(self, item: Outgoing) -> None:
        self.items.append(item)

    def busy(self) -> bool:
        return False

    async def close(self) -> None:
        return None


class FakeBot:
    """The Bot API calls the checks make: who is in a group, and answering a press."""

    def __init__(self) -> None:
        self.members: dict[tuple[int, int], ChatMember | TelegramError] = {}
        self.asked: list[tuple[int, int]] = []
        self.answers: list[dict[str, Any]] = []
        self.refuse_answers = False

    async def get_chat_member(self, chat_id: int, user_id: int) -> ChatMember:
        self.asked.append((chat_id, user_id))
        found = self.members.get((chat_id, user_id), BadRequest("Member not found"))
        if isinstance(found, TelegramError):
            raise found
        return found

    async def answer_callback_query(self, callback_query_id: str, text: str | None = None,
                                    show_alert: bool | None = None, **kwargs: Any) -> bool:
        if self.refuse_answers:
            raise BadRequest("Query is too old and response timeout expired")
        self.answers.append({"id": callback_query_id, "text": text, "show_alert": show_alert})
        return True


def person(user_id: int, name: str = "Fatma", language: str | None = "en",
           username: str | None = None) -> User:
    return User(id=user_id, first_name=name, is_bot=False, language_code=language, username=username)


class World:
    def __init__(self, svc: Services, bot: FakeBot, sent: Recorded) -> None:
        self.svc, self.bot, self.sent = svc, bot, sent
        self.context: Any = SimpleNamespace(bot=bot, bot_data={"services": svc})

    async def building(self, chat_id: int, language: str = "nl", *, active: bool = True) -> None:
        await self.svc.buildings.activate(chat_id, f"Flat {chat_id}", language, NOW)
        if not active:
            await self.svc.buildings.deactivate(chat_id, NOW)

    async def member(self, chat_id: int, user_id: int, status: MemberStatus = MemberStatus.MEMBER) -> None:
        await self.svc.residents.seen(user_id, "Fatma", "nl", NOW)
        await self.svc.memberships.set_status(chat_id, user_id, status, NOW)

    def press(self, user: User | None, chat_id: int = GROUP) -> Update:
        chat = Chat(id=chat_id, type=Chat.SUPERGROUP)
        message = Message(message_id=5, date=NOW, chat=chat, text="kaart")
        query = CallbackQuery(id="q1", from_user=user or person(FATMA), chat_instance="c", message=message)
        query.set_bot(self.bot)  # type: ignore[arg-type]
        if user is None:
            return Update(update_id=1, message=message)
        return Update(update_id=1, callback_query=query)

    def command(self, user: User | None, chat_id: int = GROUP, chat_type: str = Chat.SUPERGROUP) -> Update:
        chat = Chat(id=chat_id, type=chat_type)
        return Update(update_id=2, message=Message(message_id=9, date=NOW, chat=chat, from_user=user,
                                                   text="/taal"))


@pytest.fixture
async def world(database_location: Path | str) -> AsyncIterator[World]:
    db = await Database.open(database_location)
    settings = load_settings(_env_file=None, bot_token=TOKEN, database=database_location)
    sent = Recorded()
    svc = Services.create(settings, FakeClock(NOW), db, delivery=sent)
    yield World(svc, FakeBot(), sent)
    await db.close()


class Ticking:
    """A stand-in for the `time` module the admin cache reads its minute from."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


# -- answering a press -----------------------------------------------------------------------


async def test_a_press_is_answered_with_at_most_200_characters(world: World) -> None:
    update = world.press(person(FATMA))
    await guards.answer(update, "x" * 250, show_alert=True)
    await guards.answer(update)
    await guards.answer(update, "")
    assert world.bot.answers == [
        {"id": "q1", "text": "x" * 200, "show_alert": True},
        {"id": "q1", "text": None, "show_alert": None},
        {"id": "q1", "text": None, "show_alert": None},
    ]


async def test_a_message_is_not_a_press_and_a_late_answer_is_let_go(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await guards.answer(world.command(person(FATMA)), "hallo")
    assert world.bot.answers == []
    world.bot.refuse_answers = True
    with caplog.at_level(logging.INFO, logger="bot.press_answers"):
        await guards.answer(world.press(person(FATMA)), "te laat")  # no exception
    assert world.bot.answers == []
    assert caplog.messages == [
        "a press could not be answered: Query is too old and response timeout expired"]


# -- admins -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("member", "admin"), [
    (ChatMemberOwner(user=person(FATMA), is_anonymous=False), True),
    (ChatMember(user=person(FATMA), status=ChatMember.ADMINISTRATOR), True),
    (ChatMemberMember(user=person(FATMA)), False),
    (ChatMemberLeft(user=person(FATMA)), False),
])
async def test_only_owners_and_administrators_are_admins(
    world: World, member: ChatMember, admin: bool
) -> None:
    world.bot.members[(GROUP, FATMA)] = member
    assert await guards.is_group_admin(world.context, GROUP, FATMA) is admin
    assert world.svc.admin_cache[(GROUP, FATMA)][1] is admin


async def test_an_unknown_person_is_no_admin_and_that_is_not_remembered(world: World) -> None:
    assert not await guards.is_group_admin(world.context, GROUP, FATMA)
    assert world.svc.admin_cache == {}


async def test_the_admin_answer_is_kept_for_a_minute_per_group_and_person(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Ticking()
    monkeypatch.setattr(guards, "time", clock)
    world.bot.members[(GROUP, FATMA)] = ChatMemberOwner(user=person(FATMA), is_anonymous=False)
    world.bot.members[(OTHER_GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))
    assert await guards.is_group_admin(world.context, GROUP, FATMA)
    assert world.svc.admin_cache[(GROUP, FATMA)] == (1000.0, True)
    assert not await guards.is_group_admin(world.context, OTHER_GROUP, FATMA)
    world.bot.members[(GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))  # demoted
    clock.now += 59.9
    assert await guards.is_group_admin(world.context, GROUP, FATMA), "still the cached answer"
    assert world.bot.asked == [(GROUP, FATMA), (OTHER_GROUP, FATMA)]
    clock.now = 1060.0
    assert not await guards.is_group_admin(world.context, GROUP, FATMA), "a minute later: asked again"
    assert world.bot.asked[-1] == (GROUP, FATMA)
    assert world.svc.admin_cache[(GROUP, FATMA)] == (1060.0, False)


async def test_what_changes_things_asks_telegram_every_time_and_refreshes_the_cache(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Ticking()
    monkeypatch.setattr(guards, "time", clock)
    world.svc.admin_cache[(GROUP, FATMA)] = (clock.now, True)
    world.bot.members[(GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))  # demoted just now
    clock.now += 1
    assert not await guards.admin_now(world.context, GROUP, FATMA)
    assert world.svc.admin_cache[(GROUP, FATMA)] == (1001.0, False)
    assert not await guards.is_group_admin(world.context, GROUP, FATMA), "the fresh answer is kept"
    assert world.bot.asked == [(GROUP, FATMA)]


@pytest.mark.parametrize("error", [
    BadRequest("Member not found"), Forbidden("bot was kicked"), ChatMigrated(-1009)])
async def test_an_unanswerable_admin_question_is_a_no_and_forgets_the_old_answer(
    world: World, error: TelegramError
) -> None:
    world.svc.admin_cache[(GROUP, FATMA)] = (0.0, True)
    world.svc.admin_cache[(GROUP, KEES)] = (0.0, True)
    world.bot.members[(GROUP, FATMA)] = error
    assert not await guards.admin_now(world.context, GROUP, FATMA)
    assert world.svc.admin_cache == {(GROUP, KEES): (0.0, True)}


async def test_a_network_failure_is_no_answer_about_admins(world: World) -> None:
    world.svc.admin_cache[(GROUP, FATMA)] = (0.0, True)
    world.bot.members[(GROUP, FATMA)] = NetworkError("connection reset")
    with pytest.raises(NetworkError):
        await guards.admin_now(world.context, GROUP, FATMA)
    assert world.svc.admin_cache == {(GROUP, FATMA): (0.0, True)}


async def test_a_member_update_forgets_the_persons_rights_or_the_whole_groups(world: World) -> None:
    for key in [(GROUP, FATMA), (GROUP, KEES), (OTHER_GROUP, FATMA)]:
        world.svc.admin_cache[key] = (0.0, True)
    guards.forget_admin(world.svc, GROUP, FATMA)
    assert sorted(world.svc.admin_cache) == [(OTHER_GROUP, FATMA), (GROUP, KEES)]
    guards.forget_admin(world.svc, OTHER_GROUP, KEES)
    assert sorted(world.svc.admin_cache) == [(OTHER_GROUP, FATMA), (GROUP, KEES)]
    world.svc.admin_cache[(GROUP, FATMA)] = (0.0, True)
    guards.forget_admin(world.svc, GROUP)
    assert list(world.svc.admin_cache) == [(OTHER_GROUP, FATMA)]


async def test_an_admin_command_is_refused_to_a_demoted_admin_at_once(world: World) -> None:
    world.svc.admin_cache[(GROUP, FATMA)] = (float("inf"), True)  # what the cache still says
    world.bot.members[(GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))
    assert not await guards.group_admin(world.command(person(FATMA)), world.context, ADMIN_ONLY)
    assert world.bot.asked == [(GROUP, FATMA)] and len(world.sent.items) == 1


async def test_an_admin_command_from_an_admin_passes_silently(world: World) -> None:
    world.bot.members[(GROUP, FATMA)] = ChatMemberOwner(user=person(FATMA), is_anonymous=False)
    assert await guards.group_admin(world.command(person(FATMA)), world.context, ADMIN_ONLY)
    assert world.sent.items == []


async def test_an_admin_command_outside_a_group_or_without_a_person_is_refused_silently(world: World) -> None:
    world.bot.members[(FATMA, FATMA)] = ChatMemberOwner(user=person(FATMA), is_anonymous=False)
    assert not await guards.group_admin(world.command(person(FATMA), FATMA, Chat.PRIVATE), world.context,
                                        ADMIN_ONLY)
    assert not await guards.group_admin(world.command(None), world.context, ADMIN_ONLY)
    assert world.sent.items == [] and world.bot.asked == []


@pytest.mark.parametrize(("building", "lang", "expected"), [
    ("en", None, "en"),  # the group's language
    (None, None, "nl"),  # no building recorded: the bot's default
    ("en", "nl", "nl"),  # the caller knows better
])
async def test_a_refused_admin_command_is_answered_in_the_groups_language(
    world: World, building: str | None, lang: str | None, expected: str
) -> None:
    if building is not None:
        await world.building(GROUP, building)
    assert not await guards.group_admin(world.command(person(KEES, "Kees", "tr")), world.context,
                                        ADMIN_ONLY, lang=lang)
    assert [(item.chat_id, item.method, item.text, item.reply_to) for item in world.sent.items] == [
        (GROUP, Method.SEND, t(expected, ADMIN_ONLY), 9)]
    assert t("en", ADMIN_ONLY) != t("nl", ADMIN_ONLY)


async def test_a_refused_admin_press_is_an_alert_in_the_pressers_language(world: World) -> None:
    await world.building(GROUP, "nl")
    assert not await guards.group_admin(world.press(person(KEES, "Kees", "en")), world.context, ADMIN_ONLY)
    assert world.bot.answers == [{"id": "q1", "text": plain("en", ADMIN_ONLY), "show_alert": True}]
    assert world.sent.items == []


# -- members ----------------------------------------------------------------------------------


async def test_recent_records_decide_for_people_seen_in_the_group(world: World) -> None:
    await world.building(GROUP)
    await world.member(GROUP, FATMA)
    await world.member(GROUP, KEES, MemberStatus.LEFT)
    world.bot.members[(GROUP, KEES)] = ChatMemberMember(user=person(KEES))  # not asked: we know
    assert await guards.is_member(world.context, GROUP, FATMA)
    assert not await guards.is_member(world.context, GROUP, KEES), "a former member acts no more"
    assert world.bot.asked == []


async def test_nobody_acts_in_a_group_the_bot_left_or_never_knew(world: World) -> None:
    await world.building(GROUP, active=False)
    await world.member(GROUP, FATMA)
    world.bot.members[(GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))
    world.bot.members[(OTHER_GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))
    assert not await guards.is_member(world.context, GROUP, FATMA)
    assert not await guards.is_member(world.context, OTHER_GROUP, FATMA)
    assert world.bot.asked == []


async def test_a_record_is_trusted_for_its_time_and_then_asked_of_telegram(world: World) -> None:
    await world.building(GROUP)
    await world.member(GROUP, FATMA)
    world.bot.members[(GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))
    clock = world.svc.clock
    assert isinstance(clock, FakeClock)
    clock.set(NOW + MEMBERSHIP_TRUSTED_FOR)
    assert await guards.is_member(world.context, GROUP, FATMA)
    assert world.bot.asked == [], "trusted up to and including the last moment"
    clock.set(NOW + MEMBERSHIP_TRUSTED_FOR + timedelta(seconds=1))
    assert await guards.is_member(world.context, GROUP, FATMA)
    assert world.bot.asked == [(GROUP, FATMA)]
    membership = await world.svc.memberships.get(GROUP, FATMA)
    assert membership is not None and membership.confirmed_at == clock.now(), "the answer renews it"


async def test_after_the_bot_was_away_every_record_is_asked_again(world: World) -> None:
    await world.building(GROUP)
    await world.member(GROUP, FATMA, MemberStatus.LEFT)
    await world.svc.memberships.unconfirm_all(GROUP)
    world.bot.members[(GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))  # came back meanwhile
    assert await guards.is_member(world.context, GROUP, FATMA)
    membership = await world.svc.memberships.get(GROUP, FATMA)
    assert membership is not None and membership.status is MemberStatus.MEMBER
    assert world.bot.asked == [(GROUP, FATMA)]


@pytest.mark.parametrize("member", [
    ChatMemberMember(user=person(FATMA, "Fatma", "tr", "fatma_b")),
    ChatMemberOwner(user=person(FATMA, "Fatma", "tr", "fatma_b"), is_anonymous=False),
    ChatMember(user=person(FATMA, "Fatma", "tr", "fatma_b"), status=ChatMember.RESTRICTED),
])
async def test_someone_not_yet_seen_is_asked_about_once_and_recorded(
    world: World, member: ChatMember
) -> None:
    await world.building(GROUP)
    world.bot.members[(GROUP, FATMA)] = member
    assert await guards.is_member(world.context, GROUP, FATMA)
    resident = await world.svc.residents.get(FATMA)
    assert resident is not None
    assert (resident.first_name, resident.telegram_language, resident.last_seen_at,
            resident.username) == ("Fatma", "tr", NOW, "fatma_b")
    membership = await world.svc.memberships.get(GROUP, FATMA)
    assert membership is not None and membership.status is MemberStatus.MEMBER
    assert membership.joined_at == NOW
    assert await guards.is_member(world.context, GROUP, FATMA)
    assert world.bot.asked == [(GROUP, FATMA)]


@pytest.mark.parametrize("answer", [
    ChatMemberLeft(user=person(FATMA)),
    ChatMemberBanned(user=person(FATMA), until_date=NOW),
    Forbidden("bot was kicked"),
    BadRequest("Member not found"),
])
async def test_someone_telegram_does_not_place_in_the_group_is_refused_and_not_recorded(
    world: World, answer: ChatMember | TelegramError
) -> None:
    await world.building(GROUP)
    world.bot.members[(GROUP, FATMA)] = answer
    assert not await guards.is_member(world.context, GROUP, FATMA)
    assert await world.svc.memberships.get(GROUP, FATMA) is None
    assert await world.svc.residents.get(FATMA) is None


class Departures:
    """A feature's departure hook: who it was told about."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int, datetime]] = []

    async def __call__(self, building_id: int, user_id: int, now: datetime) -> None:
        self.seen.append((building_id, user_id, now))


async def a_member_not_confirmed_lately(world: World) -> Departures:
    """Fatma, on record as a member, though not as Telegram told it lately: she is asked about."""
    departures = Departures()
    world.svc.departure_hooks.append(departures)
    await world.building(GROUP)
    await world.member(GROUP, FATMA)
    await world.svc.memberships.unconfirm_all(GROUP)
    return departures


async def test_a_member_found_gone_is_marked_departed_once(world: World) -> None:
    departures = await a_member_not_confirmed_lately(world)
    world.bot.members[(GROUP, FATMA)] = ChatMemberLeft(user=person(FATMA))
    assert not await guards.is_member(world.context, GROUP, FATMA)
    membership = await world.svc.memberships.get(GROUP, FATMA)
    assert membership is not None and membership.status is MemberStatus.LEFT
    assert departures.seen == [(GROUP, FATMA, NOW)]
    assert not await guards.is_member(world.context, GROUP, FATMA)
    assert world.bot.asked == [(GROUP, FATMA)], "the answer is recorded and trusted"


async def test_an_unanswered_question_about_a_known_member_changes_nothing(world: World) -> None:
    departures = await a_member_not_confirmed_lately(world)
    world.bot.members[(GROUP, FATMA)] = Forbidden("bot was kicked")
    assert not await guards.is_member(world.context, GROUP, FATMA)
    membership = await world.svc.memberships.get(GROUP, FATMA)
    assert membership is not None and membership.status is MemberStatus.MEMBER
    assert membership.confirmed_at is None and departures.seen == []


async def test_member_buildings_are_the_active_ones_telegram_still_places_them_in(world: World) -> None:
    third = -300
    for chat_id in (GROUP, OTHER_GROUP, third):
        await world.building(chat_id)
        await world.member(chat_id, FATMA)
    await world.svc.buildings.deactivate(third, NOW)
    await world.svc.memberships.unconfirm_all(OTHER_GROUP)
    world.bot.members[(OTHER_GROUP, FATMA)] = ChatMemberLeft(user=person(FATMA))
    assert await guards.member_buildings(world.context, FATMA) == [GROUP]
    assert world.bot.asked == [(OTHER_GROUP, FATMA)]
    assert await guards.member_buildings(world.context, KEES) == []


async def test_resident_buildings_come_from_records_without_asking(world: World) -> None:
    await world.building(GROUP)
    await world.building(OTHER_GROUP)
    await world.member(OTHER_GROUP, FATMA)
    world.bot.members[(GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))
    assert await guards.resident_buildings(world.context, FATMA) == [OTHER_GROUP]
    assert world.bot.asked == []


async def test_someone_unknown_is_looked_for_in_every_active_building(world: World) -> None:
    await world.building(GROUP)
    await world.building(OTHER_GROUP)
    await world.building(-300, active=False)
    world.bot.members[(OTHER_GROUP, FATMA)] = ChatMemberMember(user=person(FATMA))
    world.bot.members[(-300, FATMA)] = ChatMemberMember(user=person(FATMA))
    assert await guards.resident_buildings(world.context, FATMA) == [OTHER_GROUP]
    assert sorted(world.bot.asked) == [(OTHER_GROUP, FATMA), (GROUP, FATMA)]
    assert await world.svc.memberships.buildings_of(FATMA) == [OTHER_GROUP], "and recorded"


@pytest.mark.parametrize(("count", "looked"), [
    (guards.MAX_BUILDINGS_ASKED, True), (guards.MAX_BUILDINGS_ASKED + 1, False)])
async def test_a_large_deployment_is_not_searched_for_someone_unknown(
    world: World, count: int, looked: bool
) -> None:
    for index in range(count):
        await world.building(-1000 - index)
    world.bot.members[(-1000, FATMA)] = ChatMemberMember(user=person(FATMA))
    assert await guards.resident_buildings(world.context, FATMA) == ([-1000] if looked else [])
    assert len(world.bot.asked) == (count if looked else 0)


async def test_a_members_press_returns_the_presser(world: World) -> None:
    await world.building(GROUP)
    await world.member(GROUP, FATMA)
    fatma = person(FATMA)
    assert await guards.member_press(world.press(fatma), world.context, GROUP, REFUSAL) == fatma
    assert world.bot.answers == [] and world.sent.items == []


async def test_an_outsiders_press_gets_an_alert_in_their_own_language(world: World) -> None:
    await world.building(GROUP, "nl")
    await world.member(GROUP, KEES, MemberStatus.LEFT)
    await world.svc.residents.set_language(KEES, "en")
    assert await guards.member_press(world.press(person(KEES, "Kees", "nl")), world.context, GROUP,
                                     REFUSAL) is None
    assert world.bot.answers == [{"id": "q1", "text": plain("en", REFUSAL), "show_alert": True}]
    assert t("en", REFUSAL) != t("nl", REFUSAL)


async def test_an_update_without_a_person_is_no_press(world: World) -> None:
    await world.building(GROUP)
    assert await guards.member_press(world.press(None), world.context, GROUP, REFUSAL) is None
    assert world.bot.answers == [] and world.bot.asked == []


def link(building_id: int | None) -> DeepLink:
    return DeepLink(token="abc", kind="pair", building_id=building_id, target="", created_by=None,
                    created_at=NOW, expires_at=None, single_use=False, used_at=None)


async def test_a_members_link_returns_the_opener(world: World) -> None:
    await world.building(GROUP)
    await world.member(GROUP, FATMA)
    fatma = person(FATMA)
    update = world.command(fatma, FATMA, Chat.PRIVATE)
    assert await guards.member_link(update, world.context, link(GROUP), REFUSAL) == fatma
    assert world.sent.items == []


async def test_a_link_from_another_group_gets_one_line_in_the_openers_language(world: World) -> None:
    await world.building(GROUP)
    await world.building(OTHER_GROUP)
    await world.member(OTHER_GROUP, FATMA)
    update = world.command(person(FATMA, "Fatma", "en"), FATMA, Chat.PRIVATE)
    assert await guards.member_link(update, world.context, link(GROUP), REFUSAL) is None
    assert [(item.chat_id, item.text) for item in world.sent.items] == [(FATMA, t("nl", REFUSAL))]
    world.sent.items.clear()
    stranger = person(KEES, "Kees", "en")
    assert await guards.member_link(world.command(stranger, KEES, Chat.PRIVATE), world.context,
                                    link(GROUP), REFUSAL) is None
    assert [(item.chat_id, item.text) for item in world.sent.items] == [(KEES, t("en", REFUSAL))]


async def test_a_link_without_a_group_or_an_opener_is_ignored(world: World) -> None:
    await world.building(GROUP)
    await world.member(GROUP, FATMA)
    update = world.command(person(FATMA), FATMA, Chat.PRIVATE)
    assert await guards.member_link(update, world.context, link(None), REFUSAL) is None
    assert await guards.member_link(world.command(None, FATMA, Chat.PRIVATE), world.context, link(GROUP),
                                    REFUSAL) is None
    assert world.sent.items == [] and world.bot.asked == []
