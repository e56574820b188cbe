"""A local Telegram Bot API for end-to-end tests and the demo: in the checkout only, never in the product.

    async with Sandbox() as sb:
        kees = sb.add_user("Kees")
        group = sb.add_group("Flat De Linde", members=[kees])
        # run the unmodified bot with base_url=f"{sb.url}/bot", base_file_url=f"{sb.url}/file/bot"
        await sb.add_bot_to_group(group, by=kees)
        welcome = await sb.next_message(group)

`world.World` holds the state (people, chats, messages, the update queue) without HTTP;
`methods.BotApi` implements the Bot API methods on it; `server.SandboxServer` speaks HTTP;
`driver.Sandbox` drives it all: people act (`acting`: `say`, `tap`, `open_private`, the resident
actions end-to-end tests share) and the bot's calls are watched (`watching`).
"""

from sandbox.driver import CallbackResult, Sandbox
from sandbox.models import (
    BotEvent,
    CallbackAnswer,
    SandboxChat,
    SandboxMessage,
    SandboxUser,
)

__all__ = [
    "BotEvent",
    "CallbackAnswer",
    "CallbackResult",
    "Sandbox",
    "SandboxChat",
    "SandboxMessage",
    "SandboxUser",
]
