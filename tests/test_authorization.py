"""Every tested cell of docs/authorization.md, acted out through the sandbox.

The page is the source: each row marked *tested* is turned into one test per role that exists
(resident, group admin, non-member, other building). A feature adds its cells by writing a
runner below, registering it in `RUNNERS` under the row's id, and marking the row *tested*;
its own roles (requester, helper, organiser) are added to `ACTORS` the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from telegram import InlineKeyboardMarkup

from bot.i18n import t
from bot.sandbox import CallbackAnswer, Sandbox, SandboxChat, SandboxMessage, SandboxUser
from bot.sandbox.world import CallbackQueryState
from bot.services import ReportedCard
from handlers.abuse import report_button
from tests.harness import World

DOC = Path(__file__).resolve().parents[1] / "docs" / "authorization.md"
ROLES = ("resident", "requester", "helper", "organiser", "group admin", "community worker",
         "non-member", "other building")
OUTCOMES = {"✅": "allowed", "👤": "own", "❌": "refused", "—": "impossible"}


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


# --- the scene: one building with the bot, and the people who play each role ------------------

@dataclass
class Scene:
    world: World
    other_group: SandboxChat
    outsider: SandboxUser
    other_admin: SandboxUser
    started: set[int] = field(default_factory=set)
    card: SandboxMessage | None = None
    hidden: list[int] = field(default_factory=list)

    @property
    def sb(self) -> Sandbox:
        return self.world.sb

    async def private(self, user: SandboxUser) -> None:
        if user.id not in self.started:
            await self.sb.start_private(user)
            await self.sb.next_message(user)
            self.started.add(user.id)

    async def greeting(self, user: SandboxUser) -> SandboxMessage:
        await self.private(user)
        return self.sb.bot_messages(user)[0]

    async def forge_press(self, user: SandboxUser, message: SandboxMessage, data: str) -> CallbackAnswer:
        """A press with hand-made button data on a real message the user can see."""
        query_id = f"forged-{user.id}-{len(self.sb.world.callback_queries)}"
        self.sb.world.callback_queries[query_id] = CallbackQueryState(
            query_id, user, message.chat_id, message.message_id, data
        )
        await self.sb.raw_update({"callback_query": {
            "id": query_id, "from": user.to_dict(), "message": message.to_dict(),
            "chat_instance": "7", "data": data}})
        return await self.sb.callback_answer(query_id)

    async def post_card(self) -> SandboxMessage:
        """A card with a "Meld" button, as features post them, backed by a tiny reportable."""
        scene = self

        class Cards:
            async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
                if item_id != 1 or scene.card is None or item_id in scene.hidden:
                    return None
                group = scene.world.group.id
                return ReportedCard(group, group, scene.card.message_id, "Wie heeft er een ladder?")

            async def hide(self, item_id: int, now: datetime) -> bool:
                scene.hidden.append(item_id)
                return True

        assert self.world.app is not None
        self.world.services.reportables["test"] = Cards()
        await self.world.app.bot.send_message(
            self.world.group.id, "Wie heeft er een ladder?",
            reply_markup=InlineKeyboardMarkup([[report_button("nl", "test", 1)]]),
        )
        self.card = await self.sb.next_message(self.world.group, containing="ladder")
        return self.card


ACTORS: dict[str, Callable[[Scene], SandboxUser]] = {
    "resident": lambda scene: scene.world.user("Kees"),
    "group admin": lambda scene: scene.world.admin,
    "non-member": lambda scene: scene.outsider,
    "other building": lambda scene: scene.other_admin,
}
"""Roles that exist now; features add requester, helper, organiser (and the community worker)."""


# --- runners: act as `actor`, report what happened as one of OUTCOMES' values ----------------

Runner = Callable[[Scene, SandboxUser], Awaitable[str]]


async def help_group(scene: Scene, actor: SandboxUser) -> str:
    await scene.sb.command(actor, scene.world.group, "help")
    reply = await scene.sb.next_message(scene.world.group)
    return "allowed" if "Dit kun je" in reply.text else "refused"


async def help_private(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    await scene.sb.command(actor, actor, "help")
    reply = await scene.sb.next_message(actor)
    return "allowed" if reply.text.startswith(("Dit kun je", "What you can do")) else "refused"


async def language_private(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    await scene.sb.command(actor, actor, "taal")
    await (await scene.sb.press(actor, await scene.sb.next_message(actor), "English")).answer()
    await scene.sb.next_edit(actor)
    svc = scene.world.services
    mine = await svc.residents.get(actor.id)
    others = [await svc.residents.get(user.id) for user in (scene.world.user("Kees"), scene.world.admin)
              if user.id != actor.id]
    unchanged = all(other is None or other.language is None for other in others)
    return "own" if mine is not None and mine.language == "en" and unchanged else "refused"


async def language_group(scene: Scene, actor: SandboxUser) -> str:
    await scene.sb.command(actor, scene.world.group, "taal")
    reply = await scene.sb.next_message(scene.world.group)
    if reply.text != t("nl", "language.choose_group"):
        assert reply.text == t("nl", "language.admin_only")
        return "refused"
    await (await scene.sb.press(actor, reply, "English")).answer()
    await scene.sb.next_edit(scene.world.group)
    building = await scene.world.services.buildings.get(scene.world.group.id)
    return "allowed" if building is not None and building.language == "en" else "refused"


async def start(scene: Scene, actor: SandboxUser) -> str:
    await scene.sb.start_private(actor)
    reply = await scene.sb.next_message(actor)
    scene.started.add(actor.id)
    return "allowed" if f"{actor.first_name}!" in reply.text else "refused"


async def privacy(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    await scene.sb.command(actor, actor, "privacy")
    reply = await scene.sb.next_message(actor)
    return "allowed" if "Privacy" in reply.text else "refused"


async def mydata(scene: Scene, actor: SandboxUser) -> str:
    await scene.private(actor)
    for other in (scene.world.user("Kees"), scene.world.admin, scene.outsider, scene.other_admin):
        await scene.private(other)
    await scene.sb.command(actor, actor, "mijngegevens")
    sent = await scene.sb.next_message(actor)
    if sent.document is None:
        return "refused"
    raw = scene.sb.file_bytes(sent).decode()
    document = json.loads(raw)
    others = {user.first_name for user in (scene.world.user("Kees"), scene.world.admin, scene.outsider,
                                           scene.other_admin) if user.id != actor.id}
    own = document["omzien_export"]["user_id"] == actor.id and actor.first_name in raw
    return "own" if own and not any(name in raw for name in others) else "refused"


async def forgetme(scene: Scene, actor: SandboxUser) -> str:
    everyone = (scene.world.user("Kees"), scene.world.admin, scene.outsider, scene.other_admin)
    for user in everyone:
        await scene.private(user)
    await scene.sb.command(actor, actor, "vergeetmij")
    await (await scene.sb.press(actor, await scene.sb.next_message(actor), "Ja, wis alles")).answer()
    await scene.sb.next_edit(actor)
    svc = scene.world.services
    gone = await svc.residents.get(actor.id) is None
    kept = all([await svc.residents.get(user.id) is not None for user in everyone if user.id != actor.id])
    return "own" if gone and kept else "refused"


async def erasegroup(scene: Scene, actor: SandboxUser) -> str:
    sb, group, svc = scene.sb, scene.world.group, scene.world.services
    kees = scene.world.user("Kees")
    await sb.command(kees, group, "help")
    await sb.next_message(group)
    await sb.command(actor, group, "wisgroep")
    reply = await sb.next_message(group)
    if reply.text == t("nl", "erase.ask1"):
        await (await sb.press(actor, reply, "Ja, wis alles")).answer()
        second = await sb.next_edit(group)
        await (await sb.press(actor, second, "Ja, echt alles wissen")).answer()
        await sb.next_edit(group)
        erased = await svc.memberships.get(group.id, kees.id) is None
        return "allowed" if erased else "refused"
    assert reply.text == t("nl", "erase.admin_only")
    await sb.command(scene.world.admin, group, "wisgroep")
    ask = await sb.next_message(group)
    refused = await (await sb.press(actor, ask, "Ja, wis alles")).answer()
    assert refused.text == t("nl", "erase.admin_only")
    erasure = await svc.db.fetch_value("SELECT step FROM group_erasures WHERE building_id = ?", (group.id,))
    intact = await svc.memberships.get(group.id, kees.id) is not None
    return "refused" if erasure == 1 and intact else "allowed"


async def report(scene: Scene, actor: SandboxUser) -> str:
    card = await scene.post_card()
    if actor.id == scene.other_admin.id:
        welcome = scene.sb.bot_messages(scene.other_group)[0]
        answer = await scene.forge_press(actor, welcome, "rep:test:1")
        assert answer.text == t("nl", "error.stale_button")
    else:
        answer = await (await scene.sb.press(actor, card, "Meld")).answer()
    reports = await scene.world.services.db.fetch_value("SELECT COUNT(*) FROM reports")
    return "allowed" if reports == 1 else "refused"


async def report_hide(scene: Scene, actor: SandboxUser) -> str:
    admin = scene.world.admin
    await scene.private(admin)
    await scene.private(actor)
    card = await scene.post_card()
    await (await scene.sb.press(scene.world.user("Youssef"), card, "Meld")).answer()
    alert = await scene.sb.next_message(admin, containing="ladder")
    if actor.id == admin.id:
        await (await scene.sb.press(actor, alert, "Verbergen")).answer()
        await scene.sb.next_edit(actor)
    else:
        report_id = await scene.world.services.db.fetch_value("SELECT id FROM reports")
        answer = await scene.forge_press(actor, await scene.greeting(actor), f"rhide:{report_id}")
        assert answer.text in (t("nl", "report.admin_only"), t("en", "report.admin_only"))
    deleted = scene.sb.message(scene.world.group, card.message_id)
    state = await scene.world.services.db.fetch_value("SELECT state FROM reports")
    hidden = scene.hidden == [1] and deleted is not None and deleted.deleted and state == "hidden"
    return "allowed" if hidden else "refused"


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
}


def cells() -> list[object]:
    found = []
    for row in matrix():
        if not row.tested:
            continue
        for role, symbol in row.cells.items():
            if role in ACTORS and OUTCOMES[symbol] != "impossible":
                found.append(pytest.param(row.id, role, OUTCOMES[symbol], id=f"{row.id}|{role}"))
    return found


def test_the_page_is_well_formed_and_every_tested_row_has_a_runner() -> None:
    rows = matrix()
    assert len({row.id for row in rows}) == len(rows), "ids are unique"
    for row in rows:
        assert set(row.cells.values()) <= set(OUTCOMES), row.id
        if row.tested:
            assert row.id in RUNNERS, f"{row.id} is marked tested but has no runner"
    assert {"request.claim", "activity.rsvp", "settings.group"} <= {row.id for row in rows}


@pytest.mark.parametrize(("action", "role", "expected"), cells())
async def test_cell(world: World, action: str, role: str, expected: str) -> None:
    sb = world.sb
    outsider = sb.add_user("Piet", "Buiten", language_code="nl")
    other_admin = sb.add_user("Olga", "Anker", language_code="nl")
    other_group = sb.add_group("Flat Het Anker", members=[other_admin], admins=[other_admin])
    async with world.bot():
        await world.add_bot()
        await sb.add_bot_to_group(other_group, by=other_admin)
        await sb.next_message(other_group)
        scene = Scene(world, other_group, outsider, other_admin)
        actor = ACTORS[role](scene)
        assert await RUNNERS[action](scene, actor) == expected


def test_roles_cover_the_page() -> None:
    assert set(ACTORS) <= set(ROLES)
    assert re.search(r"\| Id \| Action \| Tested \|", DOC.read_text(encoding="utf-8"))
