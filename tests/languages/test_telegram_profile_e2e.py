"""Telegram's own surfaces per language: the command menus of every scope and the bot's
descriptions, read back from the sandbox after the bot started."""

from __future__ import annotations

import re

from bot.i18n import plain
from locales import SUPPORTED_LANGUAGES
from sandbox import Sandbox
from tests.foundation.sandbox_helpers import call
from tests.harness import World

PRIVATE = {"type": "all_private_chats"}
GROUPS = {"type": "all_group_chats"}
ADMINS = {"type": "all_chat_administrators"}
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


async def test_menus_and_descriptions_are_set_for_every_language(world: World) -> None:
    async with world.bot():
        await world.sb.settle()
        menu = world.services.menu
        for lang in SUPPORTED_LANGUAGES:
            for scope, in_group, to_admin in ((PRIVATE, False, False), (GROUPS, True, False),
                                              (ADMINS, True, True)):
                shown = world.sb.commands(scope=scope, language_code=lang)
                expected = [item for item in menu
                            if item.shown_in(in_group=in_group, to_admin=to_admin)]
                assert [c["command"] for c in shown] == [item.name(lang) for item in expected]
                assert [c["description"] for c in shown] == [
                    plain(lang, item.description_key) for item in expected]
                assert all(COMMAND_NAME.match(c["command"]) for c in shown)
            assert world.sb.bot_text("description", language_code=lang) \
                == plain(lang, "bot.description")
            assert world.sb.bot_text("short_description", language_code=lang) \
                == plain(lang, "bot.short_description")

        private_nl = {c["command"]: c["description"]
                      for c in world.sb.commands(scope=PRIVATE, language_code="nl")}
        private_en = {c["command"]: c["description"]
                      for c in world.sb.commands(scope=PRIVATE, language_code="en")}
        assert private_nl["taal"] == "Kies je taal" and "language" not in private_nl
        assert private_en["language"] == plain("en", "cmd.language")
        admins_nl = [c["command"] for c in world.sb.commands(scope=ADMINS, language_code="nl")]
        groups_nl = [c["command"] for c in world.sb.commands(scope=GROUPS, language_code="nl")]
        assert "instellingen" in admins_nl and "instellingen" not in groups_nl

        # Anyone whose app language has no texts of its own gets the bot's default language.
        assert world.sb.commands(scope=PRIVATE) == world.sb.commands(scope=PRIVATE,
                                                                      language_code="nl")
        assert world.sb.bot_text("description") == plain("nl", "bot.description")
        assert world.sb.bot_text("short_description") == plain("nl", "bot.short_description")


async def test_the_sandbox_refuses_a_language_code_telegram_refuses(sandbox: Sandbox) -> None:
    commands = [{"command": "help", "description": "Help"}]
    for method, body in (
        ("setMyCommands", {"commands": commands, "scope": PRIVATE}),
        ("getMyCommands", {}),
        ("setMyDescription", {"description": "Hoi"}),
        ("setMyShortDescription", {"short_description": "Hoi"}),
        ("getMyShortDescription", {}),
    ):
        for code in ("en-GB", "EN", "eng", "e1"):
            status, reply = await call(sandbox, method, json_body={**body, "language_code": code})
            assert (status, reply["description"]) == (
                400, "Bad Request: invalid language code specified"), (method, code)
        status, _ = await call(sandbox, method, json_body={**body, "language_code": "uk"})
        assert status == 200
    assert sandbox.bot_text("short_description", language_code="uk") == "Hoi"
    assert sandbox.commands(scope=PRIVATE, language_code="uk") == commands
