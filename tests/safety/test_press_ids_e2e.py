"""Ids in button data are read in one place (`handlers.kit.buttons.parse_id`), bounded to 18
digits: a forged press with an id of 19 to 40 digits gets the feature's short "this button no
longer works" answer, never the generic error, and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.i18n import plain, t
from handlers.kit.buttons import parse_id
from tests.harness import World
from tests.requests.request_steps import ask, started

HUGE = ("9223372036854775808", "1" * 20, "31415926535897932384626", "9" * 40)
"""2**63 (one past SQLite's largest integer), and longer ones."""
GROUP_PRESSES = {
    "req:c:{id}": "error.stale_button",
    "req:ca:{id}": "error.stale_button",
    "rep:req:{id}": "error.stale_button",
    "wrk:stop:{id}": "workers.stop.stale",
}
"""Presses on a message in the group, and the answer each must get."""
PRIVATE_PRESSES = {
    "req:done:{id}": "error.stale_button",
    "req:wd:{id}": "error.stale_button",
    "req:again:{id}:today": "error.stale_button",
    "rqf:b:{id}": "request.flow.not_member",
    "rqf:b:-{id}": "request.flow.not_member",
    "pair:h:{id}": "error.stale_button",
    "pair:met:{id}:12": "error.stale_button",
    "off:b:{id}": "error.stale_button",
    "off:edit:-{id}": "error.stale_button",
    "wsh:b:-{id}": "error.stale_button",
    "wsh:x:{id}": "error.stale_button",
    "rhide:{id}": "error.stale_button",
    "rkeep:{id}": "error.stale_button",
}
"""Presses on a message in a private chat, and the answer each must get."""


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", 1), ("007", 7), ("9" * 18, 10**18 - 1), ("9" * 19, None), ("", None), ("-5", None),
    ("+5", None), (" 5", None), ("٣", None), ("²", None), ("1e3", None), (None, None),
])
def test_parse_id_takes_plain_short_ids_only(raw: str | None, expected: int | None) -> None:
    assert parse_id(raw) == expected


def test_parse_id_takes_a_minus_only_where_a_chat_id_is_meant() -> None:
    assert parse_id("-1001234567890", signed=True) == -1001234567890
    assert parse_id("-" + "9" * 19, signed=True) is None
    assert parse_id("--5", signed=True) is None and parse_id("-", signed=True) is None


async def test_overlong_ids_get_the_stale_answer_everywhere(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma, kees)
        posted = await ask(world, fatma)
        in_private = sb.bot_messages(kees)[0]
        await world.delivered()  # the card's message id is recorded once it was sent
        before = await world.services.db.fetch_all("SELECT * FROM requests")
        generic = plain("nl", "error.generic")
        presses = [(posted.card, data, key) for data, key in GROUP_PRESSES.items()]
        presses += [(in_private, data, key) for data, key in PRIVATE_PRESSES.items()]
        for message, pattern, key in presses:
            for huge in HUGE:
                data = pattern.format(id=huge)[:64]
                world.clock.advance(timedelta(seconds=4))
                said = await (await sb.tap(kees, message, data, forged=True)).answer()
                assert said.text != generic, data
                assert said.text in (plain("nl", key), t("nl", key)), (data, said.text)
        await sb.settle()
        assert await world.services.db.fetch_all("SELECT * FROM requests") == before
