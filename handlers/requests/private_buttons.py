"""The private buttons of a request's requester and helper: one live message each.

A request changes under people (a helper steps back, it is done, it closes). Each of the two
has at most one private message whose buttons are live: a newer message with buttons takes them
off the older one, and a change that leaves someone nothing to do takes their buttons away. A
press on an old button that still arrives (a forwarded copy, a client that was offline) is
answered with what is true now (see `texts.refusal_answer`).

The live message of each is kept like a card's (`CardSource`), so the delivery records its id
once it is sent; its text is kept too, because taking its buttons off repeats the text.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.requests import HelpRequest
from bot.services import Services
from handlers.kit.cards import RenderedCard
from handlers.kit.context import Context
from handlers.kit.guards import knows_of
from handlers.kit.send import CardRef, Method, Outgoing
from storage.request_controls import Role

KINDS = {Role.ASKER: "request.asker", Role.HELPER: "request.helper"}


def buttons_ref(request_id: int, role: Role) -> CardRef:
    return CardRef(kind=KINDS[role], item_id=request_id)


class LiveButtons:
    """Where the live private message of one role is kept (the delivery records its id). It
    is never re-rendered: only its buttons are taken off (`retire`)."""

    def __init__(self, svc: Services, role: Role) -> None:
        self._store = svc.stores.requests
        self._role = role

    async def render(self, item_id: int) -> RenderedCard | None:
        return None

    async def message_id(self, item_id: int) -> int | None:
        live = await self._store.live_message(item_id, self._role)
        return live.message_id if live is not None else None

    async def record(self, item_id: int, message_id: int) -> None:
        await self._store.record_live(item_id, self._role, message_id)


def register_live_buttons(svc: Services) -> None:
    for role in Role:
        svc.cards.register(KINDS[role], LiveButtons(svc, role))


async def retire(svc: Services, request_id: int, role: Role) -> None:
    """Take the buttons off this role's live message about the request, if there is one."""
    store = svc.stores.requests
    live = await store.live_message(request_id, role)
    if live is None:
        return
    await store.drop_live(request_id, role)
    if live.message_id is not None:
        await svc.out.edit(live.user_id, live.message_id, live.text)


async def send(svc: Services, request_id: int, role: Role, user_id: int, text: str,
               keyboard: InlineKeyboardMarkup | None, *, fallback: Outgoing | None = None,
               key: str | None = None) -> None:
    """A private message about the request; with buttons, it becomes the live one and the
    older one loses its buttons."""
    await retire(svc, request_id, role)
    ref = None
    if keyboard is not None:
        ref = buttons_ref(request_id, role)
        await svc.stores.requests.keep_live(request_id, role, user_id, text)
    await svc.out.send(Outgoing(
        chat_id=user_id, method=Method.SEND, text=text,
        keyboard=keyboard.to_dict() if keyboard is not None else None, card=ref,
        unreachable_user=user_id, on_refused=fallback, key=key,
    ))


async def prompt_about(svc: Services, request_id: int, role: Role, user_id: int, kind: str,
                       text: str, keyboard: InlineKeyboardMarkup | None) -> bool:
    """A scheduled private prompt about the request (only if the resident allows this kind
    now); the older buttons go either way, since what they offered is over."""
    if not await svc.may_prompt(user_id, kind, svc.clock.now()):
        await retire(svc, request_id, role)
        return False
    await send(svc, request_id, role, user_id, text, keyboard)
    return True


async def replace_pressed(update: Update, svc: Services, request_id: int, role: Role, text: str,
                          keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Answer a private press in place of the pressed message, which now carries the live
    buttons (`keyboard`, or none); another message that had them loses them."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is None:
        await svc.out.replace_pressed(update, text, keyboard)
        return
    store = svc.stores.requests
    live = await store.live_message(request_id, role)
    if live is not None and live.message_id != message.message_id:
        await retire(svc, request_id, role)
    if keyboard is not None:
        await store.keep_live(request_id, role, message.chat.id, text, message.message_id)
    else:
        await store.drop_live(request_id, role)
    await svc.out.replace_pressed(update, text, keyboard)


async def known_request(context: Context, request: HelpRequest | None,
                        user_id: int) -> HelpRequest | None:
    """The request as far as the presser may know of it: to someone with no part in it and no
    home in its building it is as unknown as an id nothing has ("not yours", "taken", "closed"
    would each tell that it exists)."""
    if request is None or await knows_of(context, request.building_id, user_id,
                                         request.requester_id, request.helper_id):
        return request
    return None
