"""/vergeetmij: a resident has everything the bot keeps about them erased, after one question."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Update

from bot.domain.deeplinks import DeepLink
from bot.i18n import plain, t
from bot.logs import pseudonym
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import Context, language_for, services
from handlers.kit.press import Press, Speaks

log = logging.getLogger(__name__)

SENDS_POLL_SECONDS = 0.2
SENDS_POLLS = 150
"""The last step of an erasure waits up to 30 s for its own messages to go out."""
FORGET = "fgt"
"""Callback prefix: `fgt:yes` or `fgt:no`."""


def forget_keyboard(lang: str) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "data.forget.yes"), FORGET, "yes"),
                     button(plain(lang, "data.forget.no"), FORGET, "no")])


async def ask_forget(update: Update, context: Context) -> None:
    lang = await language_for(update, context)
    await services(context).out.reply(update, t(lang, "data.forget.ask"),
                                      keyboard=forget_keyboard(lang))


async def open_forget_link(update: Update, context: Context, link: DeepLink) -> None:
    await ask_forget(update, context)


async def forget_resident(svc: Services, user_id: int) -> bool:
    """Erase everything about a resident: features first (they may still need the memberships
    to edit cards), the foundation last. Harmless to repeat; False when some part failed."""
    now = svc.clock.now()
    for building_id in await svc.memberships.buildings_of(user_id):
        await svc.run_departure_hooks(building_id, user_id, now)
    foundation = svc.stores.foundation
    complete = True
    for personal in svc.personal_data:
        if personal is foundation:
            continue
        try:
            await personal.forget(user_id, now)
        except Exception:
            log.exception("forgetting in %s failed", personal.name)
            complete = False
    if complete:
        await foundation.forget(user_id, now)
    return complete


async def on_forget_answer(update: Update, context: Context) -> None:
    press = await Press.open_own_chat(update, context, "error.not_yours", Speaks.READER)
    if press is None:
        return
    svc, user_id, lang = press.svc, press.user.id, press.lang
    if press.data == f"{FORGET}:no":
        await press.answer()
        await svc.out.replace_pressed(update, t(lang, "data.forget.kept"))
        return
    if press.data != f"{FORGET}:yes":
        await press.tell("error.stale_button")
        return
    complete = await forget_resident(svc, user_id)
    log.info("resident %s was forgotten%s", pseudonym(user_id), "" if complete else " in part")
    await press.answer()
    await svc.out.replace_pressed(
        update, t(lang, "data.forget.done") if complete else t(lang, "data.forget.partial"))

    def follow_up() -> None:
        context.application.create_task(finish_forgetting(svc, user_id), update=update)

    # Once the erasure and its answer are committed, so that the follow-up finds them (a task
    # started now would run beside the unit of work where the database lets it).
    svc.db.after_commit(follow_up)


async def finish_forgetting(svc: Services, user_id: int) -> None:
    """After the erasure is committed (this runs in its own task, started once it is) and
    what it said went out: the outbox keeps nothing of those messages, and the database files
    are checkpointed, so the erased words are gone from the disk too."""
    foundation = svc.stores.foundation
    up_to = await foundation.last_send()
    for _ in range(SENDS_POLLS):
        if not await foundation.sending(up_to):
            break
        await asyncio.sleep(SENDS_POLL_SECONDS)
    await foundation.forget_sent(user_id)
    await foundation.checkpoint()
