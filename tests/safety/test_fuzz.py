"""Ten thousand generated updates through the running bot and the sandbox: whatever residents,
strangers or a tampered client send, nothing crashes, every press is answered, a refused press
changes nothing, and nobody acts on or hears of a building they are not in.

Two buildings are set up through the sandbox as residents use them (requests asked and taken, an
activity held with its look-back and host question, an idea, a suggested regular neighbour, a
report, the settings menu). Hypothesis then generates updates in batches; each batch is queued
in the sandbox at once, fetched by the bot with getUpdates like any update, and the test waits
for the sandbox's `settle` (every update marked handled, nothing left to send) before it looks.
The people are two plain members of the first building, a stranger, and the admin and a member
of the second. Presses carry the bot's real button data, every feature's data with ids of both
buildings, unknown, negative, 20-40 digit and non-ASCII ids, random and overlong data, or none;
they land on messages in the presser's own chat, in either group, in someone else's chat, on
messages that do not exist, or on no message. Messages are odd Unicode (zero-width, right-to-left
overrides), sizes up to and over Telegram's limits, and commands with or without @OmzienBot (or
another bot), in private and in the groups. One update in twenty lacks a field.

What changed, and for which update, is written down by temporary triggers on every table: the
bot handles each update in one unit of work that ends by marking it handled in the inbox, so a
trigger there hands the changes made so far to that update. A snapshot of the tables before and
after each batch checks that the triggers missed nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.clock import FakeClock
from bot.domain.activities import Draft, DraftStep, Repeat
from bot.domain.privacy import RateLimit
from bot.i18n import plain, t
from bot.logs import protect_token
from bot.ratelimit import OmzienRateLimiter
from bot.services import Services
from handlers.activities.feedback import look_back
from locales import SUPPORTED_LANGUAGES
from sandbox import CallbackAnswer, Sandbox, SandboxChat, SandboxMessage, SandboxUser
from sandbox.text_entities import detect_entities
from sandbox.world import CallbackQueryState
from tests.harness import START, TOKEN, World, running_watched
from tests.requests.request_steps import ask

pytestmark = pytest.mark.sqlite_only(
    reason="watches every change with SQLite's temporary triggers, on a database in memory")

BATCH = 200
EXAMPLES = 50
"""BATCH updates in each of EXAMPLES examples: at least 10,000 updates."""
RUNS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)
"""Repeatable (derandomized, no example database). No shrinking: a failure names the update."""

REFUSAL_KEYS = (
    "error.stale_button", "error.not_yours", "request.answer.taken", "request.answer.closed",
    "request.answer.own", "request.answer.past", "request.answer.already",
    "request.answer.not_member", "request.flow.not_member", "activity.members_only",
    "activity.organiser_only", "activity.answer.closed", "activity.manage.too_late",
    "activity.host.taken", "activity.host.already_you", "idea.proposer_only",
    "pairing.answer.closed", "pairing.answer.ended", "pairing.flow.not_member",
    "report.members_only", "report.admin_only", "report.done_before", "settings.stale",
    "settings.admin_only_short", "notify.not_yours", "notify.stale", "erase.admin_only",
    "language.admin_only", "workers.admin_only", "workers.stop.stale", "workers.object.stale",
    "workers.object.not_member", "workers.resume.stale", "relay.answer.closed",
)
REFUSALS = frozenset(plain(lang, key) for lang in SUPPORTED_LANGUAGES for key in REFUSAL_KEYS)
"""Every short "no" a press can get: after one of these, nothing may have changed."""
ERRORS = frozenset(plain(lang, "error.generic") for lang in SUPPORTED_LANGUAGES)
PRIVATE_ONLY = re.compile(
    r"^(rqf|actf|actm|actfade|actp|pf|off|wsh|pair|fgt|lang|mute|quiet|rhide|rkeep|relay|home"
    r"|idea:(stop|b|make)|act:(rate|help)|wrk:cancel|req:(pc|done|thx|wd|cx|et|ew|ct|ss|again))"
    r"(:|$)"
)
"""Buttons the bot only ever puts in a private chat: pressed in a group they must be refused."""

IGNORED: dict[str, frozenset[str] | None] = {
    "inbox": None, "schema_version": None, "privacy_secrets": None, "outbox": None,
    "deep_links": frozenset({"insert"}),
    "residents": frozenset({"insert", "first_name", "telegram_language", "username",
                            "last_seen_at", "started_at"}),
    "memberships": frozenset({"confirmed_at", "updated_at"}),
}
"""Bookkeeping, per table: None for the whole table, else the operations or columns that are
no change of state (who was seen when and by which name; a standing link made; what waits to
be sent; when Telegram last confirmed a membership)."""
DELIVERY_COLUMNS = frozenset({"message_id", "card_message_id", "card_shown"})
"""Where a card's message is and which version it shows: written when a send or an edit is
done, after the update that asked for it."""

ODD = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068" \
      "\u2069\u0301\u00a0\u3000\n\t<>&\"'/@#:"
WORDS = ["مرحبا", "שלום", "👩‍👩‍👧‍👦", "🏳️‍🌈", "Zoë", "ﷺ", "𝕆𝕞𝕫𝕚𝕖𝕟", "<b>x</b>", "&amp;",
         "\u202eevil", "Flat", "/help"]
characters = st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(ODD))
short_text = st.one_of(
    st.text(characters, max_size=30),
    st.lists(st.sampled_from(WORDS) | st.text(characters, max_size=4), max_size=6).map(" ".join),
    st.text(st.sampled_from(ODD[:16]), min_size=1, max_size=10),
)


def repeated(sizes: list[int]) -> st.SearchStrategy[str]:
    """A few characters repeated to one of `sizes`: long text costs no more to make than short."""
    return st.tuples(st.text(characters, min_size=1, max_size=6), st.sampled_from(sizes)).map(
        lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]])


long_text = repeated([64, 65, 200, 4095, 4096, 4097, 6000])
any_text = st.one_of(short_text, short_text, short_text, long_text)
numbers = st.one_of(
    st.integers(-5, 50),
    st.integers(-(2 ** 63), 2 ** 63),
    st.integers(10 ** 19, 10 ** 40),
    st.integers(-(10 ** 40), -(10 ** 19)),
).map(str)
odd_ids = st.text(st.sampled_from("0123456789٣٤²³①０１ -+_."), min_size=1, max_size=40)


@dataclass
class Person:
    user: SandboxUser
    groups: tuple[SandboxChat, ...]
    """The groups they are in (where they can write)."""
    building: int | None
    """The building they belong to, for what they may change."""


@dataclass
class Town:
    loop: asyncio.AbstractEventLoop
    world: World
    a: SandboxChat
    b: SandboxChat
    people: dict[str, Person]
    everyone: dict[str, SandboxUser]
    real_data: list[str]
    ids: list[str]
    tokens: list[str]
    errors: list[logging.LogRecord]
    unreadable: set[int]
    watched: dict[str, list[str]]
    pressable: dict[int, list[int]] = field(default_factory=dict)
    """Per chat, the bot's messages there (taken anew before each batch)."""
    query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    sent: int = 0

    @property
    def svc(self) -> Services:
        return self.world.services

    @property
    def sb(self) -> Sandbox:
        return self.world.sb

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)


class AiohttpRequest(BaseRequest):
    """The bot's calls over aiohttp's HTTP client: the same requests to the same sandbox, at a
    lower cost per call than httpx's (which the product keeps)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return 15.0

    async def initialize(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        assert self._session is not None
        data: Any = request_data.json_parameters if request_data else None
        if request_data is not None and request_data.contains_files:
            form = aiohttp.FormData()
            for key, value in request_data.json_parameters.items():
                form.add_field(key, value)
            for key, (name, content, mime) in request_data.multipart_data.items():
                form.add_field(key, content, filename=name, content_type=mime)
            data = form
        async with self._session.request(method, url, data=data) as response:
            return response.status, await response.read()


class _Collect(logging.Handler):
    """Errors (a handler that failed, see handlers.community.errors), and the updates the bot
    could not read at all (bot.durable skips them: there is no press to answer)."""

    def __init__(self, records: list[logging.LogRecord], unreadable: set[int]) -> None:
        super().__init__(logging.WARNING)
        self.records = records
        self.unreadable = unreadable

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.records.append(record)
        elif record.name == "bot.durable" and "could not be read" in record.msg:
            self.unreadable.add(int(record.args[0]))  # type: ignore[index]


# --- the two buildings, as residents made them ------------------------------------------------

async def _tap(sb: Sandbox, user: SandboxUser, message: SandboxMessage, button: str) -> None:
    await (await sb.tap(user, message, button)).answer()


async def _activity(world: World, organiser: SandboxUser, group: SandboxChat, title: str) -> int:
    """An activity posted through /activiteit's preview (the flow is tested on its own)."""
    sb, svc = world.sb, world.services
    sb.mark()
    starts = (START + timedelta(days=3)).replace(hour=18, minute=0)
    await svc.stores.activities.save_draft(Draft(
        user_id=organiser.id, building_id=group.id, step=DraftStep.PREVIEW, title=title,
        description="Samen.", starts_at=starts, ends_at=starts + timedelta(hours=2),
        place="Zaal", repeat=Repeat.WEEKLY, updated_at=svc.clock.now()))
    await sb.say(organiser, organiser, "/activiteit")
    await _tap(sb, organiser, await sb.next_message(organiser, containing="Klopt het"), "Plaatsen")
    await sb.next_message(group, containing=title)
    await sb.next_message(organiser, containing="Geplaatst")
    value = await svc.db.fetch_value(
        "SELECT id FROM activities WHERE title = ? AND building_id = ?", (title, group.id))
    return int(value)


async def _pairing(world: World, helper: SandboxUser, wisher: SandboxUser) -> SandboxMessage:
    """The helper offers company, the other wishes for it: the suggestion reaches the helper."""
    sb = world.sb
    for user, command, taps in (
        (helper, "aanbod", ("pf:k:company", "pf:next", "pf:d:3", "pf:p:afternoon", "pf:next",
                            "pf:f:weekly")),
        (wisher, "vastebuur", ("pf:k:company", "pf:d:3", "pf:p:afternoon", "pf:next")),
    ):
        sb.mark()
        await sb.say(user, user, f"/{command}")
        question = await sb.next_message(user)
        for data in taps:
            await _tap(sb, user, question, data)
            question = await sb.next_edit(user)
    await sb.settle()
    await world.run_due()
    return await sb.next_message(helper, containing="Een buur in jullie flat zoekt")


async def _build(world: World, a: SandboxChat, b: SandboxChat, users: dict[str, SandboxUser]) -> None:
    sb, svc = world.sb, world.services
    await sb.add_bot_to_group(a, by=users["Marieke"])
    await sb.next_message(a)
    await sb.add_bot_to_group(b, by=users["Olga"])
    await sb.next_message(b)
    welcome = {group.id: sb.bot_messages(group)[0].url_buttons()["Begin hier"] for group in (a, b)}
    for user in users.values():
        group = next((g for g in (a, b) if sb.is_member(g, user)), None)
        if group is None:
            await sb.open_private(user)
        else:
            await sb.open_private(user, welcome[group.id])
        await sb.next_message(user)
    fatma, youssef, anouk = users["Fatma"], users["Youssef"], users["Anouk"]
    kees, mehmet, olga, bram = users["Kees"], users["Mehmet"], users["Olga"], users["Bram"]
    claimed = await ask(world, fatma, text="Wie neemt melk voor me mee?")
    await _tap(sb, youssef, claimed.card, "Ik help")
    await sb.next_message(youssef, containing="Je helpt")
    await ask(world, kees, text="Wie helpt met een kast?")
    await ask(world, olga, text="Wie leent een ladder uit?", group=b)

    walk = await _activity(world, anouk, a, "Wandelen")
    await _tap(sb, kees, sb.bot_messages(a)[-1], "Ik kom")
    ended = await svc.stores.activities.finish(walk, svc.clock.now())
    assert ended is not None
    await look_back(svc, ended, svc.clock.now())
    await sb.next_message(a, containing="Dank jullie wel")
    await _activity(world, olga, b, "Kaarten")
    await sb.say(anouk, a, "/idee Samen een moestuin op het dak")
    await sb.next_message(a, containing="moestuin")
    await sb.say(bram, b, "/idee Een boekenkast in de hal")
    await sb.next_message(b, containing="boekenkast")
    await _pairing(world, youssef, fatma)
    idea_card = sb.bot_messages(a)[-1]
    await _tap(sb, mehmet, idea_card, "Meld")
    await _tap(sb, mehmet, idea_card, "Meld")  # the second tap confirms
    await sb.next_message(users["Marieke"], containing="moestuin")
    await sb.say(users["Marieke"], a, "/instellingen")
    await sb.next_message(a)
    await sb.say(olga, b, "/taal")
    await sb.next_message(b)
    await sb.settle()


def _harvest(sb: Sandbox, chats: list[SandboxChat | SandboxUser]) -> tuple[list[str], list[str]]:
    """Every button's data and every deep-link token the bot ever showed."""
    data: set[str] = set()
    tokens: set[str] = set()
    for chat in chats:
        for message in sb.bot_messages(chat):
            for row in message.buttons():
                for button in row:
                    if "callback_data" in button:
                        data.add(str(button["callback_data"]))
                    url = str(button.get("url", ""))
                    if "?start=" in url:
                        tokens.add(url.split("?start=", 1)[1])
    return sorted(data), sorted(tokens)


async def _ids(svc: Services) -> list[str]:
    """Every id the bot keeps, of either building, as text."""
    found: set[int] = set()
    for table in ("requests", "activities", "ideas", "pairings", "activity_host_offers",
                  "reports", "pairing_wishes", "activity_series", "buildings", "worker_consents"):
        column = "chat_id" if table == "buildings" else "id"
        found.update(int(value) for (value,) in await svc.db.fetch_all(f"SELECT {column} FROM {table}"))
    return sorted(str(value) for value in found)


# --- what changed, and for which update ---------------------------------------------------------

async def _watch(svc: Services) -> dict[str, list[str]]:
    """Temporary triggers: every insert, update (of a column that is not bookkeeping) and delete
    in every table is written down with the building and person it is about; marking an update
    handled (the last statement of its unit of work) hands what was written down so far to it.
    Returns the columns watched in each table watched whole (for `_snapshot`)."""
    db = svc.db
    watched: dict[str, list[str]] = {}
    await db.execute("CREATE TEMP TABLE fuzz_changes"
                     " (tbl TEXT, op TEXT, building INTEGER, person INTEGER, update_id INTEGER)")
    for op in ("INSERT", "UPDATE OF handled_at"):
        await db.execute(
            f'CREATE TEMP TRIGGER "fuzz_handled_{op[:6]}" AFTER {op} ON main.inbox'
            " WHEN NEW.handled_at IS NOT NULL BEGIN"
            " UPDATE fuzz_changes SET update_id = NEW.update_id WHERE update_id IS NULL; END")
    tables = await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    for (table,) in tables:
        ignored = IGNORED.get(table, frozenset())
        if ignored is None:
            continue
        ignored = ignored | DELIVERY_COLUMNS
        columns = [row[1] for row in await db.fetch_all(f'PRAGMA table_info("{table}")')]
        if not ignored & {"insert", "update", "delete"}:
            watched[table] = [c for c in columns if c not in ignored]
        building = next((c for c in ("building_id", "chat_id") if c in columns), None)
        person = next((c for c in ("user_id", "requester_id", "worker_id") if c in columns), None)
        for op, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
            if op in ignored:
                continue
            when = ""
            if op == "update":
                when = "WHEN " + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"'
                                             for c in columns if c not in ignored)
            about = ", ".join(f'{row}."{c}"' if c else "NULL" for c in (building, person))
            await db.execute(
                f'CREATE TEMP TRIGGER "fuzz_{table}_{op}" AFTER {op.upper()} ON main."{table}" {when}'
                f" BEGIN INSERT INTO fuzz_changes VALUES ('{table}', '{op}', {about}, NULL); END")
    return watched


async def _snapshot(svc: Services, tables: dict[str, list[str]]) -> dict[str, str]:
    """Every watched table's rows (watched columns only, sorted), in one query."""
    parts = []
    for table, columns in tables.items():
        row = " || ',' || ".join(f'quote("{c}")' for c in columns)
        parts.append(f"SELECT '{table}', (SELECT group_concat(r, char(10)) FROM "
                     f'(SELECT {row} AS r FROM "{table}" ORDER BY 1))')
    rows = await svc.db.fetch_all(" UNION ALL ".join(parts))
    return {row[0]: row[1] or "" for row in rows}


Change = tuple[str, str, int | None, int | None]


async def _changes(svc: Services) -> dict[int | None, list[Change]]:
    """What changed since the last call, by the update it belongs to (None: to no update)."""
    rows = await svc.db.fetch_all("SELECT tbl, op, building, person, update_id FROM temp.fuzz_changes")
    if rows:
        await svc.db.execute("DELETE FROM temp.fuzz_changes")
    found: dict[int | None, list[Change]] = defaultdict(list)
    for row in rows:
        found[row[4]].append((row[0], row[1], row[2], row[3]))
    return found


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Town]:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    # Every update commits once, and the database syncs each commit to disk (as it must): on
    # a disk that would be most of the run. In memory (where there is one) the same commits are
    # made and the syncs cost nothing.
    memory = Path("/dev/shm")
    where = stack.enter_context(tempfile.TemporaryDirectory(dir=memory)) if memory.is_dir() \
        else tmp_path_factory.mktemp("fuzz")
    database = Path(where) / "omzien.sqlite3"

    async def setup() -> Town:
        protect_token(TOKEN)
        sb = await stack.enter_async_context(
            Sandbox(token=TOKEN, group_limit_per_minute=1_000_000, global_limit_per_second=1_000_000))
        names = {"Marieke": "nl", "Fatma": "tr", "Youssef": "nl", "Anouk": "nl", "Kees": "nl",
                 "Mehmet": "en", "Piet": "nl", "Olga": "uk", "Bram": None}
        users = {name: sb.add_user(name, "Fuzz", language_code=lang) for name, lang in names.items()}
        a = sb.add_group("Flat De Linde", admins=[users["Marieke"]], members=[
            users[n] for n in ("Marieke", "Fatma", "Youssef", "Anouk", "Kees", "Mehmet")])
        b = sb.add_group("Flat Anker", admins=[users["Olga"]], members=[users["Olga"], users["Bram"]])
        world = World(sb=sb, clock=FakeClock(START), database=database, group=a,
                      admin=users["Marieke"], residents=list(users.values())[1:])
        # The schedule runs once at the start and then only when the test says so: the clock
        # stands still, and every change seen belongs to an update. Thousands of updates at
        # Telegram's pace (30 a second, 20 a minute a group) would only make the run wait; that
        # pace is the rate limiter's own test.
        app = build_application(world.settings(), clock=world.clock, schedule_poll_seconds=3600)
        app.bot._request = (app.bot._request[0], AiohttpRequest())  # type: ignore[attr-defined]
        app.bot._rate_limiter = OmzienRateLimiter(  # type: ignore[attr-defined]
            overall_max_rate=1_000_000, group_max_rate=1_000_000, private_max_rate=0)
        await stack.enter_async_context(running_watched(sb, app))
        world.app = app
        await _build(world, a, b, users)
        svc = world.services
        svc.action_counter.limit = RateLimit(per_minute=1_000_000, per_hour=1_000_000)
        real_data, tokens = _harvest(sb, [a, b, *users.values()])
        people = {
            "Kees": Person(users["Kees"], (a,), a.id),
            "Mehmet": Person(users["Mehmet"], (a,), a.id),
            "Piet": Person(users["Piet"], (), None),
            "Olga": Person(users["Olga"], (b,), b.id),
            "Bram": Person(users["Bram"], (b,), b.id),
        }
        errors: list[logging.LogRecord] = []
        unreadable: set[int] = set()
        logging.getLogger().addHandler(_Collect(errors, unreadable))
        watched = await _watch(svc)
        return Town(loop, world, a, b, people, users, real_data, await _ids(svc), tokens,
                    errors, unreadable, watched)

    town = loop.run_until_complete(setup())
    try:
        yield town
    finally:
        for handler in [h for h in logging.getLogger().handlers if isinstance(h, _Collect)]:
            logging.getLogger().removeHandler(handler)
        town.world.app = None
        loop.run_until_complete(stack.aclose())
        loop.close()
    assert town.sb.violations == [], "requests or replies that break the Bot API spec"


# --- every private button, forged from outside its building -------------------------------------

UNKNOWN = 987_654
"""An id nothing has."""
FORGED = [
    *(f"req:{action}:{{req}}" for action in ("done", "thx", "wd", "cx", "et", "ew", "ct", "ss", "pc")),
    "req:again:{req}:today", "actm:cancel:{act}", "actm:open:{act}", "actfade:pause:{act}",
    "actp:go:{act}", "act:host:{host}", "act:hostok:{host}", "act:hostno:{host}",
    "act:rate:{act}:good", "act:help:{act}:y", "idea:make:{idea}", "idea:join:{idea}",
    "pair:h:{pair}:y", "pair:r:{pair}:n", "pair:end:{pair}", "pair:endy:{pair}",
    "pair:met:{pair}:11", "pair:req:{req}", "wsh:x:{wish}", "rhide:{rep}", "rkeep:{rep}",
    "relay:req:{req}", "relay:pair:{pair}",
]
"""Every button about one thing, by what its id names."""


async def _ids_in_a(town: Town) -> dict[str, int]:
    db, a = town.svc.db, town.a.id

    async def first(sql: str) -> int:
        return int(await db.fetch_value(sql, (a,)))

    return {
        "req": await first("SELECT id FROM requests WHERE building_id = ? AND helper_id IS NOT NULL"),
        "act": await first("SELECT id FROM activities WHERE building_id = ? AND title = 'Wandelen'"
                           " ORDER BY id"),
        "host": await first("SELECT id FROM activity_host_offers WHERE building_id = ?"),
        "idea": await first("SELECT id FROM ideas WHERE building_id = ?"),
        "pair": await first("SELECT id FROM pairings WHERE building_id = ?"),
        "wish": await first("SELECT id FROM pairing_wishes WHERE building_id = ?"),
        "rep": await first("SELECT id FROM reports WHERE building_id = ?"),
    }


def _told(town: Town, name: str, words: list[str]) -> set[str]:
    texts = [m.text for m in town.sb.messages(town.everyone[name]) if m.from_user.is_bot]
    return {word for word in words for text in texts if word in text}


FIRST = ["Marieke", "Fatma", "Youssef", "Anouk", "Wandelen", "moestuin", "melk", "met een kast"]
SECOND = ["Olga", "Bram", "Kaarten", "boekenkast", "ladder"]


def test_another_buildings_ids_are_answered_as_unknown_ones(town: Town) -> None:
    """A non-member once pressed a forged `act:help:<id>:y` in his own chat and was told the
    organiser's name; activity ids could be counted through. Now every button with an id,
    forged by someone outside the thing's building (a stranger, another building's admin) in
    their own chat, gets the same answer as an id nothing has: nothing changes, nothing is told."""
    sb = town.sb

    async def scenario() -> None:
        values = await _ids_in_a(town)
        unknown = {key: UNKNOWN for key in values}
        outsiders = [town.everyone["Piet"], town.everyone["Olga"]]
        before = await _snapshot(town.svc, town.watched)
        told = {name: len(sb.bot_messages(town.everyone[name])) for name in FIRST[:4]}
        # Queued together, so the bot fetches them in a few batches.
        pressed = {(user.id, template, kind): await sb.tap(user, sb.bot_messages(user)[0],
                                                           template.format(**given), forged=True)
                   for user in outsiders for template in FORGED
                   for kind, given in (("real", values), ("unknown", unknown))}
        said: dict[tuple[int, str, str], CallbackAnswer] = {
            key: await result.answer() for key, result in pressed.items()}
        for user in outsiders:
            for template in FORGED:
                real, made_up = said[(user.id, template, "real")], said[(user.id, template, "unknown")]
                assert real.text, f"{template} is refused with a short line"
                assert (real.text, real.show_alert) == (made_up.text, made_up.show_alert), template
        await sb.settle()
        assert await _snapshot(town.svc, town.watched) == before, "a refused press changes nothing"
        assert [change for changes in (await _changes(town.svc)).values()
                for change in changes] == []
        assert _told(town, "Piet", FIRST + SECOND) == set()
        assert _told(town, "Olga", FIRST) == set()
        assert told == {name: len(sb.bot_messages(town.everyone[name])) for name in FIRST[:4]}

        # A neighbour in the building (no part in these) hears that the button is not theirs.
        kees = town.everyone["Kees"]
        greeting = sb.bot_messages(kees)[0]
        for data, key in ((f"req:done:{values['req']}", "error.not_yours"),
                          (f"pair:end:{values['pair']}", "error.not_yours"),
                          (f"actm:cancel:{values['act']}", "activity.organiser_only")):
            assert (await (await sb.tap(kees, greeting, data, forged=True)).answer()).text == t("nl", key)
        await sb.settle()
        assert await _snapshot(town.svc, town.watched) == before
        await _changes(town.svc)

    town.run(scenario())


# --- what is generated -------------------------------------------------------------------------

TEMPLATES = [
    "act:go:{}", "act:maybe:{}", "act:plus:{}", "act:no:{}", "act:ics:{}", "act:host:{}",
    "act:hostok:{}", "act:hostno:{}", "act:rate:{}:good", "act:help:{}:y", "act:help:{}:n",
    "actp:go:{}", "actp:pos:{}", "actf:b:{}", "actf:rep:{}", "actm:open:{}", "actm:time:{}",
    "actm:place:{}", "actm:who:{}", "actm:cancel:{}", "actm:cy:{}", "actm:cs:{}", "actm:keep:{}",
    "actfade:pause:{}", "actfade:time:{}", "actfade:ask:{}", "idea:join:{}", "idea:leave:{}",
    "idea:make:{}", "idea:b:{}", "req:c:{}", "req:ca:{}", "req:pc:{}", "req:done:{}", "req:thx:{}",
    "req:wd:{}", "req:cx:{}", "req:et:{}", "req:ew:{}", "req:ct:{}", "req:ss:{}",
    "req:again:{}:today", "rqf:b:{}", "rqf:w:{}", "pf:d:{}", "off:b:{}", "off:edit:{}",
    "off:del:{}", "off:pause:{}", "off:on:{}", "wsh:b:{}", "wsh:x:{}", "pair:h:{}:y",
    "pair:r:{}:y", "pair:h:{}:n", "pair:met:{}:11", "pair:not:{}:10", "pair:reg:{}:y",
    "pair:end:{}", "pair:endy:{}", "pair:endn:{}", "pair:req:{}", "rep:req:{}", "rep:act:{}",
    "rep:idea:{}", "rhide:{}", "rkeep:{}", "relay:req:{}", "relay:pair:{}", "wrk:stop:{}",
    "wrk:obj:{}", "wrk:resume:{}", "wrk:limit:{}", "cfg:max:{}", "cfg:v:{}", "mute:{}",
    "lang:{}", "glang:{}", "wipe:{}", "fgt:{}", "home:{}",
]
FIXED = ["actf:new", "actf:stop", "actf:skip", "actf:post", "idea:stop", "rqf:stop", "rqf:post",
         "rqf:k:shopping", "pf:stop", "pf:next", "wsh:new", "wrk:cancel", "cfg:done", "cfg:stop",
         "fgt:no", "wipe:no", "wipe:1", "wipe:2", "lang:en", "glang:nl", "mute:request",
         "quiet:keep", "home:ask", "home:help", "home:act", "home:mine", "req:", "act:", ":",
         "::::"]
UNSAFE = frozenset({"fgt:yes"})
"""Allowed to anyone for themselves, and it erases the presser: left out so the five stay."""


def press_data(town: Town) -> st.SearchStrategy[str | None]:
    ids = st.one_of(st.sampled_from(town.ids), numbers, odd_ids)
    formatted = st.tuples(st.sampled_from(TEMPLATES), ids).map(lambda pair: pair[0].format(pair[1]))
    real = st.sampled_from([d for d in town.real_data if d not in UNSAFE])
    return st.one_of(
        real, real, formatted, formatted,
        st.sampled_from(FIXED),
        st.tuples(st.sampled_from([t.split("{}")[0] for t in TEMPLATES]),
                  st.text(characters, max_size=70)).map("".join),
        st.text(characters, min_size=1, max_size=64),
        repeated([65, 100, 300, 2000]),
        st.none(),
    ).filter(lambda data: data not in UNSAFE)


PRESS_FIELDS = ["from", "id", "chat_instance", "message.chat", "message.message_id", "message.date",
                "message.chat.type", "from.first_name", "from.is_bot", "from.id", "message.from"]
SAY_FIELDS = ["from", "chat", "date", "message_id", "text", "chat.type", "from.id", "entities"]
"""Fields a broken client (or a broken Telegram) may leave out."""


@dataclass(frozen=True)
class Press:
    person: str
    data: str | None
    where: str
    """own, group-a, group-b, someone-else, made-up, none"""
    pick: int
    missing: str = ""
    """A field left out (dotted path), or none."""


@dataclass(frozen=True)
class Say:
    person: str
    text: str
    in_group: bool
    pick: int
    missing: str = ""


def missing(fields: list[str]) -> st.SearchStrategy[str]:
    """Mostly nothing left out; one update in twenty lacks one of `fields`."""
    return st.sampled_from([""] * (19 * len(fields)) + fields)


def commands(town: Town) -> st.SearchStrategy[str]:
    names = sorted({name for command in town.svc.menu for name in command.all_names}
                   | {"start", "stop", "onbekend", "START", "Help"})
    suffix = st.sampled_from(["", "", "@OmzienBot", "@omzienbot", "@AnderBot", "@"])
    start = st.one_of(st.sampled_from(town.tokens), st.text(characters, max_size=70)).map(
        lambda payload: f"/start {payload}")
    return st.one_of(
        st.tuples(st.sampled_from(names), suffix, st.one_of(st.just(""), any_text)).map(
            lambda parts: f"/{parts[0]}{parts[1]} {parts[2]}".rstrip(" ")),
        start,
    )


def updates(town: Town) -> st.SearchStrategy[Press | Say]:
    people = st.sampled_from(sorted(town.people))
    places = st.sampled_from(["own", "own", "group-a", "group-b", "someone-else", "made-up", "none"])
    picks = st.integers(0, 10_000)
    press = st.builds(Press, people, press_data(town), places, picks, missing(PRESS_FIELDS))
    say = st.builds(Say, people, st.one_of(any_text, commands(town)).filter(bool), st.booleans(),
                    picks, missing(SAY_FIELDS))
    return st.one_of(press, press, say)


# --- handing updates to the bot through the sandbox ----------------------------------------------

def _pressed_on(town: Town, press: Press, user: SandboxUser) -> dict[str, Any] | None:
    sb = town.sb
    if press.where == "none":
        return None
    if press.where == "made-up":
        chat = [town.a.id, town.b.id, user.id][press.pick % 3]
        return {"message_id": 10_000 + press.pick, "date": 1795357915,
                "chat": sb.world.chat_dict(chat), "text": "…"}
    chat_id = {"own": user.id, "group-a": town.a.id, "group-b": town.b.id,
               "someone-else": town.everyone["Fatma"].id}[press.where]
    messages = town.pressable[chat_id]
    current = sb.world.get_message(chat_id, messages[press.pick % len(messages)])
    assert current is not None
    return current.to_dict()


def _press(town: Town, press: Press, user: SandboxUser) -> tuple[dict[str, Any], str]:
    query_id = f"fz{next(town.query_ids)}"
    message = _pressed_on(town, press, user)
    body: dict[str, Any] = {"id": query_id, "from": user.to_dict(), "chat_instance": "5"}
    if message is None:
        body["inline_message_id"] = f"inline-{press.pick}"
    else:
        body["message"] = message
    if press.data is not None:
        body["data"] = press.data
    town.sb.world.callback_queries[query_id] = CallbackQueryState(
        query_id, user, message["chat"]["id"] if message else 0,
        message["message_id"] if message else 0, press.data or "")
    return {"callback_query": body}, query_id


def _said(town: Town, say: Say, person: Person) -> dict[str, Any]:
    groups = person.groups
    chat = groups[say.pick % len(groups)] if say.in_group and groups else None
    chat_id = chat.id if chat is not None else person.user.id
    message = town.sb.world.new_message(chat_id, person.user, text=say.text,
                                        entities=detect_entities(say.text))
    town.sb.world.put(message)
    return {"message": message.to_dict()}


def _leave_out(body: dict[str, Any], path: str) -> None:
    """Take the field at the dotted `path` out of the update's one object, if it is there."""
    if not path:
        return
    found: Any = next(iter(body.values()))
    *parents, last = path.split(".")
    for key in parents:
        found = found.get(key) if isinstance(found, dict) else None
    if isinstance(found, dict):
        found.pop(last, None)


@dataclass
class Sent:
    item: Press | Say
    update_id: int
    query_id: str | None
    """The press's id, when it has one."""


async def send(town: Town, item: Press | Say) -> Sent:
    person = town.people[item.person]
    query_id = None
    if isinstance(item, Press):
        body, query_id = _press(town, item, person.user)
    else:
        body = _said(town, item, person)
    _leave_out(body, item.missing)
    update_id = await town.sb.raw_update(body)
    town.sent += 1
    return Sent(item, update_id, query_id if "id" in body.get("callback_query", {}) else None)


def check(town: Town, sent: Sent, changed: list[Change]) -> None:
    item, person = sent.item, town.people[sent.item.person]
    if isinstance(item, Press) and sent.query_id is not None:
        state = town.sb.world.callback_queries.pop(sent.query_id)
        answer = state.answer.text if state.answer is not None else None
        if sent.update_id not in town.unreadable:
            assert state.answer is not None, f"{item!r} was never answered"
            assert answer not in ERRORS, f"{item!r} got the generic error"
            if answer in REFUSALS:
                assert changed == [], f"{item!r} was refused ({answer!r}) but changed {changed}"
            if item.where in ("group-a", "group-b") and PRIVATE_ONLY.match(item.data or ""):
                assert answer in REFUSALS, f"{item!r} (private) pressed in a group: {answer!r}"
        else:
            assert changed == [], f"{item!r} cannot be read, yet changed {changed}"
    if isinstance(item, Press) and item.where in ("someone-else", "none"):
        assert changed == [], f"{item!r}, on no message of the presser's, changed {changed}"
    if isinstance(item, Say) and person.building is None and not item.text.startswith("/"):
        assert changed == [], f"{item!r}: free text from a stranger changed {changed}"
    others = {town.a.id, town.b.id} - {person.building}
    foreign = [change for change in changed if change[2] in others]
    assert foreign == [], f"{item!r} by {item.person} changed another building: {foreign}"
    strangers = {u.id for name, u in town.everyone.items() if name not in town.people}
    theirs = [change for change in changed if change[3] in strangers and change[2] != person.building]
    assert theirs == [], f"{item!r} by {item.person} changed someone else's things: {theirs}"


@pytest.mark.timeout(900)
def test_ten_thousand_updates_change_nothing_they_should_not(town: Town) -> None:
    """Each update costs the bot some ten milliseconds of work (its unit of work, its answer):
    ten thousand of them take minutes on a busy machine, more than the suite's usual limit."""
    chats: list[SandboxChat | SandboxUser] = [town.a, town.b, *town.everyone.values()]

    async def batch(items: list[Press | Say]) -> None:
        town.pressable = {chat.id: [m.message_id for m in town.sb.bot_messages(chat)]
                          for chat in chats}
        before = await _snapshot(town.svc, town.watched)
        errors_before = len(town.errors)
        sent = [await send(town, item) for item in items]
        await town.sb.settle(timeout=120)
        crashes = [record.getMessage() for record in town.errors[errors_before:]]
        assert crashes == [], f"crashed: {crashes}; the batch: {[s.item for s in sent]}"
        changes = await _changes(town.svc)
        assert changes.get(None, []) == [], "changes that belong to no update"
        for one in sent:
            check(town, one, changes.get(one.update_id, []))
        changed = {change[0] for found in changes.values() for change in found}
        after = await _snapshot(town.svc, town.watched)
        unseen = {table for table in before if table not in changed and before[table] != after[table]}
        assert unseen == set(), f"tables changed without the triggers seeing it: {unseen}"
        assert _told(town, "Piet", FIRST + SECOND) == set(), "the stranger heard a name"
        assert _told(town, "Olga", FIRST) == set() and _told(town, "Bram", FIRST) == set()

    @RUNS
    @given(items=st.lists(updates(town), min_size=BATCH, max_size=BATCH))
    def batches(items: list[Press | Say]) -> None:
        town.run(batch(items))

    batches()
    assert town.sent >= BATCH * EXAMPLES >= 10_000, f"only {town.sent} updates were sent"

    async def still_answers() -> None:
        kees = town.everyone["Kees"]
        await town.sb.say(kees, kees, "/help")
        reply = await town.sb.next_message(kees, containing="/privacy")
        assert reply.text.startswith(("Dit kun je", "What you can do"))
        assert [record.getMessage() for record in town.errors] == [], "errors after the run"

    town.run(still_answers())


def test_commands_in_a_group_the_bot_has_no_record_of(town: Town) -> None:
    """The group's row is gone (e.g. lost): commands there still get a clear answer."""
    sb = town.sb
    marieke, kees = town.everyone["Marieke"], town.everyone["Kees"]
    other = sb.add_group("Flat Zonder Gegevens", members=[marieke, kees], admins=[marieke])

    async def scenario() -> None:
        await sb.add_bot_to_group(other, by=marieke)
        await sb.next_message(other)
        await sb.settle()
        await town.svc.db.execute("DELETE FROM buildings WHERE chat_id = ?", (other.id,))
        crashes = len(town.errors)
        expected = {
            "help": "Dit kun je",
            "privacy": "Privacy: wat ik bewaar",
            "mijngegevens": t("nl", "data.go_private"),
            "wisgroep": t("nl", "erase.nothing"),
        }
        for command, reply in expected.items():
            await sb.say(kees, other, f"/{command} 𝕆 \u202e zo")
            assert reply in (await sb.next_message(other)).text
        assert town.errors[crashes:] == []

    town.run(scenario())
