"""Asking for help privately, one short question at a time, and the typed answers the request
controls wait for (a new text or time, a flat or phone number).

The flow's state is a draft row, so a restart in the middle continues where the resident was.
It is one `PrivateFlow` ("request"): the kit hands it a typed answer or /stop only while this
resident has a draft, so anything else reaches other features untouched.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update

from bot.domain.requests import (
    MAX_DESCRIPTION,
    DraftStep,
    HelpRequest,
    PostingRefusal,
    RequestDraft,
    TextError,
    WhenError,
    draft_is_stale,
    parse_when,
    posting_refusal,
    validate_description,
)
from bot.i18n import t, tn
from bot.services import Services
from handlers.kit.context import Context, remember, resident_language, services, user_language
from handlers.requests.edits import apply_contact, apply_text_edit, apply_when_edit
from handlers.requests.questions import question
from storage.requests import RequestStore

FLOW_NAME = "request"
RATE_WINDOW = timedelta(hours=1)
FLOW_STEPS = frozenset({DraftStep.KIND, DraftStep.TEXT, DraftStep.WHEN, DraftStep.NAME,
                        DraftStep.PREVIEW})
"""The steps of writing a new request (the others wait for an edit of a posted one)."""


async def current_draft(store: RequestStore, user_id: int, now: datetime) -> RequestDraft | None:
    """The resident's draft, unless it was left alone too long (then it is dropped)."""
    draft = await store.draft(user_id)
    if draft is not None and draft_is_stale(draft, now):
        await store.drop_draft(user_id)
        return None
    return draft


async def limit_text(svc: Services, lang: str, user_id: int, building_id: int) -> str | None:
    """Why this resident may not ask in this building now (too many open, too fast), if so."""
    building = await svc.buildings.get(building_id)
    if building is None:
        return t(lang, "request.flow.no_building")
    store, now = svc.stores.requests, svc.clock.now()
    found = posting_refusal(
        await store.active_count(building_id, user_id, now),
        await store.created_since(user_id, now - RATE_WINDOW),
        building.settings.max_open_requests,
    )
    if found is PostingRefusal.TOO_MANY_OPEN:
        return t(lang, "request.limit.too_many_open", count=building.settings.max_open_requests)
    if found is PostingRefusal.TOO_FAST:
        return t(lang, "request.limit.too_fast")
    return None


async def say(update: Update, svc: Services, user_id: int, text: str, *, edit: bool) -> None:
    """In place of the pressed message (`edit`), or as a new message."""
    if edit:
        await svc.out.replace_pressed(update, text)
    else:
        await svc.out.message(user_id, text)


async def show(update: Update, svc: Services, draft: RequestDraft, lang: str, *,
               edit: bool, prefix: str = "") -> None:
    """Show the draft's step: in place of the pressed message, or as a new message."""
    text, keyboard = await question(svc, lang, draft)
    if prefix:
        text = prefix + "\n\n" + text
    if edit:
        await svc.out.replace_pressed(update, text, keyboard)
    else:
        await svc.out.message(draft.user_id, text, keyboard=keyboard)


async def save_and_show(update: Update, svc: Services, draft: RequestDraft, lang: str, *,
                        edit: bool) -> None:
    draft = draft.model_copy(update={"updated_at": svc.clock.now()})
    await svc.stores.requests.save_draft(draft)
    await show(update, svc, draft, lang, edit=edit)


async def begin(update: Update, svc: Services, building_id: int, *, edit: bool = False) -> None:
    """Start a new request for this building (after the limits say it may)."""
    user = update.effective_user
    if user is None:
        return
    lang = await user_language(svc, user.id)
    refused = await limit_text(svc, lang, user.id, building_id)
    if refused is not None:
        await say(update, svc, user.id, refused, edit=edit)
        return
    await svc.flows.begin(user.id, FLOW_NAME)
    draft = RequestDraft(user_id=user.id, step=DraftStep.KIND, building_id=building_id,
                         updated_at=svc.clock.now())
    await svc.stores.requests.save_draft(draft)
    await show(update, svc, draft, lang, edit=edit)


async def start_edit(update: Update, svc: Services, request: HelpRequest, step: DraftStep,
                     lang: str) -> None:
    """Wait for a typed new text, time or contact detail for this request."""
    await svc.flows.begin(request.requester_id, FLOW_NAME)
    draft = RequestDraft(user_id=request.requester_id, step=step, building_id=request.building_id,
                         request_id=request.id, updated_at=svc.clock.now())
    await svc.stores.requests.save_draft(draft)
    await show(update, svc, draft, lang, edit=False)


def stopped_text(lang: str, draft: RequestDraft | None) -> str:
    if draft is not None and draft.step not in FLOW_STEPS:
        return t(lang, "request.edit.stopped")
    return t(lang, "request.flow.stopped")


SHOWN_BACK = 3000
"""A too-long text is shown back to be shortened; a message holds 4096 characters at most."""


def _text_error(lang: str, error: TextError, text: str) -> str:
    """Why the text was not taken; a too-long one comes back whole, to copy and shorten."""
    if error is TextError.EMPTY:
        return t(lang, "request.flow.text_empty")
    if error is TextError.NO_WORDS:
        return t(lang, "request.flow.text_no_words")
    typed = text.strip()
    shown = typed if len(typed) <= SHOWN_BACK else typed[:SHOWN_BACK] + "…"
    return tn(lang, "request.flow.text_too_long", len(typed), limit=MAX_DESCRIPTION,
              text=shown)


class RequestFlow:
    """The ask flow and the typed answers of a posted request's controls, as one private flow."""

    name = FLOW_NAME

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.store = svc.stores.requests

    async def waiting(self, user_id: int) -> bool:
        """Any draft: a typed answer at a button step is ignored, and /stop always ends it."""
        return await current_draft(self.store, user_id, self.svc.clock.now()) is not None

    async def end(self, user_id: int) -> None:
        await self.store.drop_draft(user_id)

    async def on_stop(self, update: Update, context: Context) -> None:
        """/stop leaves the flow (or a pending edit) without posting or changing anything."""
        user = update.effective_user
        if user is None:
            return
        draft = await current_draft(self.store, user.id, self.svc.clock.now())
        if draft is None:
            return
        await self.store.drop_draft(user.id)
        lang = await user_language(self.svc, user.id)
        await self.svc.out.message(user.id, stopped_text(lang, draft))

    async def on_text(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        svc = services(context)
        draft = await current_draft(self.store, user.id, svc.clock.now())
        if draft is None or not draft.step.wants_text:
            return
        lang = resident_language(svc, await remember(update, context))
        text = message.text
        if draft.step in (DraftStep.TEXT, DraftStep.EDIT_TEXT):
            checked = validate_description(text)
            if isinstance(checked, TextError):
                await show(update, svc, draft, lang, edit=False,
                           prefix=_text_error(lang, checked, text))
            elif draft.step is DraftStep.TEXT:
                await save_and_show(update, svc, draft.model_copy(
                    update={"description": checked, "step": DraftStep.WHEN}), lang, edit=False)
            else:
                await apply_text_edit(svc, draft, checked, lang)
        elif draft.step in (DraftStep.WHEN, DraftStep.EDIT_WHEN):
            building = await svc.buildings.get(draft.building_id)
            if building is None:
                await self.store.drop_draft(user.id)
                return
            when = parse_when(text, svc.clock.now(), svc.settings.zone,
                              building.settings.quiet_hours, lang)
            if isinstance(when, WhenError):
                await show(update, svc, draft, lang, edit=False,
                           prefix=t(lang, f"request.when_error.{when.value}"))
            elif draft.step is DraftStep.WHEN:
                await save_and_show(update, svc, draft.model_copy(
                    update={"when": when, "step": DraftStep.NAME}), lang, edit=False)
            else:
                await apply_when_edit(update, svc, draft, when, lang, edit=False)
        else:
            problem = await apply_contact(svc, draft, text, lang)
            if problem is not None:
                await show(update, svc, draft, lang, edit=False, prefix=problem)
