""""Ik help" on the card: one neighbour takes the request, and the two are introduced privately.

The claim is one atomic change in storage, so when many press at once exactly one helps; the
others hear it is taken.
"""

from __future__ import annotations

import re

from telegram import MaybeInaccessibleMessage, Message, Update

from bot.domain.deeplinks import DeepLink
from bot.domain.requests import Action, HelpRequest, Refusal, RequestStatus, refusal
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import parse_id
from handlers.kit.command import Command
from handlers.kit.context import Context, remember, services, user_language
from handlers.kit.guards import answer, is_member
from handlers.kit.press import Press
from handlers.kit.reach import contact_of, need_start_line
from handlers.requests.card import card_ref
from handlers.requests.keyboards import helper_controls, requester_controls
from handlers.requests.private_buttons import known_request, send
from handlers.requests.texts import helper_intro, refusal_answer, requester_intro
from storage.request_controls import Role

CARD_DATA = re.compile(r"^req:(c|ca):(\d+)$")
PRIVATE_DATA = re.compile(r"^req:pc:(\d+)$")
""""Ik help" on a request shown privately (the resident's menu: help someone)."""
REQUEST_LINK = "req"
"""Deep-link kind that shows requester or helper their part of a request privately."""


async def introduce(svc: Services, request: HelpRequest) -> None:
    """After a claim both hear of each other privately, each with a way to reach the other. A
    helper who never opened the bot gets one line in the group that names nobody, with a link
    only they can open (the requester opened the bot to ask, so needs none)."""
    assert request.helper_id is not None
    requester = await contact_of(svc, request.requester_id)
    helper = await contact_of(svc, request.helper_id)
    r_lang = await user_language(svc, request.requester_id)
    await send(svc, request.id, Role.ASKER, request.requester_id,
               await requester_intro(svc, request, r_lang),
               requester_controls(r_lang, request, helper))
    in_group = await need_start_line(svc, request.building_id, request.helper_id,
                                     key="request.claim.need_start", kind=REQUEST_LINK,
                                     target=str(request.id), reply_to_card=card_ref(request.id))
    h_lang = await user_language(svc, request.helper_id)
    await send(svc, request.id, Role.HELPER, request.helper_id,
               await helper_intro(svc, request, h_lang),
               helper_controls(h_lang, request, requester), fallback=in_group)


async def open_request_link(update: Update, context: Context, link: DeepLink) -> None:
    """The link from the group's line: shows the opener their part, if they have one."""
    command = await Command.open(update, context, record=False)
    if command is None:
        return
    svc, user, lang = command.svc, command.user, command.lang
    request = await svc.stores.requests.get(int(link.target)) if link.target.isdigit() else None
    if request is not None and request.status is RequestStatus.CLAIMED:
        if request.helper_id == user.id:
            requester = await contact_of(svc, request.requester_id)
            await send(svc, request.id, Role.HELPER, user.id,
                       await helper_intro(svc, request, lang),
                       helper_controls(lang, request, requester))
            return
        if request.requester_id == user.id and request.helper_id is not None:
            helper = await contact_of(svc, request.helper_id)
            await send(svc, request.id, Role.ASKER, user.id,
                       await requester_intro(svc, request, lang),
                       requester_controls(lang, request, helper))
            return
    await svc.out.message(user.id, t(lang, "request.link.not_yours"))


async def relay_partner(svc: Services, request_id: int, user_id: int) -> int | None:
    """Whom `user_id` may write to through the bot about this request: the other person, while
    the request is taken."""
    request = await svc.stores.requests.get(request_id)
    if request is None or request.status is not RequestStatus.CLAIMED:
        return None
    if user_id == request.requester_id:
        return request.helper_id
    if user_id == request.helper_id:
        return request.requester_id
    return None


async def on_card_button(update: Update, context: Context) -> None:
    """"Ik help" (or, for a weekly need, this time / every time)."""
    press = await Press.open(update, context)
    if press is None:
        return
    match = CARD_DATA.match(press.data)
    request_id = parse_id(match.group(2)) if match else None
    request = await press.svc.stores.requests.get(request_id) if request_id is not None else None
    chat, message = press.chat, press.query.message
    if (match is None or request is None or chat is None or message is None
            or request.building_id != chat.id
            or not await _on_its_card(press, request, message.message_id)):
        await press.answer(refusal_answer(press.lang, Refusal.GONE))
        return
    await claim(update, context, request, press.lang, every_time=match.group(1) == "ca")


async def _on_its_card(press: Press, request: HelpRequest, message_id: int) -> bool:
    """The press is on the request's own card, not on an older one. Telegram shows a card the
    moment it is sent, but its message id is stored only once the send is answered: a press in
    between can only come from that card (no other message in the group carries this request's
    button), so it counts, and the id is stored now (the delivery stores the same one)."""
    if request.card_message_id is None:
        if not _carries(press.query.message, press.data):
            return False
        await press.svc.stores.requests.set_card(request.id, message_id)
        return True
    return request.card_message_id == message_id


def _carries(message: MaybeInaccessibleMessage | None, data: str) -> bool:
    """The pressed message shows a button with this data (Telegram sends its keyboard along)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    return markup is not None and any(
        button.callback_data == data for row in markup.inline_keyboard for button in row)


async def on_private_claim(update: Update, context: Context) -> None:
    """"Ik help" pressed in the resident's own chat, on a request shown there."""
    press = await Press.open(update, context)
    if press is None:
        return
    match = PRIVATE_DATA.match(press.data)
    request_id = parse_id(match.group(1)) if match else None
    request = await press.svc.stores.requests.get(request_id) if request_id is not None else None
    if request is not None and press.in_own_chat:
        request = await known_request(context, request, press.user.id)
    if request is None or not press.in_own_chat:
        await press.answer(refusal_answer(press.lang, Refusal.GONE))
        return
    await claim(update, context, request, press.lang, every_time=False)


async def claim(update: Update, context: Context, request: HelpRequest, lang: str, *,
                every_time: bool) -> None:
    """Take the request for the presser, if they may: the card changes and both are
    introduced privately."""
    user = update.effective_user
    assert user is not None
    svc = services(context)
    store = svc.stores.requests
    now = svc.clock.now()
    refused = refusal(Action.CLAIM, request, user.id, now)
    if refused is not None:
        await answer(update, refusal_answer(lang, refused, request),
                     show_alert=refused is Refusal.OWN)
        return
    if not await is_member(context, request.building_id, user.id):
        await answer(update, plain(lang, "request.answer.not_member"), show_alert=True)
        return
    await remember(update, context)
    if not await store.claim(request.id, user.id, now):
        again = await store.get(request.id)
        await answer(update, refusal_answer(
            lang, refusal(Action.CLAIM, again, user.id, now) or Refusal.TAKEN))
        return
    if every_time and request.series_id is not None:
        await store.set_standing_helper(request.series_id, user.id)
    await answer(update, plain(lang, "request.answer.claimed"))
    await svc.cards.refresh(card_ref(request.id))
    claimed = await store.get(request.id)
    assert claimed is not None
    await introduce(svc, claimed)
