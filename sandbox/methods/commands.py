"""The bot's command menus per scope and language, and its profile texts (name, description,
short description)."""

from __future__ import annotations

import json
from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.base import ApiBase, Handler, Reply
from sandbox.params import Params, to_int

COMMANDS_LIMIT = 100
_CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")
_PLAIN_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
_TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}


def scope_key(scope: Any) -> str:
    """The storage key of a BotCommandScope: its type and, for chat scopes, the ids."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise ValueError("scope must be a BotCommandScope object")
    kind = scope["type"]
    if kind in _PLAIN_SCOPES:
        return json.dumps({"type": kind})
    if kind not in _CHAT_SCOPES:
        raise ValueError(f"unknown scope type {kind!r}")
    normalized: dict[str, Any] = {"type": kind, "chat_id": to_int(scope.get("chat_id"))}
    if kind == "chat_member":
        normalized["user_id"] = to_int(scope.get("user_id"))
    return json.dumps(normalized, sort_keys=True)


def language_key(p: Params) -> str:
    """The `language_code` a menu or text is kept under: empty for everyone without their own,
    else a two-letter ISO 639-1 code, as Telegram accepts it."""
    code = p.get_str("language_code") or ""
    if code and not (len(code) == 2 and code.isascii() and code.isalpha() and code.islower()):
        raise bad_request("invalid language code specified")
    return code


class CommandMethods(ApiBase):
    def _scope(self, p: Params) -> str:
        scope = p.get_json("scope")
        try:
            key = scope_key(scope)
        except ValueError as error:
            raise bad_request("wrong type of parameter scope") from error
        chat_id = json.loads(key).get("chat_id")
        known = chat_id in self.world.users or chat_id in self.world.groups
        if isinstance(chat_id, int) and not known:
            raise bad_request("chat not found")
        return key

    async def set_my_commands(self, p: Params) -> Reply:
        commands = p.get_json("commands", required=True)
        if not isinstance(commands, list):
            raise bad_request("wrong type of parameter commands")
        if len(commands) > COMMANDS_LIMIT:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        stored = []
        for entry in commands:
            if not isinstance(entry, dict):
                raise bad_request("wrong type of parameter commands")
            command, description = entry.get("command"), entry.get("description")
            if not isinstance(command, str) or not (
                1 <= len(command) <= 32
                and all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in command)
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": command, "description": description})
        key = (self._scope(p), language_key(p))
        if stored:
            self.world.commands[key] = stored
        else:
            self.world.commands.pop(key, None)
        return Reply(True)

    async def get_my_commands(self, p: Params) -> Reply:
        key = (self._scope(p), language_key(p))
        return Reply([dict(c) for c in self.world.commands.get(key, [])])

    async def delete_my_commands(self, p: Params) -> Reply:
        key = (self._scope(p), language_key(p))
        self.world.commands.pop(key, None)
        return Reply(True)

    def _text_setter(self, field: str) -> Handler:
        async def setter(p: Params) -> Reply:
            value = p.get_str(field) or ""
            if len(value) > _TEXT_LIMITS[field]:
                raise bad_request(f"{field.replace('_', ' ')} is too long")
            key = (field, language_key(p))
            if value:
                self.world.bot_texts[key] = value
            else:
                self.world.bot_texts.pop(key, None)
            return Reply(True)

        return setter

    def _text_getter(self, field: str) -> Handler:
        async def getter(p: Params) -> Reply:
            language = language_key(p)
            texts = self.world.bot_texts
            value = texts.get((field, language), texts.get((field, ""), ""))
            if field == "name" and not value:
                value = self.world.bot_user.first_name
            return Reply({field: value})

        return getter
