"""/help in every language lists commands Telegram can tap: "/help", never a command name
wrapped in direction isolates (which would end the command at the slash)."""

from __future__ import annotations

import re

import pytest

from bot.app import FEATURES
from bot.i18n import FSI
from bot.menu import MenuCommand
from handlers.community.help import help_text
from locales import SUPPORTED_LANGUAGES


def menu() -> list[MenuCommand]:
    return [command for feature in FEATURES for command in getattr(feature, "COMMANDS", ())]


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("in_group", [False, True])
def test_every_listed_command_is_tappable(lang: str, in_group: bool) -> None:
    commands = [c for c in menu() if (c.group if in_group else c.private)]
    text = help_text(menu(), lang, in_group=in_group)
    listed = re.findall(r"^/([a-z0-9_]+) – ", text, re.M)
    assert listed == [c.name(lang) for c in commands]
    assert f"/{FSI}" not in text
