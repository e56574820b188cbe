""""Stuur een bericht via mij": two residents who should talk (a request's requester and
helper, a pair) but cannot open a chat with each other (no username, privacy settings) write
through the bot. A press starts the wait; the next text typed is passed on to the other person,
with a button to answer the same way. Only while the feature says they may (its relay route),
and the text itself is never stored.
"""

from __future__ import annotations

import re
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.text import typed_text
from bot.i18n import plain, t, tn
from bot.services import Services
from handlers.kit.buttons import button, keyboard, parse_id
from handlers.kit.command import stop_flow
from handlers.kit.context import Context, remember, user_language
from handlers.kit.press import Press
from handlers.kit.reach import RELAY, contact_of
from handlers.kit.send import Method, Outgoing

FLOW_NAME = "relay"
RELAY_DATA = re.compile(rf"^{RELAY}:([a-z]{{1,8}}):(\d{{1,18}})$")
RELAY_LIFETIME = timedelta(hours=1)
"""A wait for the text lapses after this long: a later text is not passed on by surprise."""
MAX_RELAYED = 1000


class RelayFlow:
    """The wait for the one text to pass on."""

    name = FLOW_NAME

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._drafts = svc.stores.relay

    async def _partner(self, user_id: int) -> tuple[str, int, int] | None:
        """(route, item id, the other person) of this resident's waiting relay, if still allowed."""
        draft = await self._drafts.get(user_id, self._svc.clock.now() - RELAY_LIFETIME)
        route = self._svc.relay_routes.get(draft.kind) if draft is not None else None
        if draft is None or route is None:
            return None
        other = await route(draft.item_id, user_id)
        return None if other is None else (draft.kind, draft.item_id, other)

    async def waiting(self, user_id: int) -> bool:
        return await self._drafts.get(user_id, self._svc.clock.now() - RELAY_LIFETIME) is not None

    async def end(self, user_id: int) -> None:
        await self._drafts.take(user_id)

    async def on_stop(self, update: Update, context: Context) -> None:
        await stop_flow(update, self._svc, self, "relay.stopped")

    async def on_text(self, update: Update, context: Context) -> None:
        message, user, svc = update.effective_message, update.effective_user, self._svc
        if message is None or user is None or message.text is None:
            return
        sender = await remember(update, context)
        lang = await user_language(svc, user.id)
        text = typed_text(message.text)
        if not text or len(text) > MAX_RELAYED:
            await svc.out.reply(update, tn(lang, "relay.text_problem", MAX_RELAYED))
            return
        found = await self._partner(user.id)
        if found is None or not await self._drafts.take(user.id):
            await self.end(user.id)
            await svc.out.reply(update, t(lang, "relay.closed"))
            return
        route, item_id, other = found
        name = sender.first_name if sender is not None and sender.first_name else "?"
        recipient = await contact_of(svc, other)
        o_lang = await user_language(svc, other)
        reply = keyboard([button(plain(o_lang, "relay.button.answer", name=name),
                                 RELAY, route, item_id)])
        not_sent = Outgoing(chat_id=user.id, method=Method.SEND,
                            text=t(lang, "relay.not_delivered", name=recipient.name))
        await svc.out.private(other, t(o_lang, "relay.message", name=name, text=text),
                              keyboard=reply, fallback=not_sent)
        await svc.out.reply(update, t(lang, "relay.sent", name=recipient.name))


async def on_relay_button(update: Update, context: Context) -> None:
    """"Stuur … een bericht via mij" (or "Antwoord via mij"): wait for the text, if the
    presser may still write to the other person about this."""
    press = await Press.open(update, context)
    if press is None:
        return
    svc, user_id = press.svc, press.user.id
    match = RELAY_DATA.match(press.data) if press.in_own_chat else None
    item_id = parse_id(match.group(2)) if match else None
    route = svc.relay_routes.get(match.group(1)) if match else None
    other = await route(item_id, user_id) if route and item_id is not None else None
    if match is None or item_id is None or other is None:
        await press.tell("relay.answer.closed", alert=True)
        return
    await svc.flows.begin(user_id, FLOW_NAME)
    await svc.stores.relay.start(user_id, match.group(1), item_id, svc.clock.now())
    recipient = await contact_of(svc, other)
    await press.answer()
    await svc.out.message(user_id, t(press.lang, "relay.ask", name=recipient.name))


def register_relay(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.flows.register(RelayFlow(svc))
    svc.personal_data.append(svc.stores.relay)
    app.add_handler(CallbackQueryHandler(on_relay_button, pattern=rf"^{RELAY}:"))
