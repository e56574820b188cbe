"""`python -m bot demo`: the real bot on the local sandbox, with a seeded building, in a terminal.

No token and no network: the sandbox plays Telegram on loopback. You speak as any resident;
the bot's messages are numbered so you can press their buttons. The bot runs on a clock that
stands still until you move it (`clock +1d`), so a bump, an expiry, a reminder, the weekly
digest and a look-back can be seen in minutes. Answers to presses (pop-ups) are shown, and
files the bot sends are saved in a folder.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.dates import DateProblem, read_moment
from bot.logs import setup_logging
from bot.services import Services
from sandbox import CallbackResult, Sandbox
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
QUIET_SECONDS = 1.2
"""The bot sends about one message a second into a private chat: a pause longer than that
means it has said what it had to say."""
AFTERMATH_SECONDS = 0.4
"""A card edit waits briefly before it is made; look once more after the bot fell quiet."""
START_HOUR = 10
"""The demo's clock starts on a Monday at this hour, in the building's time zone."""
FILES_DIR = Path(tempfile.gettempdir()) / "omzien-demo-files"

USAGE = f"""\
You are in the Telegram group "{BUILDING}" with {len(RESIDENTS)} neighbours and the bot Omzien.
Speak as any resident (the first is the group's admin):
  Fatma: /help               Fatma writes in the group
  Fatma> /start              Fatma writes to the bot in a private chat
  Fatma press 3 Ik help      Fatma presses the button "Ik help" on message #3
  Fatma press Ik help        ... on the latest message she can see with that button
  Fatma open 1 Begin hier    Fatma follows the link button "Begin hier" on message #1
  clock +1d   clock +2h   clock 19:00   clock wo 19:00
                             move the bot's clock; what falls due on the way happens
  who    the residents      tour    what to try      help    this text      quit    stop
"""

TOUR = """\
A short tour (the clock starts on a Monday at 10:00). Type the lines after ">":
 Fatma asks her neighbours for a hand, privately:
  > Fatma open Begin hier
  > Fatma> /vraag
  > Fatma press Boodschappen
  > Fatma> Wie neemt melk voor me mee?
  > Fatma press Vandaag
  > Fatma press Met mijn naam (Fatma)
  > Fatma press Plaats in de groep
 Kees organises coffee for Wednesday evening, and Anouk comes:
  > Kees open Begin hier
  > Kees> /activiteit
  > Kees> Koffie in de hal
  > Kees> Samen koffie drinken, iedereen is welkom.
  > Kees> wo 19:00
  > Kees> 21:00
  > Kees> De hal
  > Kees press Geen maximum
  > Kees press Eén keer
  > Kees press Plaatsen
  > Anouk open Begin hier
  > Anouk press Ik kom
  > Anouk press In mijn agenda
   (the calendar file is saved in a folder; its path is printed)
 Now move the clock and watch what the bot does by itself:
  > clock 18:30
   (nobody took Fatma's request yet: the group is reminded once, the bump)
  > clock 21:30
   (its time has come: the card says so at once, the expiry)
  > clock +1d
   (the next morning Fatma may ask again; Tuesday evening Anouk's reminder, with its buttons)
  > Fatma press Deze week
  > clock +1d
   (Wednesday: the coffee, then the look-back asks who came)
  > Anouk press Fijn
  > clock +4d
   (Sunday evening: the weekly digest)
"""


def tour_lines() -> list[str]:
    """The lines the tour asks to type, in order."""
    return [line.split("> ", 1)[1] for line in TOUR.splitlines() if line.lstrip().startswith("> ")]


def first_monday_after(moment: datetime, settings: Settings) -> datetime:
    """The coming Monday at START_HOUR in the building's zone: the tour speaks of weekdays."""
    local = moment.astimezone(settings.zone)
    days = (7 - local.weekday()) % 7 or 7
    day = (local + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, START_HOUR, tzinfo=settings.zone)


CLOCK_STEP = re.compile(r"(\d+)\s*([dhm])")
CLOCK_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def clock_target(text: str, now: datetime, settings: Settings) -> datetime | None:
    """`+1d`, `+2h30m`, `19:00` (the next time it is 19:00) or a day and time (`wo 19:00`)."""
    text = text.strip()
    if text.startswith("+"):
        steps = CLOCK_STEP.findall(text[1:])
        if not steps or CLOCK_STEP.sub("", text[1:]).strip():
            return None
        delta = timedelta()
        for amount, unit in steps:
            delta += timedelta(**{UNITS[unit]: int(amount)})
        return now + delta
    zone = settings.zone
    found = CLOCK_TIME.match(text)
    if found:
        hour, minute = int(found.group(1)), int(found.group(2))
        if hour > 23 or minute > 59:
            return None
        local = now.astimezone(zone)
        target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return (target if target > local else target + timedelta(days=1)).astimezone(UTC)
    moment = read_moment(text, now, zone, furthest_ahead=timedelta(days=60),
                         recent_past=timedelta(days=1))
    if isinstance(moment, DateProblem) or moment.start <= now:
        return None
    return moment.start.astimezone(UTC)


def clock_label(moment: datetime, settings: Settings) -> str:
    return moment.astimezone(settings.zone).strftime("%a %d %b %H:%M")


class Demo:
    """Turns typed lines into residents' actions and prints what the bot did."""

    def __init__(self, sb: Sandbox, group: SandboxChat, residents: list[SandboxUser], *,
                 clock: FakeClock | None = None, services: Callable[[], Services] | None = None,
                 files: Path = FILES_DIR) -> None:
        self.sb = sb
        self.group = group
        self.residents = {user.first_name.lower(): user for user in residents}
        self.numbered: dict[int, SandboxMessage] = {}
        self.clock = clock
        self.services = services
        self.files = files
        self._seen_events = 0
        self._pressed: list[tuple[SandboxUser, CallbackResult]] = []

    def show_new(self, heading: str | None = None) -> None:
        events = self.sb.events[self._seen_events :]
        self._seen_events += len(events)
        shown = [event for event in events if self._showable(event)]
        if shown and heading:
            print(f"\n— {heading} —")
        for event in shown:
            self._show(event)

    @staticmethod
    def _showable(event: BotEvent) -> bool:
        return event.ok and event.message is not None and not event.delayed

    def _show(self, event: BotEvent) -> None:
        message = event.message
        assert message is not None
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
        if (message.document is not None or message.photo is not None) and not edited:
            print(f"    (file saved: {self._save(number, message)})")

    def _save(self, number: int, message: SandboxMessage) -> Path:
        """A file the bot sent, kept where the person trying the demo can open it."""
        info = message.document or message.photo
        assert info is not None
        name = info.file_name or f"{info.kind}.jpg"
        self.files.mkdir(parents=True, exist_ok=True)
        path = self.files / f"{number:03d}-{name}"
        path.write_bytes(self.sb.file_bytes(message))
        return path

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
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word in {"quit", "exit"}:
            return False
        if word in {"help", "tour", "who"}:
            print({"help": USAGE, "tour": TOUR}.get(word)
                  or ", ".join(u.first_name for u in self.residents.values()))
            return True
        if word == "clock":
            await self.move_clock(rest)
            return True
        await self._act(line)
        await self.settle()
        self.show_new()
        await self._show_answers()
        return True

    async def settle(self) -> None:
        """Wait until the bot has done everything this line caused."""
        while True:
            await self.sb.settle(quiet=QUIET_SECONDS, timeout=60)
            seen = len(self.sb.events)
            await asyncio.sleep(AFTERMATH_SECONDS)
            if len(self.sb.events) == seen and not any(busy() for busy in self.sb.busy_checks):
                return

    async def _show_answers(self) -> None:
        """What the bot answered to each press: the pop-up only the presser sees."""
        for user, pressed in self._pressed:
            try:
                answer = await pressed.answer(timeout=5)
            except TimeoutError:
                continue
            if answer.text:
                kind = "alert" if answer.show_alert else "pop-up"
                print(f"    ({kind} for {user.first_name}: {answer.text})")
        self._pressed.clear()

    # -- the clock ----------------------------------------------------------------------------

    async def move_clock(self, text: str) -> None:
        """Move the bot's clock to the moment typed, stopping at everything due on the way, so
        each runs at its own time and what it says is shown under that time."""
        if self.clock is None or self.services is None:
            print("This demo runs on the real clock.")
            return
        svc = self.services()
        now = self.clock.now()
        if not text.strip():
            print(f"The clock says {clock_label(now, svc.settings)}.")
            return
        target = clock_target(text, now, svc.settings)
        if target is None:
            print("Try `clock +1d`, `clock +2h`, `clock 19:00` or `clock wo 19:00`.")
            return
        while True:
            await svc.scheduler.run_due()
            await self.settle()
            self.show_new(clock_label(self.clock.now(), svc.settings))
            later = [item.due_at for item in await svc.scheduler.store.pending()
                     if item.due_at > self.clock.now()]
            upcoming = min(later, default=None)
            if upcoming is None or upcoming > target:
                break
            self.clock.set(upcoming)
        if self.clock.now() < target:
            self.clock.set(target)
            await svc.scheduler.run_due()
            await self.settle()
            self.show_new(clock_label(target, svc.settings))
        print(f"\nThe clock now says {clock_label(target, svc.settings)}.")

    # -- residents ----------------------------------------------------------------------------

    async def _act(self, line: str) -> None:
        for separator, chat in ((":", self.group), (">", None)):
            name, found, text = line.partition(separator)
            if found and name.strip().lower() in self.residents and " " not in name.strip():
                user = self.residents[name.strip().lower()]
                await self.sb.send(user, chat or user, text.strip())
                return
        action = re.match(r"^(\S+)\s+(press|open)\s+(?:(\d+)\s+)?(.+)$", line, re.IGNORECASE)
        presser = self.residents.get(action.group(1).lower()) if action else None
        if action is None or presser is None:
            print("I did not understand that line. Type `help` for examples.")
            return
        verb, number, button = action.group(2).lower(), action.group(3), action.group(4).strip()
        message = (self.numbered.get(int(number)) if number
                   else self._latest_with(presser, button, links=verb == "open"))
        if message is None:
            print("Unknown message number, or no message with that button. Look at the #numbers.")
            return
        current = self.sb.message(self._chat_of(message), message.message_id) or message
        try:
            if verb == "press":
                self._pressed.append((presser, await self.sb.press(presser, current, button)))
            else:
                await self.sb.open_link(presser, current.url_buttons()[button])
        except (LookupError, KeyError, ValueError):
            print(f"That message has no button {button!r}.")

    def _latest_with(self, user: SandboxUser, button: str, *, links: bool) -> SandboxMessage | None:
        """The newest message this resident can see (in the group or their own chat) that
        has the button as it is now."""
        for number in sorted(self.numbered, reverse=True):
            message = self.numbered[number]
            if message.chat_id not in (self.group.id, user.id):
                continue
            current = self.sb.message(self._chat_of(message), message.message_id) or message
            if current.deleted:
                continue
            labels = current.url_buttons() if links else [
                b.get("text") for row in current.buttons() for b in row if "callback_data" in b]
            if button in labels:
                return current
        return None

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


@asynccontextmanager
async def demo_building(settings: Settings, workdir: Path, *, start: datetime,
                        files: Path = FILES_DIR) -> AsyncIterator[Demo]:
    """The sandbox with the seeded building, and the bot on a clock that starts at `start`
    and moves only when told; the bot has just been added to the group."""
    async with Sandbox(token=DEMO_TOKEN, bot_username="OmzienBot") as sb:
        people = [sb.add_user(first, last, language_code=lang) for first, last, lang in RESIDENTS]
        group = sb.add_group(BUILDING, members=people, admins=people[:1])
        demo_settings = settings.model_copy(
            update={
                "bot_token": SecretStr(DEMO_TOKEN),
                "bot_api_url": f"{sb.url}/bot",
                "database": workdir / "demo.sqlite3",
            }
        )
        clock = FakeClock(start)
        app = build_application(demo_settings, clock=clock, schedule_poll_seconds=5.0)
        async with running(app, poll_timeout=2):
            def services() -> Services:
                found = app.bot_data["services"]
                assert isinstance(found, Services)
                return found

            busy = services().out.busy
            sb.busy_checks.append(busy)
            runner = Demo(sb, group, people, clock=clock, services=services, files=files)
            await sb.add_bot_to_group(group, by=people[0])
            await runner.settle()
            try:
                yield runner
            finally:
                sb.busy_checks.remove(busy)


async def demo(settings: Settings, script: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="omzien-demo-") as workdir:
        start = first_monday_after(datetime.now(UTC), settings)
        async with demo_building(settings, Path(workdir), start=start) as runner:
            print(USAGE)
            print(TOUR)
            print(f"Files the bot sends are saved in {runner.files}.")
            runner.show_new()
            async for line in _lines(script):
                if not await runner.handle(line):
                    break
    print("Demo stopped. Nothing was kept but the files the bot sent.")


def run_demo(settings: Settings, script: Path | None = None) -> int:
    setup_logging("WARNING", DEMO_TOKEN)
    logging.getLogger("sandbox").setLevel(logging.ERROR)
    try:
        asyncio.run(demo(settings, script))
    except KeyboardInterrupt:
        print("\nDemo stopped.")
    return 0
