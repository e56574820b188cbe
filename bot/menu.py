"""The commands residents can use, in one list: /help and Telegram's command menu both read it."""

from __future__ import annotations

from dataclasses import dataclass, field

COMMAND_FALLBACK = "en"
"""Whose command names a language without its own uses."""


@dataclass(frozen=True)
class MenuCommand:
    """A command with its name per language (`/vraag` in Dutch, `/ask` in English)."""

    names: dict[str, str]
    description_key: str
    private: bool = True
    group: bool = True
    admin: bool = False
    """For a group's admins only: in the menu of admins alone (the command checks again)."""
    aliases: tuple[str, ...] = field(default=())

    def shown_in(self, *, in_group: bool, to_admin: bool) -> bool:
        """Is this command in the menu of a private chat, or of a group for a member or admin?"""
        if not in_group:
            return self.private and not self.admin
        return self.group and (to_admin or not self.admin)

    def name(self, lang: str) -> str:
        """The command as `lang` writes it. Telegram allows only a-z, 0-9 and _ in a command, so
        a language without names of its own (Turkish, Arabic, Polish, Ukrainian) uses the English
        ones, which every chat understands; only the description is in the resident's language."""
        return self.names.get(lang) or self.names.get(COMMAND_FALLBACK) \
            or next(iter(self.names.values()))

    @property
    def all_names(self) -> list[str]:
        return sorted({*self.names.values(), *self.aliases})
