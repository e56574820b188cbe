"""The organiser's private controls of one activity, on every message that carries them.

The controls come on several messages (the one after posting, a change, "Mijn dingen", the
list). While the activity is open they all work. Once it is called off, over, or in someone
else's hands, each of them is shown as the activity is now, without buttons: no message in the
organiser's chat keeps saying that a stopped series repeats, or offers what can no longer be
done. The messages are kept like a card's (`CardSource`), so the delivery records their ids.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.activities import Activity, ActivityStatus
from bot.i18n import t
from bot.services import Services
from handlers.activities.card import as_it_is, details_text, organiser_keyboard
from handlers.kit.cards import RenderedCard
from handlers.kit.context import user_language
from handlers.kit.send import CardRef, Method, Outgoing

CONTROLS = "activity.controls"


class ControlsMessages:
    """Where each controls message is kept; never re-rendered as a card, only retired."""

    def __init__(self, svc: Services) -> None:
        self._store = svc.stores.activities

    async def render(self, item_id: int) -> RenderedCard | None:
        return None

    async def message_id(self, item_id: int) -> int | None:
        return await self._store.controls_message(item_id)

    async def record(self, item_id: int, message_id: int) -> None:
        await self._store.record_controls(item_id, message_id)


async def details_now(lang: str, svc: Services, activity: Activity) -> str:
    """What, when, where, who, as it is now (a stopped series no longer repeats)."""
    return details_text(lang, svc, await as_it_is(svc, activity))


async def send_controls(svc: Services, activity: Activity, user_id: int, lang: str,
                        text: str) -> None:
    """A private message with the controls under `text`."""
    row_id = await svc.stores.activities.keep_controls(activity.id, user_id)
    await svc.out.send(Outgoing(
        chat_id=user_id, method=Method.SEND, text=text,
        keyboard=organiser_keyboard(lang, activity).to_dict(),
        card=CardRef(kind=CONTROLS, item_id=row_id), unreachable_user=user_id,
    ))


async def controls_in_place(update: Update, svc: Services, activity: Activity, lang: str,
                            text: str) -> None:
    """Answer a press with the controls, in place of the pressed message."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is not None:
        await svc.stores.activities.keep_controls(activity.id, message.chat.id,
                                                  message.message_id)
    await svc.out.replace_pressed(update, text, organiser_keyboard(lang, activity))


async def release_pressed(update: Update, svc: Services, activity_id: int) -> None:
    """The pressed message is about to say something else: it no longer carries controls."""
    query = update.callback_query
    if query is not None and query.message is not None:
        await svc.stores.activities.drop_controls_message(
            activity_id, query.message.chat.id, query.message.message_id)


async def retire_controls(svc: Services, activity_id: int) -> None:
    """Every message with this activity's controls shows it as it is now, without buttons."""
    store = svc.stores.activities
    activity = await store.get(activity_id)
    messages = await store.controls_messages(activity_id)
    await store.drop_controls(activity_id)
    if activity is None:
        return
    for message in messages:
        if message.message_id is None:
            continue
        lang = await user_language(svc, message.user_id)
        text = await details_now(lang, svc, activity)
        if activity.status is ActivityStatus.CANCELLED:
            text = t(lang, "activity.card.cancelled") + "\n\n" + text
        elif activity.status is ActivityStatus.ENDED:
            text += "\n\n" + t(lang, "activity.card.ended")
        await svc.out.edit(message.user_id, message.message_id, text)
