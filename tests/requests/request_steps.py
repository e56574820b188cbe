"""What residents do with help requests, as steps the end-to-end tests share."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox import CallbackAnswer, SandboxChat, SandboxMessage, SandboxUser
from sandbox.world import CallbackQueryState
from storage.requests import RequestStore
from tests.harness import World

WHEN_BUTTONS = frozenset({"Vandaag", "Morgen", "Deze week", "Today", "Tomorrow", "This week"})


@dataclass
class Posted:
    card: SandboxMessage
    controls: SandboxMessage

    @property
    def request_id(self) -> int:
        for row in self.card.buttons():
            for button in row:
                match = re.match(r"^req:c:(\d+)$", str(button.get("callback_data", "")))
                if match:
                    return int(match.group(1))
        raise AssertionError(f"no Ik help button on {self.card.text!r}")


async def tap(world: World, user: SandboxUser, message: SandboxMessage, button: str) -> CallbackAnswer:
    """Press a button and wait until the bot answered the press."""
    result = await world.sb.tap(user, message, button)
    return await result.answer()


def ask_url(world: World, group: SandboxChat | None = None) -> str:
    """The "Vraag hulp" button under the bot's welcome in the group."""
    chat = group or world.group
    for message in world.sb.bot_messages(chat):
        for text, url in message.url_buttons().items():
            if text in ("Vraag hulp", "Ask for help"):
                return url
    raise AssertionError("no Vraag hulp button in the group")


async def open_ask(world: World, user: SandboxUser, group: SandboxChat | None = None) -> SandboxMessage:
    await world.sb.open_private(user, ask_url(world, group))
    return await world.sb.next_message(user)


async def edited(world: World, user: SandboxUser, message: SandboxMessage) -> SandboxMessage:
    """The next edit of this very message: other edits in the chat (buttons taken off an older
    message about another request) are passed over."""
    while True:
        found = await world.sb.next_edit(user)
        if found.message_id == message.message_id:
            return found


async def ask(
    world: World,
    user: SandboxUser,
    *,
    kind: str = "Boodschappen",
    text: str = "Wie neemt melk voor me mee?",
    when: str = "Morgen",
    named: bool = False,
    for_other: bool = False,
    weekly: bool = False,
    group: SandboxChat | None = None,
    link_group: SandboxChat | None = None,
) -> Posted:
    """The whole ask flow in the private chat, as a Dutch-speaking resident taps it; the card
    goes up in `group`, and the "Vraag hulp" link is taken from `link_group` (by default the
    same group: a group that became a supergroup keeps its link in the old chat)."""
    sb = world.sb
    question = await open_ask(world, user, link_group or group)
    await tap(world, user, question, kind)
    await edited(world, user, question)
    await sb.say(user, user, text)
    question = await sb.next_message(user)
    if when in WHEN_BUTTONS:
        await tap(world, user, question, when)
        question = await edited(world, user, question)
    else:
        await sb.say(user, user, when)
        question = await sb.next_message(user)
    await tap(world, user, question, f"Met mijn naam ({user.first_name})" if named else "Als een buur")
    question = await edited(world, user, question)
    if for_other:
        await tap(world, user, question, "Het is voor een buur")
        question = await edited(world, user, question)
    if weekly:
        await tap(world, user, question, next(b for b in question.button_texts() if b.startswith("Elke")))
        question = await edited(world, user, question)
    await tap(world, user, question, "Plaats in de groep")
    card = await sb.next_message(group or world.group, containing=text)
    controls = await edited(world, user, question)
    return Posted(card, controls)


async def started(world: World, *users: SandboxUser) -> None:
    """These residents opened the bot once (so it may write to them)."""
    for user in users:
        await world.sb.open_private(user)
        await world.sb.next_message(user)


def store(world: World) -> RequestStore:
    """The running bot's request storage, to check what was kept."""
    return world.services.stores.requests


async def to_text_step(world: World, user: SandboxUser, kind: str = "Boodschappen") -> SandboxMessage:
    question = await open_ask(world, user)
    await tap(world, user, question, kind)
    return await world.sb.next_edit(user)


async def press_as_outsider(
    world: World, user: SandboxUser, message: SandboxMessage, data: str
) -> CallbackAnswer:
    """A press Telegram's own apps would not offer (the presser left the group), as a modified
    client could still send it: the sandbox refuses such presses, so it is queued directly."""
    sandbox_world = world.sb.world
    query_id = f"outsider-{message.chat_id}-{message.message_id}-{user.id}"
    sandbox_world.callback_queries[query_id] = CallbackQueryState(
        query_id, user, message.chat_id, message.message_id, data
    )
    sandbox_world.queue_update("callback_query", {
        "id": query_id,
        "from": user.to_dict(),
        "message": message.to_dict(),
        "chat_instance": "1",
        "data": data,
    })
    return await world.sb.callback_answer(query_id)


def edits_in(world: World, chat: SandboxChat) -> int:
    return sum(1 for e in world.sb.events if e.ok and e.chat_id == chat.id
               and e.method == "editMessageText")
