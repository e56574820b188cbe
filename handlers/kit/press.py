"""A button press, opened once: who pressed where, what the button says and the language the
answer is in, so every press handler starts from the same typed value."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from functools import wraps
from typing import Any, Protocol, TypeVar

from telegram import CallbackQuery, Chat, Update, User
from telegram.ext import Application, CallbackQueryHandler

from bot.i18n import plain
from bot.services import Services
from handlers.kit.buttons import parse_id
from handlers.kit.context import (
    Context,
    is_group,
    language_for,
    presser_language,
    remember,
    resident_language,
    services,
)
from handlers.kit.guards import answer, is_member, member_press, on_own_ground


class InBuilding(Protocol):
    @property
    def building_id(self) -> int: ...


Item = TypeVar("Item", bound=InBuilding)
PressHandler = Callable[[Update, Context], Coroutine[Any, Any, None]]
Found = TypeVar("Found")


class Speaks(Enum):
    """Whose language a press is answered in."""

    PRESSER = "presser"
    """The presser's own, even before the bot has recorded them (nothing is written)."""
    RESIDENT = "resident"
    """The presser's, after recording them as seen (a press in their private chat)."""
    READER = "reader"
    """The group's in a group, the presser's in a private chat."""


@dataclass(frozen=True)
class Press:
    """One person's press on one button, with everything its handler starts from."""

    update: Update
    context: Context
    svc: Services
    query: CallbackQuery
    user: User
    chat: Chat | None
    data: str
    """The button's data, never empty: a press without any gets the stale answer at once."""
    lang: str

    @classmethod
    async def open(cls, update: Update, context: Context,
                   speaks: Speaks = Speaks.PRESSER) -> Press | None:
        """The press behind this update, or None for an update that is no person's press."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return None
        svc = services(context)
        if speaks is Speaks.RESIDENT:
            lang = resident_language(svc, await remember(update, context))
        elif speaks is Speaks.READER:
            lang = await language_for(update, context)
        else:
            lang = await presser_language(svc, user)
        if not query.data:
            await answer(update, plain(lang, "error.stale_button"))
            return None
        return cls(update, context, svc, query, user, update.effective_chat, query.data, lang)

    @classmethod
    async def open_own_chat(cls, update: Update, context: Context, refusal_key: str,
                            speaks: Speaks = Speaks.PRESSER) -> Press | None:
        """A press that means something only in the presser's own chat with the bot (a
        private flow, a private menu): anywhere else it is refused with `refusal_key`, before
        anything about the presser is recorded."""
        press = await cls.open(update, context,
                               Speaks.PRESSER if speaks is Speaks.RESIDENT else speaks)
        if press is None:
            return None
        if not press.in_own_chat:
            await press.tell(refusal_key)
            return None
        return await press.remembered() if speaks is Speaks.RESIDENT else press

    async def remembered(self) -> Press:
        """The same press once the presser is recorded as seen, answered in their recorded
        language: only after the checks that keep an outsider's press from being recorded."""
        resident = await remember(self.update, self.context)
        return replace(self, lang=resident_language(self.svc, resident))

    async def card_item(self, get: Callable[[int], Awaitable[Item | None]],
                        members_only_key: str) -> Item | None:
        """The item behind a card button (`prefix:action:id`) pressed by a member of its
        building, in its own group or in the presser's own chat (where "Mijn dingen" shows it);
        anyone else gets a short answer. Pressed privately by a non-member, the item is as
        unknown as an id nothing has (the card in the group is seen by whoever sees the group;
        the id alone tells nothing)."""
        item_id = self.number(2, parts=3)
        item = await get(item_id) if item_id is not None else None
        if item is None or not on_own_ground(self.update, item.building_id) or (
                self.in_own_chat
                and not await is_member(self.context, item.building_id, self.user.id)):
            await self.tell("error.stale_button")
            return None
        if await member_press(self.update, self.context, item.building_id,
                              members_only_key) is None:
            return None
        return item

    @property
    def parts(self) -> list[str]:
        return self.data.split(":")

    def part(self, index: int) -> str:
        """The part at `index` of the button data, empty where the data is shorter."""
        split = self.parts
        return split[index] if index < len(split) else ""

    def number(self, index: int, *, parts: int, signed: bool = False) -> int | None:
        """The id at `index` of button data made of exactly `parts` parts, else None."""
        split = self.parts
        return parse_id(split[index], signed=signed) if len(split) == parts else None

    @property
    def in_group(self) -> bool:
        return is_group(self.chat)

    @property
    def in_own_chat(self) -> bool:
        """Pressed in the presser's own private chat with the bot."""
        return self.chat is not None and self.chat.id == self.user.id

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        if alert:
            await answer(self.update, text, show_alert=True)
        else:
            await answer(self.update, text)

    async def tell(self, key: str, /, *, alert: bool = False, **values: object) -> None:
        """Answer with one line from the locales, in the press's language."""
        await self.answer(plain(self.lang, key, **values), alert=alert)


def route_presses(app: Application, routes: Mapping[str, PressHandler]) -> None:  # type: ignore[type-arg]
    """A feature's buttons: each callback-data pattern to the handler of its presses, tried in
    the order given (the first pattern that matches takes the press)."""
    for pattern, handler in routes.items():
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern))


def pressed_with(
    opener: Callable[[Update, Context], Awaitable[tuple[Press, Found] | None]],
) -> Callable[[Callable[[Press, Found], Coroutine[Any, Any, None]]], PressHandler]:
    """A press handler that starts from what `opener` found: the press and the thing its button
    names, already checked. When the opener found nothing it has answered the press, and the
    handler does not run."""

    def decorate(action: Callable[[Press, Found], Coroutine[Any, Any, None]]) -> PressHandler:
        @wraps(action)
        async def handler(update: Update, context: Context) -> None:
            found = await opener(update, context)
            if found is not None:
                await action(*found)

        return handler

    return decorate
