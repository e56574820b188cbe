"""A posted request changed by its requester: a new text or time (the card and the helper
follow), or a flat or phone number shared with the helper only."""

from __future__ import annotations

from telegram import Update

from bot.domain.requests import (
    MAX_CONTACT,
    Action,
    HelpRequest,
    RequestDraft,
    RequestStatus,
    TextError,
    When,
    refusal,
    validate_contact,
)
from bot.i18n import Safe, t, tn
from bot.services import Services
from handlers.kit.context import user_language
from handlers.requests.card import card_ref
from handlers.requests.schedule import schedule_request
from handlers.requests.texts import first_name, kind_text, when_text


async def _editable(svc: Services, draft: RequestDraft, action: Action) -> HelpRequest | None:
    """The request the draft edits, if it may still be changed; else the draft goes."""
    store = svc.stores.requests
    request = await store.get(draft.request_id) if draft.request_id else None
    if refusal(action, request, draft.user_id, svc.clock.now()) is not None:
        await store.drop_draft(draft.user_id)
        return None
    return request


async def apply_text_edit(svc: Services, draft: RequestDraft, text: str, lang: str) -> None:
    store = svc.stores.requests
    request = await _editable(svc, draft, Action.EDIT)
    await store.drop_draft(draft.user_id)
    if request is None or not await store.set_description(request.id, text):
        await svc.out.message(draft.user_id, t(lang, "request.edit.closed"))
        return
    await _after_edit(None, svc, request.id, lang)


async def apply_when_edit(update: Update, svc: Services, draft: RequestDraft, when: When,
                          lang: str, *, edit: bool) -> None:
    """`edit`: the time was a button, so the answer replaces the pressed question."""
    store = svc.stores.requests
    request = await _editable(svc, draft, Action.EDIT)
    await store.drop_draft(draft.user_id)
    if request is None or not await store.set_when(request.id, when):
        closed = t(lang, "request.edit.closed")
        if edit:
            await svc.out.replace_pressed(update, closed)
        else:
            await svc.out.message(draft.user_id, closed)
        return
    changed = await store.get(request.id)
    assert changed is not None
    await schedule_request(svc, changed)
    await _after_edit(update if edit else None, svc, request.id, lang)


async def _after_edit(update: Update | None, svc: Services, request_id: int, lang: str) -> None:
    """The card follows the change; a helper already on it hears what changed."""
    await svc.cards.refresh(card_ref(request_id))
    request = await svc.stores.requests.get(request_id)
    assert request is not None
    saved = t(lang, "request.edit.saved")
    if update is not None:
        await svc.out.replace_pressed(update, saved)
    else:
        await svc.out.message(request.requester_id, saved)
    if request.helper_id is not None and request.status is RequestStatus.CLAIMED:
        h_lang = await user_language(svc, request.helper_id)
        await svc.out.private(request.helper_id, t(
            h_lang, "request.edit.helper",
            requester=await first_name(svc, request.requester_id),
            kind=Safe(kind_text(h_lang, request.kind)),
            when=Safe(when_text(h_lang, request.when, svc.settings.zone)),
            description=request.description or "",
        ))


async def apply_contact(svc: Services, draft: RequestDraft, text: str, lang: str) -> str | None:
    """Share a typed contact detail with the helper; what is wrong with it, if it is refused.

    It is kept with the request either way, so a helper who cannot be written to yet sees it
    as soon as they open the bot (the requester is told which of the two it is).
    """
    store = svc.stores.requests
    checked = validate_contact(text)
    if isinstance(checked, TextError):
        return (t(lang, "request.contact.empty") if checked is TextError.EMPTY
                else tn(lang, "request.contact.too_long", MAX_CONTACT))
    request = await _editable(svc, draft, Action.CONTACT)
    await store.drop_draft(draft.user_id)
    if request is None or request.helper_id is None \
            or not await store.set_contact(request.id, checked):
        await svc.out.message(draft.user_id, t(lang, "request.edit.closed"))
        return None
    helper_id = request.helper_id
    helper = await svc.residents.get(helper_id)
    h_lang = await user_language(svc, helper_id)
    await svc.out.private(helper_id, t(
        h_lang, "request.contact.to_helper",
        requester=await first_name(svc, request.requester_id), contact=checked))
    key = ("request.contact.sent" if helper is not None and helper.can_be_messaged
           else "request.contact.later")
    await svc.out.message(draft.user_id, t(lang, key, helper=await first_name(svc, helper_id)))
    return None
