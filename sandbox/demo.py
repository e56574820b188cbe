"""`python -m bot demo`: the real bot on the local sandbox, with a seeded building, in a terminal.

No token and no network: the sandbox plays Telegram on loopback. You speak as any resident;
the bot's messages are numbered so you can press their buttons.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from pydantic import SecretStr

from bot.app import build_application, running
from bot.config import Settings
from bot.logs import setup_logging
from sandbox import Sandbox
from sandbox.models import BotEvent, SandboxChat, SandboxMessage, SandboxUser

DEMO_TOKEN = "100200300:DEMO-SANDBOX-TOKEN"
BUILDING = "Flat De Linde"
RESIDENTS = [
    ("Marieke", "Jansen", "nl"),
    ("Fatma", "Yilmaz", "nl"),
    ("Mehmet", "Demir", "tr"),
    ("Youssef", "El Amrani", "nl"),
    ("Khadija", "Bennani", "nl"),
    ("Agnieszka", "Kowalska", "pl"),
    ("Piotr", "Nowak", "en"),
    ("Oksana", "Shevchenko", "uk"),
    ("Dmytro", "Kovalenko", "en"),
    ("Kees", "Bakker", "nl"),
    ("Anouk", "de Vries", "nl"),
    ("Henk", "Visser", "nl"),
]

USAGE = f"""\
You are in the Telegram group "{BUILDING}" with {len(RESIDENTS)} neighbours and the bot Omzien.
Speak as any resident (the first is the group's admin):
  Fatma: /help               Fatma writes in the group
  Fatma> /start              Fatma writes to the bot in a private chat
  Fatma press 3 Ik help      Fatma presses the button "Ik help" on message #3
  Fatma open 1 Begin hier    Fatma follows the link button "Begin hier" on message #1
  who                        the residents      help    this text      quit    stop the demo
"""


class Demo:
    """Turns typed lines into residents' actions and prints what the bot did."""

    def __init__(self, sb: Sandbox, group: SandboxChat, residents: list[SandboxUser]) -> None:
        self.sb = sb
        self.group = group
        self.residents = {user.first_name.lower(): user for user in residents}
        self.numbered: dict[int, SandboxMessage] = {}
        self._seen_events = 0

    def show_new(self) -> None:
        events = self.sb.events
        for event in events[self._seen_events :]:
            self._show(event)
        self._seen_events = len(events)

    def _show(self, event: BotEvent) -> None:
        message = event.message
        if not event.ok or message is None or event.delayed:
            return
        where = BUILDING if message.chat_id == self.group.id else self._private_name(message.chat_id)
        number = next(
            (n for n, m in self.numbered.items()
             if m.chat_id == message.chat_id and m.message_id == message.message_id),
            None,
        )
        edited = number is not None
        if number is None:
            number = len(self.numbered) + 1
        self.numbered[number] = message
        label = f"#{number}{' (edited)' if edited else ''} [{where}]"
        print(f"\n{label} Omzien: {message.text}")
        buttons = [f"[{text}{' ↗' if text in message.url_buttons() else ''}]"
                   for text in message.button_texts()]
        if buttons:
            print("    " + " ".join(buttons))
        if message.document is not None:
            print(f"    (file: {message.document.file_name})")

    def _private_name(self, chat_id: int) -> str:
        for user in self.residents.values():
            if user.id == chat_id:
                return f"private chat with {user.first_name}"
        return f"chat {chat_id}"

    async def handle(self, line: str) -> bool:
        """Act out one typed line; False when the demo should stop."""
        line = line.strip()
        if not line:
            return True
        word = line.split()[0].lower()
        if word in {"quit", "exit"}:
            return False
        if word == "help":
            print(USAGE)
            return True
        if word == "who":
            print(", ".join(u.first_name for u in self.residents.values()))
            return True
        await self._act(line)
        await self.sb.settle(quiet=0.5, timeout=20)
        self.show_new()
        return True

    async def _act(self, line: str) -> None:
        for separator, chat in ((":", self.group), (">", None)):
            name, found, text = line.partition(separator)
            if found and name.strip().lower() in self.residents and " " not in name.strip():
                user = self.residents[name.strip().lower()]
                await self.sb.send(user, chat or user, text.strip())
                return
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[1].lower() in {"press", "open"} and parts[2].isdigit():
            presser = self.residents.get(parts[0].lower())
            message = self.numbered.get(int(parts[2]))
            if presser is None or message is None:
                print("Unknown resident or message number. Type `who` or look at the #numbers.")
                return
            current = self.sb.message(self._chat_of(message), message.message_id) or message
            try:
                if parts[1].lower() == "press":
                    await self.sb.press(presser, current, parts[3])
                else:
                    await self.sb.open_link(presser, current.url_buttons()[parts[3]])
            except (LookupError, KeyError, ValueError):
                print(f"Message #{parts[2]} has no button {parts[3]!r}.")
            return
        print("I did not understand that line. Type `help` for examples.")

    def _chat_of(self, message: SandboxMessage) -> SandboxChat | SandboxUser:
        if message.chat_id == self.group.id:
            return self.group
        return next(u for u in self.residents.values() if u.id == message.chat_id)


async def _lines(script: Path | None) -> AsyncIterator[str]:
    if script is not None:
        text = await asyncio.to_thread(script.read_text, encoding="utf-8")
        for line in text.splitlines():
            print(f"> {line}")
            yield line
        return
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = await asyncio.to_thread(input, "> " if interactive else "")
        except EOFError:
            return
        if not interactive:
            print(f"> {line}")
        yield line


async def demo(settings: Settings, script: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="omzien-demo-") as workdir:
        async with Sandbox(token=DEMO_TOKEN, bot_username="OmzienBot") as sb:
            people = [sb.add_user(first, last, language_code=lang) for first, last, lang in RESIDENTS]
            group = sb.add_group(BUILDING, members=people, admins=people[:1])
            demo_settings = settings.model_copy(
                update={
                    "bot_token": SecretStr(DEMO_TOKEN),
                    "bot_api_url": f"{sb.url}/bot",
                    "database": Path(workdir) / "demo.sqlite3",
                }
            )
            app = build_application(demo_settings, schedule_poll_seconds=5.0)
            async with running(app, poll_timeout=2):
                print(USAGE)
                runner = Demo(sb, group, people)
                await sb.add_bot_to_group(group, by=people[0])
                await sb.settle(quiet=0.5, timeout=20)
                runner.show_new()
                async for line in _lines(script):
                    if not await runner.handle(line):
                        break
    print("Demo stopped. Nothing was kept.")


def run_demo(settings: Settings, script: Path | None = None) -> int:
    setup_logging("WARNING", DEMO_TOKEN)
    logging.getLogger("sandbox").setLevel(logging.ERROR)
    try:
        asyncio.run(demo(settings, script))
    except KeyboardInterrupt:
        print("\nDemo stopped.")
    return 0
