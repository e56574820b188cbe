"""A command, opened once: who said it where, the services and the reader's language, so every
command handler starts from the same typed value; with the two shapes group commands share (a
line that points to the private chat, and a command for the group's admins)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from telegram import Chat, Update, User
from telegram.ext import Application, CommandHandler

from bot.domain.community import Building, Resident
from bot.domain.deeplinks import link_url
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import keyboard, link_button
from handlers.kit.context import (
    Context,
    is_group,
    language_for,
    remember,
    services,
    user_language,
)
from handlers.kit.flows import PrivateFlow
from handlers.kit.guards import group_admin

CommandCallback = Callable[[Update, Context], Coroutine[Any, Any, None]]
AdminAction = Callable[["Command", Building], Coroutine[Any, Any, None]]
CommandRoutes = Mapping[str | tuple[str, ...], CommandCallback]


@dataclass(frozen=True)
class Command:
    """One person's command (or the private chat a deep link opened), with everything its
    handler starts from."""

    update: Update
    context: Context
    svc: Services
    chat: Chat
    user: User
    resident: Resident | None
    """The sender as recorded by this command (None when not recorded: a bot, a channel)."""
    lang: str
    """The reader's language: the group's in a group, the sender's in a private chat."""

    @classmethod
    async def open(cls, update: Update, context: Context, *,
                   record: bool = True) -> Command | None:
        """The command behind this update, the sender recorded as seen first (a command in a
        group shows they belong to it) unless `record=False`; None when no person said it."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return None
        resident = await remember(update, context) if record else None
        return cls(update, context, services(context), chat, user, resident,
                   await language_for(update, context))

    @property
    def in_group(self) -> bool:
        return is_group(self.chat)

    async def reply(self, key: str, /, **values: object) -> None:
        await self.svc.out.reply(self.update, t(self.lang, key, **values))

    async def served_building(self) -> Building | None:
        """The building of the group this was said in, if the bot serves it (else nothing is
        said: the bot stays quiet in a group it does not serve)."""
        building = await self.svc.buildings.get(self.chat.id) if self.in_group else None
        return building if building is not None and building.active else None

    async def go_private(self, link_kind: str, key: str,
                         button_key: str = "button.open_private") -> None:
        """In a group: one short line with a button that opens a private chat tied to this
        building for `link_kind`; removed after a minute, so the group does not fill up. Nothing
        in a group the bot has no record of."""
        if await self.svc.buildings.get(self.chat.id) is None:
            return
        link = await self.svc.deep_links.reusable(link_kind, self.chat.id, "",
                                                  self.svc.clock.now())
        opener = link_button(plain(self.lang, button_key),
                             link_url(self.svc.bot_username, link.token))
        await self.svc.redirects.reply(self.update, t(self.lang, key), keyboard=keyboard([opener]))

    @classmethod
    async def for_admins(cls, update: Update, context: Context, in_group_only_key: str,
                         admin_only_key: str) -> tuple[Command, Building] | None:
        """A command for the group's admins, in a building the bot serves: the command and the
        building, or None after saying why (it belongs in the group; it is for admins)."""
        command = await cls.open(update, context)
        if command is None:
            return None
        if not command.in_group:
            await command.reply(in_group_only_key)
            return None
        building = await command.served_building()
        if building is None or not await group_admin(update, context, admin_only_key,
                                                      lang=command.lang):
            return None
        return command, building


def for_admins(in_group_only_key: str,
               admin_only_key: str) -> Callable[[AdminAction], CommandCallback]:
    """A group command for the group's admins: the action runs with the command and the
    building only for an admin (asked of Telegram now) in a group the bot serves; anyone else
    is told why, once (see `Command.for_admins`)."""

    def command_for_admins(action: AdminAction) -> CommandCallback:
        @wraps(action)
        async def callback(update: Update, context: Context) -> None:
            found = await Command.for_admins(update, context, in_group_only_key, admin_only_key)
            if found is not None:
                await action(*found)

        return callback

    return command_for_admins


async def stop_flow(update: Update, svc: Services, flow: PrivateFlow, key: str) -> None:
    """/stop in a private flow: its draft goes, and the resident reads `key` in their own
    language."""
    user = update.effective_user
    if user is None:
        return
    await flow.end(user.id)
    await svc.out.reply(update, t(await user_language(svc, user.id), key))


def route_commands(app: Application, routes: CommandRoutes) -> None:  # type: ignore[type-arg]
    """A feature's commands: each name (or Dutch and English names) to its handler."""
    for names, callback in routes.items():
        app.add_handler(CommandHandler(list(names) if isinstance(names, tuple) else names,
                                       callback))
