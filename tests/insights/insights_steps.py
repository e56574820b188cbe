"""Steps of the figures' end-to-end tests: inviting a community worker, the worker saying who
they are, the group's days to object, and reading a report."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

from bot.domain.periods import last_full_week
from bot.i18n import t
from sandbox import SandboxChat, SandboxMessage, SandboxUser
from tests.harness import World
from tests.insights.insights_seed import busy_week, seed

LINK = re.compile(r"https://t\.me/OmzienBot\?start=[A-Za-z0-9_-]+")


async def invite(world: World, group: SandboxChat | None = None) -> str:
    """Marieke asks for an invitation in the group and gets it privately; its link."""
    sb, admin, chat = world.sb, world.admin, group or world.group
    if not sb.bot_messages(admin):
        await sb.open_private(admin)
        await sb.next_message(admin)
    await sb.say(admin, chat, "/uitnodigen")
    assert (await sb.next_message(chat)).text == t("nl", "workers.invite.sent")
    invitation = await sb.next_message(admin, containing="uitnodiging")
    assert "7 dagen" in invitation.text
    found = LINK.search(invitation.text)
    assert found is not None
    return found.group(0)


async def accept(world: World, worker: SandboxUser, url: str, name: str, organisation: str,
                 group: SandboxChat | None = None) -> SandboxMessage:
    """The worker says who they are; the group gets the proposal card, which is returned."""
    sb = world.sb
    await sb.open_private(worker, url)
    assert "Wat is je naam?" in (await sb.next_message(worker)).text
    await sb.say(worker, worker, name)
    assert (await sb.next_message(worker)).text.startswith(f"Dank je, {name}.")
    await sb.say(worker, worker, organisation)
    done = await sb.next_message(worker, containing="Klaar!")
    assert "bezwaar" in done.text
    return await sb.next_message(group or world.group, containing="Voorstel van een beheerder")


async def days_pass(world: World) -> None:
    """The seven days to object are over: the schedule runs what is due."""
    world.clock.advance(timedelta(days=7, minutes=1))
    await world.run_due()


async def seed_last_week(world: World, group_id: int | None = None, first_id: int = 10**9) -> datetime:
    """A busy last full week (12 neighbours asking and helping) in the group; its Monday."""
    now = world.clock.now()
    monday = last_full_week(now, world.services.settings.zone).start
    await seed(world.services.db, group_id or world.group.id, busy_week(first_id, monday),
               monday - timedelta(days=400))
    return monday


async def report(world: World, reader: SandboxUser, chat: SandboxChat | SandboxUser, *,
                 title: str = "Cijfers van") -> tuple[SandboxMessage, bytes, bytes]:
    """/cijfers: the text, then the chart and the file that follow it, in `chat`."""
    sb = world.sb
    await sb.say(reader, chat if isinstance(chat, SandboxChat) else reader, "/cijfers")
    text = await sb.next_message(chat, containing=title)
    chart = await sb.next_message(chat, containing="laatste")
    table = await sb.next_message(chat, containing="spreadsheet")
    assert chart.photo is not None and table.document is not None
    assert table.document.file_name == "omzien-cijfers.csv"
    return text, sb.file_bytes(chart), sb.file_bytes(table)


def rows(table: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(table.decode("utf-8-sig"))))
