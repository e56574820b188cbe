"""Every cell of docs/authorization.md, acted out through the sandbox.

The page is the source: each cell is one test (every row must be marked *tested*). A runner acts as the role's
person and says what happened: "allowed", "own" (allowed, for or about themselves only), "refused"
(a short answer in their language, and nothing stored changed), or "impossible" (Telegram itself
does not let them, and neither does the sandbox: writing in a group one is not in). A cell marked
— passes when the platform stops it or when the bot refuses the forged version of it: button data
sent by a modified client, or a private button forwarded to someone else.

One bot serves the whole module; every cell gets a building of its own (a fresh group with fresh
people), so cells share nothing and a group's 20 messages a minute never slow them down. In each
building: the resident Kees, the requester Fatma, the helper Youssef, the organiser Anouk, the
admin Marieke and a bystander Mehmet are members; Sanne is the community worker (invited by
Marieke, not a member); Piet is a non-member; Ria was a member, opened the bot then and left the
group; Olga is the admin of another building. A runner makes
a role real where its row is about it (Fatma asks and Youssef helps in request rows, Anouk
organises in activity rows and proposes in the idea row, Fatma wishes and Youssef offers in the
regular-neighbour rows); elsewhere they are members like Kees, as a part in one thing grants
nothing in another.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import InlineKeyboardMarkup

from bot.app import build_application
from bot.clock import FakeClock
from bot.domain.activities import Draft, DraftStep, Repeat
from bot.domain.pairing import PairStatus
from bot.domain.requests import RequestStatus
from bot.i18n import t
from bot.logs import protect_token
from bot.ratelimit import OmzienRateLimiter
from bot.services import ReportedCard, Services
from handlers.activities.feedback import look_back
from handlers.community.relay import RELAY_LIFETIME
from handlers.kit.buttons import report_button
from sandbox import CallbackAnswer, Sandbox, SandboxChat, SandboxMessage, SandboxUser
from sandbox.world import CallbackQueryState
from storage.activities import ActivityStore
from storage.db import to_db
from storage.insight_workers import WorkerStore
from storage.pairing import PairingStore
from storage.requests import RequestStore
from tests.harness import START, TOKEN, World, module_database, running_watched
from tests.requests.request_steps import ask
from tests.schema_info import column_names, table_names

DOC = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"
ROLES = ("resident", "requester", "helper", "organiser", "group admin", "community worker",
         "non-member", "former member", "other building")
OUTCOMES = {"✅": "allowed", "👤": "own", "❌": "refused", "—": "impossible"}
LINK = re.compile(r"https://t\.me/OmzienBot\?start=[A-Za-z0-9_-]+")
BOOKKEEPING = frozenset({"schema_version", "inbox", "outbox", "residents", "memberships",
                         "deep_links", "schedule", "privacy_secrets"})
"""Tables a refused action may still touch: who was seen when, links, the schedule's own runs,
and the outbox (a refusal is answered)."""
VOLATILE = frozenset({"card_shown"})
"""Columns the card refresher moves on its own time."""
PEOPLE = {
    "resident": ("Kees", "Bakker"), "requester": ("Fatma", "Yilmaz"),
    "helper": ("Youssef", "El Amrani"), "organiser": ("Anouk", "de Vries"),
    "group admin": ("Marieke", "Jansen"), "bystander": ("Mehmet", "Demir"),
    "community worker": ("Sanne", "Visser"), "non-member": ("Piet", "Buiten"),
    "former member": ("Ria", "Vos"), "other building": ("Olga", "Anker"),
}
"""Who plays each role in every building (Mehmet is a member with no part, for the setting)."""
FRESH_WORKER = frozenset({"worker.accept"})
"""Rows where the community worker has not accepted an invitation yet: that is the action."""
OVERALL = 300
"""Messages a second the bot may send overall in this module (see the `town` fixture)."""


@dataclass(frozen=True)
class Row:
    id: str
    tested: bool
    cells: dict[str, str]


def matrix() -> list[Row]:
    lines = DOC.read_text(encoding="utf-8").split("## Matrix", 1)[1].splitlines()
    table = [line for line in lines if line.startswith("|")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header[:3] == ["Id", "Action", "Tested"] and tuple(header[3:]) == ROLES, header
    rows = []
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(Row(cells[0], cells[2] == "yes", dict(zip(ROLES, cells[3:], strict=True))))
    return rows


# --- the town: one bot for the module, a fresh building for every cell ------------------------

@dataclass
class Town:
    world: World
    numbers: count[int] = field(default_factory=lambda: count(1))
    columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def sb(self) -> Sandbox:
        return self.world.sb

    async def tables(self) -> dict[str, list[str]]:
        """Every table that is not bookkeeping, with its columns."""
        if not self.columns:
            db = self.world.services.db
            for table in await table_names(db):
                if table not in BOOKKEEPING:
                    self.columns[table] = await column_names(db, table)
        return self.columns

    async def scene(self) -> Scene:
        sb, number = self.sb, next(self.numbers)
        sb.mark()
        people = {role: sb.add_user(first, last, language_code="nl")
                  for role, (first, last) in PEOPLE.items()}
        members = [people[role] for role in ("group admin", "resident", "requester", "helper",
                                             "organiser", "bystander", "former member")]
        group = sb.add_group(f"Flat {number}", members=members, admins=[people["group admin"]])
        await sb.add_bot_to_group(group, by=people["group admin"])
        welcome = await sb.next_message(group)
        return Scene(self, number, group, welcome, people)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def town(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Town]:
    protect_token(TOKEN)
    async with Sandbox(token=TOKEN, global_limit_per_second=OVERALL) as sb:
        keeper = sb.add_user("Joop", "Beheer", language_code="nl")
        first = sb.add_group("Flat Nul", members=[keeper], admins=[keeper])
        world = World(sb=sb, clock=FakeClock(START), group=first, admin=keeper, residents=[],
                      database=await module_database(tmp_path_factory.mktemp("authorization")))
        app = build_application(world.settings(), clock=world.clock, schedule_poll_seconds=0.1)
        # Hundreds of cells, each a small scene: at Telegram's 30 messages a second overall and
        # one a second into a private chat, the module would mostly wait. Keeping to those paces
        # is the rate limiter's own test (the sandbox keeps each group at 20 a minute here too).
        app.bot._rate_limiter = OmzienRateLimiter(overall_max_rate=OVERALL, private_max_rate=0)
        async with running_watched(sb, app):
            world.app = app
            yield Town(world)
            world.app = None
        assert sb.violations == [], "requests or replies that break the Bot API spec"


@dataclass
class Scene:
    town: Town
    number: int
    group: SandboxChat
    welcome: SandboxMessage
    people: dict[str, SandboxUser]
    other_group: SandboxChat | None = None
    card: SandboxMessage | None = None
    hidden: list[int] = field(default_factory=list)
    proposal: SandboxMessage | None = None

    # -- who is who ------------------------------------------------------------------------------

    @property
    def world(self) -> World:
        return self.town.world

    @property
    def sb(self) -> Sandbox:
        return self.town.sb

    @property
    def svc(self) -> Services:
        return self.world.services

    @property
    def resident(self) -> SandboxUser:
        return self.people["resident"]

    @property
    def requester(self) -> SandboxUser:
        return self.people["requester"]

    @property
    def helper(self) -> SandboxUser:
        return self.people["helper"]

    @property
    def organiser(self) -> SandboxUser:
        return self.people["organiser"]

    @property
    def admin(self) -> SandboxUser:
        return self.people["group admin"]

    @property
    def bystander(self) -> SandboxUser:
        return self.people["bystander"]

    @property
    def worker(self) -> SandboxUser:
        return self.people["community worker"]

    @property
    def outsider(self) -> SandboxUser:
        return self.people["non-member"]

    @property
    def former(self) -> SandboxUser:
        return self.people["former member"]

    @property
    def other_admin(self) -> SandboxUser:
        return self.people["other building"]

    def in_group(self, user: SandboxUser) -> bool:
        return self.sb.is_member(self.group, user)

    async def play(self, role: str, action: str) -> SandboxUser:
        """The person in `role`, with what makes them so: a worker has been invited and said yes;
        the other building has its group with the bot; the former member opened the bot while
        in the group, and left."""
        if role == "community worker" and action not in FRESH_WORKER:
            await self.make_worker()
        if role == "other building":
            await self.other_welcome()
        if role == "former member":
            await self.move_out(self.former)
        return self.people[role]

    async def move_out(self, person: SandboxUser) -> None:
        await self.private(person)
        await self.sb.leave(self.group, person)
        await self.sb.settle()
        membership = await self.svc.memberships.get(self.group.id, person.id)
        assert membership is not None and not membership.is_current, "the bot saw them leave"

    async def other_welcome(self) -> SandboxMessage:
        if self.other_group is None:
            olga = self.other_admin
            self.other_group = self.sb.add_group(f"Flat Anker {self.number}", members=[olga], admins=[olga])
            await self.sb.add_bot_to_group(self.other_group, by=olga)
            await self.sb.next_message(self.other_group)
        return self.sb.bot_messages(self.other_group)[0]

    async def private(self, user: SandboxUser) -> None:
        """The person opened the bot: members through "Begin hier" (the bot then knows their
        building), others with a plain /start."""
        if self.sb.bot_messages(user):
            return
        if self.in_group(user):
            await self.sb.open_private(user, self.welcome.url_buttons()["Begin hier"])
        else:
            await self.sb.open_private(user)
        await self.sb.next_message(user)

    async def greeting(self, user: SandboxUser) -> SandboxMessage:
        """A message of the bot in the person's own chat, to press forwarded or forged data on."""
        await self.private(user)
        return self.sb.bot_messages(user)[0]

    async def invitation(self) -> str:
        await self.private(self.admin)
        await self.sb.say(self.admin, self.group, "/uitnodigen")
        assert (await self.sb.next_message(self.group)).text == t("nl", "workers.invite.sent")
        found = LINK.search((await self.sb.next_message(self.admin, containing="uitnodiging")).text)
        assert found is not None
        return found.group(0)

    async def accept(self, user: SandboxUser, url: str) -> SandboxMessage:
        """`user` opens an invitation and says who they are; the bot's last answer."""
        sb = self.sb
        await sb.open_private(user, url)
        reply = await sb.next_message(user)
        if "naam" not in reply.text:
            return reply
        await sb.say(user, user, f"{user.first_name} {user.last_name}")
        await sb.next_message(user, containing="organisatie")
        await sb.say(user, user, "Wijkteam Noord")
        return await sb.next_message(user, containing="Klaar!")

    async def make_worker(self) -> SandboxMessage:
        """Sanne is proposed, and let in: her proposal card in the group."""
        if self.proposal is not None:
            return self.proposal
        await self.accept(self.worker, await self.invitation())
        self.proposal = await self.sb.next_message(self.group, containing="Voorstel van een beheerder")
        # The seven days to object are over for this building (the module shares one clock).
        now = to_db(self.svc.clock.now())
        await self.svc.db.execute("UPDATE worker_consents SET access_from = ? WHERE building_id = ?",
                                  (now, self.group.id))
        await self.svc.db.execute("UPDATE schedule SET due_at = ? WHERE kind = 'insights.consent'"
                                  " AND building_id = ?", (now, self.group.id))
        await self.world.run_due()
        await self.sb.next_message(self.group, containing="Vanaf nu krijgt")
        await self.sb.next_message(self.worker, containing="Goed nieuws")
        return self.proposal

    # -- acting ----------------------------------------------------------------------------------

    async def forge_press(self, user: SandboxUser, message: SandboxMessage, data: str) -> CallbackAnswer:
        """A press a modified client sends for a message its owner cannot press (a public
        group's card seen from outside, say): straight into the update queue."""
        query_id = f"forged-{user.id}-{len(self.sb.world.callback_queries)}"
        self.sb.world.callback_queries[query_id] = CallbackQueryState(
            query_id, user, message.chat_id, message.message_id, data
        )
        await self.sb.raw_update({"callback_query": {
            "id": query_id, "from": user.to_dict(), "message": message.to_dict(),
            "chat_instance": "7", "data": data}})
        return await self.sb.callback_answer(query_id)

    async def press(self, user: SandboxUser, message: SandboxMessage, data: str, *,
                    copied: bool = True) -> CallbackAnswer:
        """`user` presses button data on `message` as far as Telegram lets them. Someone else's
        private button reaches them only forwarded, so they press it in their own chat. A group
        card is pressed where it is by its members; the other building's admin presses a copy in
        their own group (`copied`) or a forged press on the card; anyone else forges one."""
        sb = self.sb
        if message.chat_id > 0:
            target = message if message.chat_id == user.id else await self.greeting(user)
            return await (await sb.tap(user, target, data, forged=True)).answer()
        if message.chat_id == self.group.id and self.in_group(user):
            return await (await sb.tap(user, message, data, forged=True)).answer()
        if user.id == self.other_admin.id and copied:
            return await (await sb.tap(user, await self.other_welcome(), data, forged=True)).answer()
        return await self.forge_press(user, message, data)

    async def tap(self, user: SandboxUser, message: SandboxMessage, button: str) -> CallbackAnswer:
        return await (await self.sb.tap(user, message, button)).answer()

    async def group_command(self, user: SandboxUser, command: str, args: str = "") -> SandboxMessage | None:
        """The command in the group and the bot's answer; None when Telegram does not let them
        write there at all."""
        if not self.in_group(user):
            with pytest.raises(ValueError, match="is not in"):
                await self.sb.say(user, self.group, f"/{command} {args}")
            return None
        await self.sb.say(user, self.group, f"/{command} {args}")
        return await self.sb.next_message(self.group)

    async def say(self, user: SandboxUser, text: str, expect: str) -> SandboxMessage:
        await self.sb.say(user, user, text)
        return await self.sb.next_message(user, containing=expect)

    async def link(self, kind: str) -> str:
        """The building's standing deep link of this kind, as its buttons in the group carry it."""
        link = await self.svc.deep_links.reusable(kind, self.group.id, "", self.svc.clock.now())
        return f"https://t.me/OmzienBot?start={link.token}"

    # -- judging ---------------------------------------------------------------------------------

    async def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        """Every stored row of these buildings and these people, minus bookkeeping, once what
        the bot had to send went out (a sent card's message id is recorded afterwards)."""
        deadline = asyncio.get_running_loop().time() + 10.0
        while self.svc.out.busy():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the outbox did not empty within 10 s")
            await asyncio.sleep(0.01)
        db = self.svc.db
        buildings = [self.group.id] + ([self.other_group.id] if self.other_group else [])
        users = [person.id for person in self.people.values()]
        found: dict[str, list[tuple[object, ...]]] = {}
        for table, columns in (await self.town.tables()).items():
            key, ids = next(((name, ids) for name, ids in (
                ("building_id", buildings), ("chat_id", buildings), ("user_id", users),
                ("worker_id", users)) if name in columns), ("", []))
            if not key:
                continue
            shown = ", ".join(c for c in columns if c not in VOLATILE)
            marks = ", ".join("?" * len(ids))
            rows = await db.fetch_all(f"SELECT {shown} FROM {table} WHERE {key} IN ({marks})", ids)
            found[table] = sorted((tuple(row) for row in rows), key=repr)  # in any engine's order
        return found

    async def judge(self, before: dict[str, list[tuple[object, ...]]], done: bool,
                    answer: str | None) -> str:
        """"allowed" when the action had its effect; otherwise it must have been refused with a
        short line and left everything as it was."""
        if done:
            return "allowed"
        assert answer, "a refusal says why, in one short line"
        assert await self.snapshot() == before, "a refused action changes nothing"
        return "refused"

    async def pressed(self, before: dict[str, list[tuple[object, ...]]], answer: CallbackAnswer,
                      done: Callable[[], Awaitable[bool]]) -> str:
        """`judge` for a press, once the bot has finished with it: a press may do its work (or
        a refused one its harm) just after the answer."""
        await self.sb.settle()
        return await self.judge(before, await done(), answer.text)

    # -- a card with "Meld", for the report rows ---------------------------------------------------

    async def post_card(self) -> SandboxMessage:
        """A card with a "Meld" button, as features post them, backed by a tiny reportable."""
        scene = self

        class Cards:
            async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
                if item_id != 1 or scene.card is None or item_id in scene.hidden:
                    return None
                group = scene.group.id
                return ReportedCard(group, group, scene.card.message_id, "Wie heeft er een ladder?")

            async def hide(self, item_id: int, now: datetime) -> bool:
                scene.hidden.append(item_id)
                return True

        assert self.world.app is not None
        self.svc.reportables["test"] = Cards()
        await self.world.app.bot.send_message(
            self.group.id, "Wie heeft er een ladder?",
            reply_markup=InlineKeyboardMarkup([[report_button("nl", "test", 1)]]),
        )
        self.card = await self.sb.next_message(self.group, containing="ladder")
        return self.card


Runner = Callable[[Scene, SandboxUser], Awaitable[str]]


def data_of(message: SandboxMessage, prefix: str) -> str:
    """The callback data of the first button on the message that starts with `prefix`."""
    for row in message.buttons():
        for button in row:
            data = str(button.get("callback_data", ""))
            if data.startswith(prefix):
                return data
    raise AssertionError(f"no {prefix!r} button on {message.text!r}: {message.buttons()}")


def id_in(data: str) -> int:
    return int(data.split(":")[2])


# --- help, language, start, privacy, own data, the group's erasure -------------------------------

async def help_group(scene: Scene, actor: SandboxUser) -> str:
    reply = await scene.group_command(actor, "help")
    if reply is None:
        return "impossible"
    return "allowed" if "Dit kun je" in reply.text else "refused"


async def help_private(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    await scene.sb.say(actor, actor, "/help")
    reply = await scene.sb.next_message(actor)
    return "allowed" if reply.text.startswith(("Dit kun je", "What you can do")) else "refused"


async def language_private(scene: Scene, actor: SandboxUser) -> str:
    others = [person for person in scene.people.values() if person.id != actor.id]
    for person in (*others[:2], actor):
        await scene.private(person)
    await scene.sb.say(actor, actor, "/taal")
    await scene.tap(actor, await scene.sb.next_message(actor), "English")
    await scene.sb.next_edit(actor)
    svc = scene.svc
    mine = await svc.residents.get(actor.id)
    unchanged = all(r is None or r.language is None for r in [await svc.residents.get(p.id) for p in others])
    return "own" if mine is not None and mine.language == "en" and unchanged else "refused"


async def language_group(scene: Scene, actor: SandboxUser) -> str:
    sb, svc = scene.sb, scene.svc
    reply = await scene.group_command(actor, "taal")
    if reply is not None and reply.text == t("nl", "language.choose_group"):
        await scene.tap(actor, reply, "English")
        await sb.next_edit(scene.group)
        building = await svc.buildings.get(scene.group.id)
        return "allowed" if building is not None and building.language == "en" else "refused"
    if reply is not None:
        assert reply.text == t("nl", "language.admin_only")
    await sb.say(scene.admin, scene.group, "/taal")
    menu = await sb.next_message(scene.group)
    before = await scene.snapshot()
    answer = await scene.press(actor, menu, "glang:en", copied=False)
    return await scene.judge(before, False, answer.text)


async def start(scene: Scene, actor: SandboxUser) -> str:
    await scene.sb.open_private(actor)
    reply = await scene.sb.next_message(actor)
    return "allowed" if f"{actor.first_name}!" in reply.text else "refused"


async def privacy(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    await scene.sb.say(actor, actor, "/privacy")
    reply = await scene.sb.next_message(actor)
    return "allowed" if "Privacy" in reply.text else "refused"


async def mydata(scene: Scene, actor: SandboxUser) -> str:
    everyone = (scene.resident, scene.admin, scene.outsider, scene.other_admin, actor)
    for person in everyone:
        await scene.private(person)
    await scene.sb.say(actor, actor, "/mijngegevens")
    sent = await scene.sb.next_message(actor)
    if sent.document is None:
        return "refused"
    raw = scene.sb.file_bytes(sent).decode()
    document = json.loads(raw)
    others = {person.first_name for person in everyone if person.id != actor.id}
    own = document["omzien_export"]["user_id"] == actor.id and actor.first_name in raw
    return "own" if own and not any(name in raw for name in others) else "refused"


async def forgetme(scene: Scene, actor: SandboxUser) -> str:
    everyone = (scene.resident, scene.admin, scene.outsider, scene.other_admin, actor)
    for person in everyone:
        await scene.private(person)
    await scene.sb.say(actor, actor, "/vergeetmij")
    await scene.tap(actor, await scene.sb.next_message(actor), "Ja, wis alles")
    await scene.sb.next_edit(actor)
    svc = scene.svc
    gone = await svc.residents.get(actor.id) is None
    kept = all([await svc.residents.get(p.id) is not None for p in everyone if p.id != actor.id])
    return "own" if gone and kept else "refused"


async def erasegroup(scene: Scene, actor: SandboxUser) -> str:
    sb, group, svc = scene.sb, scene.group, scene.svc
    kees = scene.resident
    await sb.say(kees, group, "/help")
    await sb.next_message(group)
    reply = await scene.group_command(actor, "wisgroep")
    if reply is not None and reply.text == t("nl", "erase.ask1"):
        await scene.tap(actor, reply, "Ja, wis alles")
        second = await sb.next_edit(group)
        await scene.tap(actor, second, "Ja, echt alles wissen")
        await sb.next_edit(group)
        erased = await svc.memberships.get(group.id, kees.id) is None
        return "allowed" if erased else "refused"
    if reply is not None:
        assert reply.text == t("nl", "erase.admin_only")
    await sb.say(scene.admin, group, "/wisgroep")
    ask1 = await sb.next_message(group)
    refused = await scene.press(actor, ask1, "wipe:1", copied=False)
    assert refused.text == t("nl", "erase.admin_only")
    erasure = await svc.db.fetch_value("SELECT step FROM group_erasures WHERE building_id = ?", (group.id,))
    intact = await svc.memberships.get(group.id, kees.id) is not None
    return "refused" if erasure == 1 and intact else "allowed"


# --- "Meld" and "Verbergen" ------------------------------------------------------------------------

async def report(scene: Scene, actor: SandboxUser) -> str:
    card = await scene.post_card()
    answer = await scene.press(actor, card, "rep:test:1")
    if answer.text == t("nl", "report.confirm"):  # the first tap asks whether they mean it
        answer = await scene.press(actor, card, "rep:test:1")
    if actor.id == scene.other_admin.id:
        assert answer.text == t("nl", "error.stale_button")
    reports = await scene.svc.db.fetch_value(
        "SELECT COUNT(*) FROM reports WHERE building_id = ?", (scene.group.id,))
    return "allowed" if reports == 1 else "refused"


async def report_hide(scene: Scene, actor: SandboxUser) -> str:
    admin = scene.admin
    await scene.private(admin)
    await scene.private(actor)
    card = await scene.post_card()
    await scene.tap(scene.bystander, card, "Meld")
    await scene.tap(scene.bystander, card, "Meld")  # the second tap confirms
    alert = await scene.sb.next_message(admin, containing="ladder")
    report_id = await scene.svc.db.fetch_value(
        "SELECT id FROM reports WHERE building_id = ?", (scene.group.id,))
    answer = await scene.press(actor, alert, f"rhide:{report_id}")
    if actor.id == admin.id:
        await scene.sb.next_edit(actor)
    else:
        assert answer.text in (t("nl", "report.admin_only"), t("en", "report.admin_only"))
    await scene.sb.settle()  # the card leaves the group by the outbox, after the edit maybe
    deleted = scene.sb.message(scene.group, card.message_id)
    state = await scene.svc.db.fetch_value("SELECT state FROM reports WHERE id = ?", (report_id,))
    hidden = scene.hidden == [1] and deleted is not None and deleted.deleted and state == "hidden"
    return "allowed" if hidden else "refused"


# --- help requests ---------------------------------------------------------------------------------

@dataclass
class Help:
    id: int
    card: SandboxMessage
    requester_controls: SandboxMessage
    helper_controls: SandboxMessage | None = None


def requests(scene: Scene) -> RequestStore:
    return RequestStore(scene.svc.db)


async def asked(scene: Scene, *, claimed: bool) -> Help:
    """Fatma asks for help; when `claimed`, Youssef takes it and both get their private controls."""
    posted = await ask(scene.world, scene.requester, group=scene.group)
    found = Help(posted.request_id, posted.card, posted.controls)
    if claimed:
        await scene.private(scene.helper)
        await scene.tap(scene.helper, posted.card, "Ik help")
        found.helper_controls = await scene.sb.next_message(scene.helper, containing="Je helpt")
        found.requester_controls = await scene.sb.next_message(scene.requester, containing="helpt je")
    return found


def controls_of(scene: Scene, actor: SandboxUser, found: Help) -> SandboxMessage:
    """The message a request's button is pressed on: one's own controls, or (forwarded) any."""
    if actor.id == scene.helper.id and found.helper_controls is not None:
        return found.helper_controls
    return found.requester_controls


async def request_ask(scene: Scene, actor: SandboxUser) -> str:
    if actor.id in (scene.requester.id, scene.helper.id):
        await asked(scene, claimed=True)
    store = requests(scene)
    if scene.in_group(actor):
        text = f"Vraag van {actor.first_name}"
        await ask(scene.world, actor, group=scene.group, text=text)
        mine = [r for r in await store.open_in(scene.group.id)
                if r.requester_id == actor.id and r.description == text]
        return "allowed" if mine else "refused"
    await scene.private(actor)
    before = await scene.snapshot()
    await scene.sb.open_private(actor, scene.welcome.url_buttons()["Begin hier"])
    await scene.sb.next_message(actor)
    membership = await scene.svc.memberships.get(scene.group.id, actor.id)
    if actor.id == scene.former.id:
        assert membership is not None and not membership.is_current, \
            "the Begin hier link from their time in the group does not take them back in"
    else:
        assert membership is None, "a forwarded Begin hier link ties nobody to a group they are not in"
    await scene.sb.open_private(actor, await scene.link("ask"))
    reply = await scene.sb.next_message(actor)
    return await scene.judge(before, False, reply.text)


async def request_claim(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=actor.id == scene.helper.id)
    before = await scene.snapshot()
    answer = await scene.press(actor, found.card, f"req:c:{found.id}")

    async def claimed() -> bool:
        request = await requests(scene).get(found.id)
        return request is not None and request.helper_id == actor.id and await scene.snapshot() != before

    return await scene.pressed(before, answer, claimed)


async def request_claim_private(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=actor.id == scene.helper.id)
    own_chat = await scene.greeting(actor)
    before = await scene.snapshot()
    answer = await (await scene.sb.tap(actor, own_chat, f"req:pc:{found.id}", forged=True)).answer()

    async def claimed() -> bool:
        request = await requests(scene).get(found.id)
        return request is not None and request.helper_id == actor.id and await scene.snapshot() != before

    return await scene.pressed(before, answer, claimed)


async def mine(scene: Scene, actor: SandboxUser) -> str:
    """/mijn shows the requester their request and the helper their help, and nobody else's."""
    await asked(scene, claimed=True)
    await scene.private(actor)
    scene.sb.mark()
    await scene.sb.say(actor, actor, "/mijn")
    await scene.sb.next_message(actor)
    await scene.sb.settle()
    shown = " ".join(e.message.text for e in scene.sb.events_since_mark()
                     if e.method == "sendMessage" and e.chat_id == actor.id and e.message)
    involved = actor.id in (scene.requester.id, scene.helper.id)
    return "own" if ("Wie neemt melk voor me mee?" in shown) == involved else "refused"


async def request_withdraw(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=True)
    before = await scene.snapshot()
    answer = await scene.press(actor, controls_of(scene, actor, found), f"req:wd:{found.id}")

    async def reopened() -> bool:
        request = await requests(scene).get(found.id)
        return request is not None and request.status is RequestStatus.OPEN and request.helper_id is None

    return await scene.pressed(before, answer, reopened)


async def request_done(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=True)
    before = await scene.snapshot()
    answer = await scene.press(actor, controls_of(scene, actor, found), f"req:done:{found.id}")

    async def finished() -> bool:
        request = await requests(scene).get(found.id)
        return request is not None and request.status is RequestStatus.DONE

    return await scene.pressed(before, answer, finished)


async def request_thank(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=True)
    await scene.tap(scene.requester, found.requester_controls, f"req:done:{found.id}")
    found.requester_controls = await scene.sb.next_edit(scene.requester)
    await scene.sb.next_message(scene.helper)
    before = await scene.snapshot()
    answer = await scene.press(actor, found.requester_controls, f"req:thx:{found.id}")

    async def thanked() -> bool:
        request = await requests(scene).get(found.id)
        return request is not None and request.thanked_at is not None

    return await scene.pressed(before, answer, thanked)


def relay_waiting(scene: Scene, actor: SandboxUser) -> Callable[[], Awaitable[bool]]:
    """Done when the bot waits for the text this person will write through it."""

    async def waiting() -> bool:
        return await scene.svc.stores.relay.get(actor.id, scene.svc.clock.now() - RELAY_LIFETIME) \
            is not None

    return waiting


async def request_relay(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=True)
    await scene.sb.settle()
    before = await scene.snapshot()
    answer = await scene.press(actor, controls_of(scene, actor, found), f"rly:req:{found.id}")
    return await scene.pressed(before, answer, relay_waiting(scene, actor))


async def request_cancel_edit(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=True)
    controls = controls_of(scene, actor, found)
    before = await scene.snapshot()
    edit = await scene.press(actor, controls, f"req:et:{found.id}")
    if actor.id == scene.requester.id:
        await scene.sb.next_message(actor, containing="nieuwe tekst")
        await scene.say(actor, "Wie neemt brood voor me mee?", "Aangepast")
    cancel = await scene.press(actor, controls, f"req:cx:{found.id}")

    async def changed_and_cancelled() -> bool:
        request = await requests(scene).get(found.id)
        return request is not None and request.status is RequestStatus.CANCELLED \
            and request.description == "Wie neemt brood voor me mee?"

    verdict = await scene.pressed(before, cancel, changed_and_cancelled)
    assert verdict == "allowed" or edit.text, "the edit press was refused with a short line too"
    return verdict


async def card_remove(scene: Scene, actor: SandboxUser) -> str:
    found = await asked(scene, claimed=False)
    if not scene.in_group(actor):
        with pytest.raises(ValueError, match="is not in"):
            await scene.sb.say(actor, scene.group, "/weghalen@OmzienBot", reply_to=found.card)
        return "impossible"
    before = await scene.snapshot()
    await scene.sb.say(actor, scene.group, "/weghalen@OmzienBot", reply_to=found.card)
    await scene.sb.settle()
    request = await requests(scene).get(found.id)
    if request is not None and request.status is RequestStatus.REMOVED:
        return "allowed"
    reply = await scene.sb.next_message(scene.group)
    return await scene.judge(before, False, reply.text)


# --- activities and ideas ---------------------------------------------------------------------------

@dataclass
class Organised:
    id: int
    card: SandboxMessage
    controls: SandboxMessage


def activities(scene: Scene) -> ActivityStore:
    return ActivityStore(scene.svc.db)


async def organised(scene: Scene, *, weekly: bool = False) -> Organised:
    """Anouk posts an activity whose questions she answered before (the flow is tested on its
    own): she comes back with /activiteit, sees the preview and taps Plaatsen."""
    anouk, sb = scene.organiser, scene.sb
    await scene.private(anouk)
    local = scene.svc.clock.now().astimezone(scene.svc.settings.zone)
    starts = (local + timedelta(days=3)).replace(hour=19, minute=0, second=0, microsecond=0)
    await activities(scene).save_draft(Draft(
        user_id=anouk.id, building_id=scene.group.id, step=DraftStep.PREVIEW, title="Samen soep eten",
        description="Gezellig samen.", starts_at=starts, ends_at=starts + timedelta(hours=2),
        place="Ontmoetingsruimte", repeat=Repeat.WEEKLY if weekly else Repeat.NONE,
        updated_at=scene.svc.clock.now(),
    ))
    await sb.say(anouk, anouk, "/activiteit")
    await scene.tap(anouk, await sb.next_message(anouk, containing="Klopt het"), "Plaatsen")
    card = await sb.next_message(scene.group, containing="Samen soep eten")
    controls = await sb.next_message(anouk, containing="Geplaatst")
    return Organised(id_in(data_of(controls, "actm:")), card, controls)


async def activity_post(scene: Scene, actor: SandboxUser) -> str:
    sb = scene.sb
    await scene.private(actor)
    if not scene.in_group(actor):
        before = await scene.snapshot()
        await sb.open_private(actor, await scene.link("activity"))
        reply = await sb.next_message(actor)
        return await scene.judge(before, False, reply.text)
    await sb.open_private(actor, await scene.link("activity"))
    await sb.next_message(actor, containing="Hoe heet")
    await scene.say(actor, "Klaverjassen", "Vertel")
    await scene.say(actor, "Een avond kaarten.", "Wanneer")
    await scene.say(actor, "do 19:00", "afgelopen")
    await scene.say(actor, "22:00", "Waar is het")
    capacity = await scene.say(actor, "De ontmoetingsruimte", "Hoeveel plekken")
    await scene.tap(actor, capacity, "Geen maximum")
    await scene.tap(actor, await sb.next_message(actor, containing="vaker"), "Eén keer")
    await scene.tap(actor, await sb.next_message(actor, containing="Klopt het"), "Plaatsen")
    await sb.next_message(scene.group, containing="Klaverjassen")
    posted = await scene.svc.db.fetch_value(
        "SELECT COUNT(*) FROM activities WHERE building_id = ? AND organiser_id = ?",
        (scene.group.id, actor.id))
    return "allowed" if posted == 1 else "refused"


async def activity_rsvp(scene: Scene, actor: SandboxUser) -> str:
    found = await organised(scene)
    before = await scene.snapshot()
    answer = await scene.press(actor, found.card, f"act:go:{found.id}")

    async def going() -> bool:
        return any(r.user_id == actor.id for r in await activities(scene).rsvps(found.id))

    return await scene.pressed(before, answer, going)


async def activity_edit_cancel(scene: Scene, actor: SandboxUser) -> str:
    found = await organised(scene)
    sb, controls = scene.sb, found.controls
    if actor.id == scene.admin.id:
        await scene.private(actor)
        await sb.say(actor, actor, "/activiteit")
        listing = await sb.next_message(actor, containing="organiseer je")
        await scene.tap(actor, listing, f"actm:open:{found.id}")
        controls = await sb.next_message(actor, containing="Samen soep eten")
    before = await scene.snapshot()
    edit = await scene.press(actor, controls, f"actm:text:{found.id}")
    if actor.id in (scene.organiser.id, scene.admin.id):
        await sb.next_message(actor, containing="nieuwe tekst")
        controls = await scene.say(actor, "Met brood erbij.", "Aangepast")
        await scene.tap(actor, controls, f"actm:cancel:{found.id}")
        await sb.next_edit(actor, containing="afzeggen")
    cancel = await scene.press(actor, controls, f"actm:cy:{found.id}")

    async def changed_and_cancelled() -> bool:
        activity = await activities(scene).get(found.id)
        return activity is not None and activity.status.value == "cancelled" \
            and activity.description == "Met brood erbij."

    verdict = await scene.pressed(before, cancel, changed_and_cancelled)
    assert verdict == "allowed" or edit.text, "the change press was refused with a short line too"
    return verdict


async def activity_who(scene: Scene, actor: SandboxUser) -> str:
    """Who comes, by first name: for the organiser's eyes only (not even a group admin's)."""
    found = await organised(scene)
    await scene.tap(scene.bystander, found.card, "Ik kom")
    sb, controls = scene.sb, found.controls
    if actor.id == scene.admin.id:
        await scene.private(actor)
        await sb.say(actor, actor, "/activiteit")
        listing = await sb.next_message(actor, containing="organiseer je")
        await scene.tap(actor, listing, f"actm:open:{found.id}")
        controls = await sb.next_message(actor, containing="Samen soep eten")
    before = await scene.snapshot()
    answer = await scene.press(actor, controls, f"actm:who:{found.id}")
    if answer.text is None and scene.in_group(actor):
        who = await sb.next_message(actor, containing="Wie komt er")
        return "allowed" if scene.bystander.first_name in who.text else "refused"
    await sb.settle()
    assert not [m for m in sb.bot_messages(actor) if "Wie komt er" in m.text]
    return await scene.judge(before, False, answer.text)


async def looked_back(scene: Scene) -> tuple[Organised, SandboxMessage, int]:
    """A weekly activity took place with Mehmet there: the group's thank-you asks who hosts next."""
    found = await organised(scene, weekly=True)
    await scene.tap(scene.bystander, found.card, "Ik kom")
    ended = await activities(scene).finish(found.id, scene.svc.clock.now())
    assert ended is not None and scene.world.app is not None
    await look_back(scene.svc, ended, scene.svc.clock.now())
    thanks = await scene.sb.next_message(scene.group, containing="Dank jullie wel")
    return found, thanks, id_in(data_of(thanks, "act:host:"))


async def activity_host(scene: Scene, actor: SandboxUser) -> str:
    _, thanks, offer_id = await looked_back(scene)
    before = await scene.snapshot()
    answer = await scene.press(actor, thanks, f"act:host:{offer_id}")

    async def offered() -> bool:
        offer = await activities(scene).host_offer(offer_id)
        return offer is not None and offer.user_id == actor.id and offer.status == "offered"

    return await scene.pressed(before, answer, offered)


async def activity_confirm_host(scene: Scene, actor: SandboxUser) -> str:
    _, thanks, offer_id = await looked_back(scene)
    await scene.tap(scene.bystander, thanks, f"act:host:{offer_id}")
    in_group = await scene.sb.next_edit(scene.group, containing="wil de volgende keer")
    asked_privately = await scene.sb.next_message(scene.organiser, containing="wil de volgende keer")
    message = asked_privately if actor.id == scene.organiser.id else in_group
    before = await scene.snapshot()
    own = await scene.press(scene.bystander, in_group, f"act:hostok:{offer_id}")
    assert own.text == t("nl", "activity.organiser_only"), "who offered does not confirm themselves"
    assert await scene.snapshot() == before
    answer = await scene.press(actor, message, f"act:hostok:{offer_id}")

    async def confirmed() -> bool:
        offer = await activities(scene).host_offer(offer_id)
        return offer is not None and offer.status == "confirmed"

    return await scene.pressed(before, answer, confirmed)


async def activity_lookback(scene: Scene, actor: SandboxUser) -> str:
    """The look-back's "Help je de volgende keer?" as asked of the organiser: pressed on the
    question itself by her, forged in their own chat by anyone else."""
    found, _, _ = await looked_back(scene)
    question = await scene.sb.next_message(scene.organiser, containing="Hoe was")
    before = await scene.snapshot()
    answer = await scene.press(actor, question, f"act:help:{found.id}:y")

    async def offered() -> bool:
        return await scene.svc.db.fetch_value(
            "SELECT help_next FROM activity_feedback WHERE activity_id = ? AND user_id = ?",
            (found.id, actor.id)) == 1

    return await scene.pressed(before, answer, offered)


async def idea_join(scene: Scene, actor: SandboxUser) -> str:
    await scene.sb.say(scene.organiser, scene.group, "/idee Samen een moestuin op het dak")
    card = await scene.sb.next_message(scene.group, containing="moestuin")
    idea_id = id_in(data_of(card, "idea:join:"))
    before = await scene.snapshot()
    answer = await scene.press(actor, card, f"idea:join:{idea_id}")

    async def joined() -> bool:
        return bool(await scene.svc.db.fetch_value(
            "SELECT COUNT(*) FROM idea_joins WHERE idea_id = ? AND user_id = ?", (idea_id, actor.id)))

    return await scene.pressed(before, answer, joined)


# --- settings --------------------------------------------------------------------------------------

async def settings_group(scene: Scene, actor: SandboxUser) -> str:
    sb, svc = scene.sb, scene.svc
    reply = await scene.group_command(actor, "instellingen")
    if reply is not None and "Tik op wat" in reply.text:
        await scene.tap(actor, reply, "cfg:v:max")
        await scene.tap(actor, await sb.next_edit(scene.group), "cfg:max:5")
        building = await svc.buildings.get(scene.group.id)
        return "allowed" if building is not None and building.settings.max_open_requests == 5 \
            else "refused"
    if reply is not None:
        assert reply.text == t("nl", "settings.admin_only")
    await sb.say(scene.admin, scene.group, "/instellingen")
    menu = await sb.next_message(scene.group)
    before = await scene.snapshot()
    answer = await scene.press(actor, menu, "cfg:max:5", copied=False)
    return await scene.judge(before, False, answer.text)


async def settings_resident(scene: Scene, actor: SandboxUser) -> str:
    others = [person for person in scene.people.values() if person.id != actor.id]
    await scene.private(actor)
    await scene.sb.say(actor, actor, "/meldingen")
    await scene.tap(actor, await scene.sb.next_message(actor), "mute:request")
    await scene.sb.next_edit(actor)
    mutes = await scene.svc.db.fetch_all("SELECT user_id, kind FROM resident_mutes")
    mine = {(row[0], row[1]) for row in mutes if row[0] == actor.id}
    theirs = [row for row in mutes if row[0] in {p.id for p in others}]
    return "own" if mine == {(actor.id, "request")} and not theirs else "refused"


# --- regular neighbours ------------------------------------------------------------------------------

def pairings(scene: Scene) -> PairingStore:
    return PairingStore(scene.svc.db)


async def fill_offer(scene: Scene, user: SandboxUser, question: SandboxMessage) -> SandboxMessage:
    """The /aanbod flow from its first question: company, Thursday afternoons, weekly."""
    for data in ("pf:k:company", "pf:next", "pf:d:3", "pf:p:afternoon", "pf:next", "pf:f:weekly"):
        await scene.tap(user, question, data)
        question = await scene.sb.next_edit(user)
    return question


async def fill_wish(scene: Scene, user: SandboxUser, question: SandboxMessage) -> SandboxMessage:
    """The /vastebuur flow from its first question: company on Thursday afternoons."""
    for data in ("pf:k:company", "pf:d:3", "pf:p:afternoon", "pf:next"):
        await scene.tap(user, question, data)
        question = await scene.sb.next_edit(user)
    return question


async def suggested(scene: Scene) -> tuple[int, SandboxMessage]:
    """Youssef offers company, Fatma wishes for it: the anonymous suggestion reaches Youssef."""
    sb, youssef, fatma = scene.sb, scene.helper, scene.requester
    for person in (youssef, fatma):
        await scene.private(person)
    await sb.say(youssef, youssef, "/aanbod")
    await fill_offer(scene, youssef, await sb.next_message(youssef))
    await sb.say(fatma, fatma, "/vastebuur")
    await fill_wish(scene, fatma, await sb.next_message(fatma))
    suggestion = await sb.next_message(youssef, containing="Een buur in jullie flat zoekt")
    return id_in(data_of(suggestion, "pair:h:")), suggestion


async def pairing_offer(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    before = await scene.snapshot()
    await scene.sb.open_private(actor, await scene.link("offer"))
    reply = await scene.sb.next_message(actor)
    if not scene.in_group(actor):
        return await scene.judge(before, False, reply.text)
    await fill_offer(scene, actor, reply)
    offer = await pairings(scene).offer(scene.group.id, actor.id)
    return "allowed" if offer is not None else "refused"


async def pairing_wish(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    before = await scene.snapshot()
    await scene.sb.open_private(actor, await scene.link("regular"))
    reply = await scene.sb.next_message(actor)
    if not scene.in_group(actor):
        return await scene.judge(before, False, reply.text)
    await fill_wish(scene, actor, reply)
    wishes = [w for w in await pairings(scene).open_wishes_of(actor.id) if w.building_id == scene.group.id]
    return "allowed" if wishes else "refused"


async def pairing_answer(scene: Scene, actor: SandboxUser) -> str:
    pairing_id, suggestion = await suggested(scene)
    message = suggestion
    if actor.id == scene.requester.id:
        early = await scene.press(actor, suggestion, f"pair:h:{pairing_id}:y")
        assert early.text == t("nl", "error.not_yours"), "the helper's question is theirs alone"
        await scene.tap(scene.helper, suggestion, "Ja, graag")
        message = await scene.sb.next_message(actor, containing="Een buur wil graag")
    side = "r" if actor.id == scene.requester.id else "h"
    before = await scene.snapshot()
    answer = await scene.press(actor, message, f"pair:{side}:{pairing_id}:y")

    async def said_yes() -> bool:
        pairing = await pairings(scene).get(pairing_id)
        expected = PairStatus.ACTIVE if side == "r" else PairStatus.ASKED_RESIDENT
        return pairing is not None and pairing.status is expected

    return await scene.pressed(before, answer, said_yes)


async def pairing_end(scene: Scene, actor: SandboxUser) -> str:
    pairing_id, suggestion = await suggested(scene)
    sb = scene.sb
    await scene.tap(scene.helper, suggestion, "Ja, graag")
    asked_resident = await sb.next_message(scene.requester, containing="Een buur wil graag")
    await scene.tap(scene.requester, asked_resident, "Ja, graag")
    made = {scene.requester.id: await sb.next_edit(scene.requester),
            scene.helper.id: await sb.next_message(scene.helper, containing="vaste buren")}
    message = made.get(actor.id, asked_resident)
    before = await scene.snapshot()
    first = await scene.press(actor, message, f"pair:end:{pairing_id}")
    if actor.id in made:
        message = await sb.next_message(actor, containing="Wil je stoppen")
    answer = await scene.press(actor, message, f"pair:endy:{pairing_id}")

    async def ended() -> bool:
        pairing = await pairings(scene).get(pairing_id)
        return pairing is not None and pairing.status is PairStatus.ENDED

    verdict = await scene.pressed(before, answer, ended)
    assert verdict == "allowed" or first.text, "the first press was refused with a short line too"
    return verdict


async def pairing_relay(scene: Scene, actor: SandboxUser) -> str:
    pairing_id, suggestion = await suggested(scene)
    sb = scene.sb
    await scene.tap(scene.helper, suggestion, "Ja, graag")
    asked_resident = await sb.next_message(scene.requester, containing="Een buur wil graag")
    await scene.tap(scene.requester, asked_resident, "Ja, graag")
    made = {scene.requester.id: await sb.next_edit(scene.requester),
            scene.helper.id: await sb.next_message(scene.helper, containing="vaste buren")}
    await sb.settle()
    before = await scene.snapshot()
    answer = await scene.press(actor, made.get(actor.id, asked_resident), f"rly:pair:{pairing_id}")
    return await scene.pressed(before, answer, relay_waiting(scene, actor))


async def worried(scene: Scene, actor: SandboxUser) -> str:
    contact = "Buurtteam Noord, 020 555 0101"
    await scene.sb.say(scene.admin, scene.group, f"/instellingen contact {contact}")
    await scene.sb.next_message(scene.group)
    await scene.private(actor)
    await scene.sb.say(actor, actor, "/zorgen")
    reply = await scene.sb.next_message(actor)
    shows_this_building = contact in reply.text and scene.group.title in reply.text
    return "own" if shows_this_building == scene.in_group(actor) and "112" in reply.text else "refused"


# --- community workers and the anonymous figures -------------------------------------------------

async def worker_links(scene: Scene) -> int:
    return int(await scene.svc.db.fetch_value(
        "SELECT COUNT(*) FROM deep_links WHERE kind = 'worker' AND building_id = ?", (scene.group.id,)))


async def worker_invite(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    reply = await scene.group_command(actor, "uitnodigen")
    if reply is None:
        return "impossible"
    if reply.text == t("nl", "workers.invite.sent"):
        sent = await scene.sb.next_message(actor, containing="uitnodiging")
        return "allowed" if LINK.search(sent.text) and await worker_links(scene) == 1 else "refused"
    assert reply.text == t("nl", "workers.admin_only") and await worker_links(scene) == 0
    return "refused"


async def worker_accept(scene: Scene, actor: SandboxUser) -> str:
    url = await scene.invitation()
    workers = WorkerStore(scene.svc.db)
    await scene.accept(actor, url)
    proposed = [c for c in await workers.live_of(actor.id) if c.building_id == scene.group.id]
    late = await scene.accept(scene.bystander, url)
    assert late.text == t("nl", "workers.invite.used"), "an invitation is taken once"
    assert not await workers.live_of(scene.bystander.id)
    assert not await workers.active_of(actor.id), "the group is asked first"
    return "allowed" if proposed else "refused"


async def _consent_id(scene: Scene) -> int:
    (consent,) = await WorkerStore(scene.svc.db).live_in(scene.group.id)
    return consent.id


async def worker_object(scene: Scene, actor: SandboxUser) -> str:
    card = await scene.make_worker()
    consent_id = await _consent_id(scene)
    workers = WorkerStore(scene.svc.db)
    before = await scene.snapshot()
    answer = await scene.press(actor, card, f"wrk:obj:{consent_id}")

    async def counted() -> bool:
        return await workers.objections(consent_id) == 1

    return await scene.pressed(before, answer, counted)


async def worker_resume(scene: Scene, actor: SandboxUser) -> str:
    card = await scene.make_worker()
    consent_id = await _consent_id(scene)
    await scene.sb.tap(scene.bystander, card, "Ik heb bezwaar")
    asked = await scene.sb.next_message(scene.admin, containing="maakte bezwaar")
    workers = WorkerStore(scene.svc.db)
    before = await scene.snapshot()
    answer = await scene.press(actor, asked, f"wrk:resume:{consent_id}")

    async def resumed() -> bool:
        return bool(await workers.active_in(scene.group.id))

    return await scene.pressed(before, answer, resumed)


async def worker_threshold(scene: Scene, actor: SandboxUser) -> str:
    reply = await scene.group_command(actor, "bezwaren")
    if reply is None:
        return "impossible"
    workers = WorkerStore(scene.svc.db)
    if reply.text.startswith("Hoeveel buren"):
        await scene.tap(actor, reply, "2")
        await scene.sb.next_edit(scene.group)
        return "allowed" if await workers.chosen_threshold(scene.group.id) == 2 else "refused"
    assert reply.text == t("nl", "workers.admin_only")
    return "refused"


async def worker_access(scene: Scene, actor: SandboxUser) -> str:
    await scene.make_worker()
    if scene.in_group(actor):
        reply = await scene.group_command(actor, "toegang")
    else:
        await scene.private(actor)
        await scene.sb.say(actor, actor, "/toegang")
        reply = await scene.sb.next_message(actor)
    assert reply is not None
    if "Sanne Visser" in reply.text and scene.group.title in reply.text:
        return "allowed"
    assert reply.text == t("nl", "workers.access.none")
    return "refused"


async def insights_private(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    await scene.sb.say(actor, actor, "/cijfers")
    reply = await scene.sb.next_message(actor)
    if scene.group.title in reply.text:
        return "allowed"
    assert reply.text == t("nl", "insights.not_worker")
    return "refused"


async def _cijfers_in_group(scene: Scene, actor: SandboxUser) -> tuple[bool, bool] | None:
    """/cijfers in the group: (the actor got the figures, they were posted in the group)."""
    if not scene.in_group(actor):
        with pytest.raises(ValueError, match="is not in"):
            await scene.sb.say(actor, scene.group, "/cijfers")
        return None
    await scene.private(actor)
    await scene.sb.settle()
    posted_before = len(scene.sb.bot_messages(scene.group))
    await scene.sb.say(actor, scene.group, "/cijfers")
    if actor.id == scene.admin.id:
        reply = await scene.sb.next_message(scene.group, containing="Cijfers van")
        return scene.group.title in reply.text, True
    reply = await scene.sb.next_message(actor, containing="Cijfers van")
    await scene.sb.settle()
    return scene.group.title in reply.text, len(scene.sb.bot_messages(scene.group)) > posted_before


async def insights_group(scene: Scene, actor: SandboxUser) -> str:
    found = await _cijfers_in_group(scene, actor)
    if found is None:
        return "impossible"
    return "allowed" if found[0] else "refused"


async def insights_post(scene: Scene, actor: SandboxUser) -> str:
    found = await _cijfers_in_group(scene, actor)
    if found is None:
        return "impossible"
    got, posted = found
    assert got, "whoever asks in the group gets the figures, privately at least"
    return "allowed" if posted else "refused"


async def worker_stop(scene: Scene, actor: SandboxUser) -> str:
    await scene.make_worker()
    workers = WorkerStore(scene.svc.db)
    (consent,) = await workers.active_in(scene.group.id)
    reply = await scene.group_command(actor, "cijfersstop")
    if reply is not None and reply.text == t("nl", "workers.stop.list"):
        await scene.tap(actor, reply, f"wrk:stop:{consent.id}")
        await scene.sb.next_edit(scene.group)
        return "refused" if await workers.active_in(scene.group.id) else "allowed"
    if reply is not None:
        assert reply.text == t("nl", "workers.admin_only")
    await scene.sb.say(scene.admin, scene.group, "/cijfersstop")
    listing = await scene.sb.next_message(scene.group)
    before = await scene.snapshot()
    answer = await scene.press(actor, listing, f"wrk:stop:{consent.id}")

    async def stopped() -> bool:
        return not await workers.active_in(scene.group.id)

    return await scene.pressed(before, answer, stopped)


RUNNERS: dict[str, Runner] = {
    "help.group": help_group,
    "help.private": help_private,
    "language.private": language_private,
    "language.group": language_group,
    "start": start,
    "privacy": privacy,
    "mydata": mydata,
    "forgetme": forgetme,
    "erasegroup": erasegroup,
    "report": report,
    "report.hide": report_hide,
    "request.ask": request_ask,
    "request.claim": request_claim,
    "request.claim_private": request_claim_private,
    "mine": mine,
    "request.withdraw": request_withdraw,
    "request.done": request_done,
    "request.thank": request_thank,
    "request.cancel_edit": request_cancel_edit,
    "request.relay": request_relay,
    "card.remove": card_remove,
    "activity.post": activity_post,
    "activity.rsvp": activity_rsvp,
    "activity.edit_cancel": activity_edit_cancel,
    "activity.who": activity_who,
    "activity.host": activity_host,
    "activity.confirm_host": activity_confirm_host,
    "activity.lookback": activity_lookback,
    "idea.join": idea_join,
    "settings.group": settings_group,
    "settings.resident": settings_resident,
    "pairing.offer": pairing_offer,
    "pairing.wish": pairing_wish,
    "pairing.answer": pairing_answer,
    "pairing.end": pairing_end,
    "pairing.relay": pairing_relay,
    "worried": worried,
    "worker.invite": worker_invite,
    "worker.accept": worker_accept,
    "worker.object": worker_object,
    "worker.resume": worker_resume,
    "worker.threshold": worker_threshold,
    "worker.access": worker_access,
    "insights.private": insights_private,
    "insights.group": insights_group,
    "insights.post": insights_post,
    "worker.stop": worker_stop,
}


def cells() -> list[object]:
    return [pytest.param(row.id, role, OUTCOMES[symbol], id=f"{row.id}|{role}")
            for row in matrix() if row.tested for role, symbol in row.cells.items()]


def test_the_page_is_well_formed_and_every_row_is_tested() -> None:
    rows = matrix()
    assert len({row.id for row in rows}) == len(rows), "ids are unique"
    for row in rows:
        assert set(row.cells.values()) <= set(OUTCOMES), row.id
        assert row.tested and row.id in RUNNERS, f"{row.id} has no runner"
    assert set(RUNNERS) == {row.id for row in rows}
    assert {"request.claim", "activity.rsvp", "settings.group", "pairing.answer",
            "worker.stop", "settings.resident"} <= {row.id for row in rows}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("action", "role", "expected"), cells())
async def test_cell(town: Town, action: str, role: str, expected: str) -> None:
    scene = await town.scene()
    spec_problems = len(town.sb.violations)
    outcome = await RUNNERS[action](scene, await scene.play(role, action))
    if expected == "impossible":
        assert outcome in ("impossible", "refused")
    else:
        assert outcome == expected
    assert town.sb.violations[spec_problems:] == []


def test_every_role_is_played_by_someone() -> None:
    assert set(ROLES) <= set(PEOPLE)
    assert len({first for first, _ in PEOPLE.values()}) == len(PEOPLE), "first names tell them apart"
