"""Property tests through the sandbox: whatever people (or a broken client) send, the bot never
crashes, answers what it can, changes nothing when it refuses, and still answers /help after.

One sandbox and one bot serve every example: they run in this module's own event loop, and each
Hypothesis example is one `run_until_complete` inside it. Residents are taken in turn from
separate pools, so no one hits the per-resident limit and no example sees another's state.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.i18n import t
from bot.logs import protect_token
from bot.services import Services
from handlers.privacy.jobs import RETENTION_KIND
from locales import SUPPORTED_LANGUAGES
from sandbox import Sandbox, SandboxMessage, SandboxUser
from sandbox.world import CallbackQueryState
from tests.harness import START, TOKEN, World

T = TypeVar("T")
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
POOL = 15
ERROR_TEXTS = {t(lang, "error.generic") for lang in SUPPORTED_LANGUAGES}
VALID_PRESSES = {"lang:nl", "lang:en", "glang:nl", "glang:en", "fgt:yes", "wipe:1", "wipe:2"}
PREFIXES = ["rep:", "rhide:", "rkeep:", "fgt:", "wipe:", "lang:", "glang:", "req:", "act:", "set:"]

ODD = "\u200f\u202e\u202d\u200b\u200c\u200d\u2060\ufeff\u0301\u00a0\u3000\n\t<>&\"'/@#"
WORDS = ["مرحبا بالجيران", "שלום שכנים", "👩‍👩‍👧‍👦", "🏳️‍🌈", "Zoë", "ﷺ", "𝕆𝕞𝕫𝕚𝕖𝕟", "<b>", "&amp;", "/help"]
characters = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(ODD),
)
short_text = st.one_of(
    st.text(characters, max_size=40),
    st.lists(st.sampled_from(WORDS) | st.text(characters, max_size=5), max_size=8).map(" ".join),
)
long_text = st.tuples(st.text(characters, min_size=1, max_size=12), st.integers(300, 10_000)).map(
    lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]]
)
any_text = st.one_of(short_text, short_text, long_text)

json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(characters, max_size=20),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@dataclass
class Fuzz:
    loop: asyncio.AbstractEventLoop
    world: World
    pools: dict[str, Iterator[SandboxUser]]
    errors: list[logging.LogRecord]
    query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def run(self, work: Awaitable[T]) -> T:
        return self.loop.run_until_complete(work)

    @property
    def svc(self) -> Services:
        return self.world.services

    def user(self, pool: str) -> SandboxUser:
        return next(self.pools[pool])

    async def handled(self, update_id: int | None) -> None:
        """Once the bot has finished with everything, this update included."""
        assert update_id is not None, "the sandbox did not deliver the update"
        await self.world.sb.settle()
        assert await self.svc.inbox.is_handled(update_id), f"update {update_id} was never handled"

    async def dump(self) -> dict[str, list[str]]:
        """Every table but the inbox and the outbox (what the bot answers is no change of
        state); when a resident was last seen is none either."""
        names = await self.svc.db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT IN ('inbox', 'outbox', 'sqlite_sequence')"
        )
        tables: dict[str, list[str]] = {}
        for (name,) in names:
            rows = await self.svc.db.fetch_all(f'SELECT * FROM "{name}"')
            tables[name] = sorted(
                repr({key: row[key] for key in row.keys() if key != "last_seen_at"})  # noqa: SIM118
                for row in rows
            )
        return tables

    def crashes_since(self, count: int) -> list[str]:
        return [record.getMessage() for record in self.errors[count:]]

    def error_replies(self, chat_id: int) -> list[SandboxMessage]:
        return [m for m in self.world.sb.world.chat_messages(chat_id) if m.text in ERROR_TEXTS]


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    database: Path = tmp_path_factory.mktemp("fuzz") / "omzien.sqlite3"

    async def setup() -> Fuzz:
        protect_token(TOKEN)
        sb = await stack.enter_async_context(Sandbox(token=TOKEN))
        admin = sb.add_user("Marieke", "Jansen", language_code="nl")
        languages = itertools.cycle(["nl", "en", "tr", "ar", None])
        pools = {
            pool: [sb.add_user(f"{pool.title()}{i}", language_code=next(languages)) for i in range(POOL)]
            for pool in ("command", "text", "press")
        }
        everyone = [admin, *itertools.chain.from_iterable(pools.values())]
        group = sb.add_group("Flat De Linde", members=everyone, admins=[admin])
        world = World(sb=sb, clock=FakeClock(START), database=database, group=group, admin=admin,
                      residents=everyone[1:])
        await stack.enter_async_context(world.bot())
        await world.add_bot()
        for user in pools["press"]:
            await sb.start_private(user)
            await sb.next_message(user)
        await sb.settle()
        assert await world.services.scheduler.store.pending(RETENTION_KIND), "started up"
        errors: list[logging.LogRecord] = []
        logging.getLogger().addHandler(_Collect(errors))
        return Fuzz(loop, world, {name: itertools.cycle(users) for name, users in pools.items()}, errors)

    fuzz = loop.run_until_complete(setup())
    try:
        yield fuzz
    finally:
        for handler in [h for h in logging.getLogger().handlers if isinstance(h, _Collect)]:
            logging.getLogger().removeHandler(handler)
        loop.run_until_complete(stack.aclose())
        loop.close()
    assert fuzz.world.sb.violations == [], "requests or replies that break the Bot API spec"


async def _still_answers_help(fuzz: Fuzz) -> None:
    user = fuzz.user("command")
    await fuzz.world.sb.command(user, user, "help")
    reply = await fuzz.world.sb.next_message(user, containing="/privacy")
    assert reply.text.startswith(("Dit kun je", "What you can do"))


def test_any_command_with_any_text_is_answered_without_crashing(fuzz: Fuzz) -> None:
    names = sorted({name for command in fuzz.svc.menu for name in command.all_names} | {"onbekend"})

    async def example(name: str, args: str) -> None:
        user = fuzz.user("command")
        crashes = len(fuzz.errors)
        sent = await fuzz.world.sb.send(user, user, f"/{name} {args}")
        await fuzz.handled(sent.update_id)
        assert fuzz.crashes_since(crashes) == []
        assert fuzz.error_replies(user.id) == []

    @EXAMPLES
    @given(name=st.sampled_from(names), args=any_text)
    def commands(name: str, args: str) -> None:
        fuzz.run(example(name, args))

    commands()
    fuzz.run(_still_answers_help(fuzz))


def test_private_text_of_any_kind_changes_nothing(fuzz: Fuzz) -> None:
    async def example(text: str) -> None:
        user = fuzz.user("text")
        before, crashes = await fuzz.dump(), len(fuzz.errors)
        sent = await fuzz.world.sb.send(user, user, text)
        await fuzz.handled(sent.update_id)
        assert fuzz.crashes_since(crashes) == []
        assert fuzz.error_replies(user.id) == []
        after = await fuzz.dump()
        changed = {name for name in before.keys() | after.keys()
                   if before.get(name) != after.get(name) and name != "residents"}
        assert not changed, f"free text changed {changed}"

    @EXAMPLES
    @given(text=any_text.filter(lambda text: bool(text.strip()) and not text.startswith("/")))
    def texts(text: str) -> None:
        fuzz.run(example(text))

    texts()
    fuzz.run(_still_answers_help(fuzz))


press_data = st.one_of(
    st.text(characters, min_size=1, max_size=64),
    st.sampled_from(PREFIXES).flatmap(lambda prefix: st.text(characters, max_size=70).map(prefix.__add__)),
    st.text(characters, min_size=65, max_size=2000),
).filter(lambda data: data not in VALID_PRESSES)


def test_random_and_oversized_button_data_is_refused_and_changes_nothing(fuzz: Fuzz) -> None:
    sb = fuzz.world.sb
    welcome = sb.bot_messages(fuzz.world.group)[0]

    async def example(data: str, in_group: bool) -> None:
        user = fuzz.user("press")
        message = welcome if in_group else sb.bot_messages(user)[0]
        before, crashes = await fuzz.dump(), len(fuzz.errors)
        query_id = f"fuzz-{next(fuzz.query_ids)}"
        sb.world.callback_queries[query_id] = CallbackQueryState(
            query_id, user, message.chat_id, message.message_id, data
        )
        update_id = await sb.raw_update({"callback_query": {
            "id": query_id, "from": user.to_dict(), "message": message.to_dict(),
            "chat_instance": "42", "data": data,
        }})
        await fuzz.handled(update_id)
        answer = await sb.callback_answer(query_id, timeout=5)
        assert answer.text not in ERROR_TEXTS
        assert fuzz.crashes_since(crashes) == []
        assert await fuzz.dump() == before

    @EXAMPLES
    @given(data=press_data, in_group=st.booleans())
    def presses(data: str, in_group: bool) -> None:
        fuzz.run(example(data, in_group))

    presses()
    fuzz.run(_still_answers_help(fuzz))


def _group_chat(fuzz: Fuzz) -> dict[str, Any]:
    return {"id": fuzz.world.group.id, "type": "group", "title": fuzz.world.group.title}


def test_malformed_updates_are_skipped_and_change_nothing(fuzz: Fuzz) -> None:
    group = _group_chat(fuzz)
    without_sender = any_text.map(lambda text: {"message": {
        "message_id": 1, "date": 1795357915, "chat": group, "text": text or "/help"}})
    bodies = st.one_of(
        st.fixed_dictionaries({"message": json_value}),
        st.fixed_dictionaries({"callback_query": json_value}),
        st.fixed_dictionaries({"my_chat_member": json_value}),
        st.dictionaries(st.text(min_size=1, max_size=15), json_value, min_size=1, max_size=2),
        without_sender,
    )

    async def example(body: dict[str, Any]) -> None:
        before, crashes = await fuzz.dump(), len(fuzz.errors)
        update_id = await fuzz.world.sb.raw_update(body)
        await fuzz.handled(update_id)
        assert fuzz.crashes_since(crashes) == []
        assert await fuzz.dump() == before

    @EXAMPLES
    @given(body=bodies)
    def malformed(body: dict[str, Any]) -> None:
        fuzz.run(example(body))

    malformed()
    fuzz.run(_still_answers_help(fuzz))


def test_commands_in_a_group_the_bot_has_no_record_of(fuzz: Fuzz) -> None:
    """The group's row is gone (e.g. lost): commands there still get a clear answer."""
    sb, world = fuzz.world.sb, fuzz.world
    member = fuzz.user("command")
    other = sb.add_group("Flat Zonder Gegevens", members=[world.admin, member], admins=[world.admin])

    async def scenario() -> None:
        await sb.add_bot_to_group(other, by=world.admin)
        await sb.next_message(other)
        await sb.settle()
        await fuzz.svc.db.execute("DELETE FROM buildings WHERE chat_id = ?", (other.id,))
        crashes = len(fuzz.errors)
        expected = {
            "help": "Dit kun je",
            "privacy": "Privacy: wat ik bewaar",
            "mijngegevens": t("nl", "data.go_private"),
            "wisgroep": t("nl", "erase.nothing"),
        }
        for command, reply in expected.items():
            await sb.command(member, other, command, "𝕆 \u202e zo")
            assert reply in (await sb.next_message(other)).text
        assert fuzz.crashes_since(crashes) == []

    fuzz.run(scenario())
