"""The commands residents can use, in one list: /help and Telegram's command menu both read it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MenuCommand:
    """A command with its name per language (`/vraag` in Dutch, `/ask` in English)."""

    names: dict[str, str]
    description_key: str
    private: bool = True
    group: bool = True
    aliases: tuple[str, ...] = field(default=())

    def name(self, lang: str) -> str:
        return self.names.get(lang) or next(iter(self.names.values()))

    @property
    def all_names(self) -> list[str]:
        return sorted({*self.names.values(), *self.aliases})
