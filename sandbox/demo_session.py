"""One demo session: typed lines become residents' actions, and what the bot did is printed
with numbers, so its buttons can be pressed."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.clock import FakeClock
from bot.services import Services
from locales import native_name
from sandbox import CallbackResult, Sandbox
from sandbox.demo_clock import clock_label, clock_target
from sandbox.demo_tour import BUILDING, TOUR, USAGE
from sandbox.models import BotEvent, SandboxChat, SandboxMessage, SandboxUser

FILES_DIR = Path(tempfile.gettempdir()) / "omzien-demo-files"


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
            print({"help": USAGE, "tour": TOUR}.get(word) or self._who())
            return True
        if word == "clock":
            await self.move_clock(rest)
            return True
        await self._act(line)
        await self.settle()
        self.show_new()
        await self._show_answers()
        return True

    def _who(self) -> str:
        """Each resident with the language their Telegram is set to, in that language's name."""
        return ", ".join(f"{user.first_name} ({native_name(user.language_code or 'nl')})"
                         for user in self.residents.values())

    async def settle(self) -> None:
        """Wait until the bot has done everything this line caused: every update handled,
        nothing waiting to be sent, no job due at once or running."""
        await self.sb.settle(timeout=60)

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
