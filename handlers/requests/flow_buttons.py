"""The buttons of the ask flow (`rqf:...`): kind, day, name or "een buur", the two switches on
the preview, posting, and stopping. Each press is checked against the resident's draft."""

from __future__ import annotations

from telegram import Update

from bot.domain.requests import (
    DraftStep,
    RequestDraft,
    RequestKind,
    When,
    WhenChoice,
    WhenError,
    can_repeat,
    when_from_choice,
)
from bot.i18n import plain, t
from bot.services import Services
from handlers.kit.buttons import parse_id
from handlers.kit.context import Context, services
from handlers.kit.guards import answer, is_member
from handlers.kit.press import Press
from handlers.requests.edits import apply_when_edit
from handlers.requests.flow import (
    begin,
    current_draft,
    limit_text,
    save_and_show,
    say,
    show,
    stopped_text,
)
from handlers.requests.posting import publish


async def on_flow_button(update: Update, context: Context) -> None:
    press = await Press.open(update, context)
    if press is None:
        return
    if not press.in_own_chat:
        await press.tell("error.stale_button")
        return
    press = await press.remembered()
    svc, user_id, lang = press.svc, press.user.id, press.lang
    store = svc.stores.requests
    action, value = press.part(1), press.part(2)
    if action == "b":
        await _chose_building(update, context, value, lang)
        return
    draft = await current_draft(store, user_id, svc.clock.now())
    if action == "stop":
        await press.answer()
        if draft is not None:
            await store.drop_draft(user_id)
        await say(update, svc, user_id, stopped_text(lang, draft), edit=True)
        return
    if draft is None:
        await press.tell("error.stale_button")
        return
    if action == "w" and draft.step is DraftStep.EDIT_WHEN:
        await _edit_when(update, svc, draft, value, lang)
        return
    if action == "post" and draft.step is DraftStep.PREVIEW:
        await _post(update, context, draft, lang)
        return
    updated = await _next(svc, draft, action, value, lang)
    if isinstance(updated, str):
        await press.answer(updated, alert=True)
        return
    if updated is None:
        await press.tell("error.stale_button")
        return
    await press.answer()
    await save_and_show(update, svc, updated, lang, edit=True)


async def _next(svc: Services, draft: RequestDraft, action: str, value: str,
                lang: str) -> RequestDraft | str | None:
    """The draft after this press; a short reason when the day cannot be; None if stale."""
    step = draft.step
    if action == "k" and step is DraftStep.KIND and value in RequestKind.__members__.values():
        return draft.model_copy(update={"kind": RequestKind(value), "step": DraftStep.TEXT})
    if action == "w" and step is DraftStep.WHEN:
        when = await _chosen_when(svc, draft, value, lang)
        if when is None or isinstance(when, str):
            return when
        return draft.model_copy(update={"when": when, "step": DraftStep.NAME})
    if action == "n" and step is DraftStep.NAME and value in ("name", "anon"):
        return draft.model_copy(update={"anonymous": value == "anon", "step": DraftStep.PREVIEW,
                                        "on_behalf": False, "repeat": False})
    if action == "f" and step is DraftStep.PREVIEW and value in ("me", "other"):
        return draft.model_copy(update={"on_behalf": value == "other"})
    if action == "r" and step is DraftStep.PREVIEW and value in ("once", "weekly") \
            and draft.when is not None and can_repeat(draft.when):
        return draft.model_copy(update={"repeat": value == "weekly"})
    return None


async def _chosen_when(svc: Services, draft: RequestDraft, value: str,
                       lang: str) -> When | str | None:
    """The day a "Vandaag / Morgen / Deze week" press means; a short reason when it cannot be
    (too late today); None for a press that makes no sense."""
    building = await svc.buildings.get(draft.building_id)
    if building is None or value not in WhenChoice.__members__.values():
        return None
    when = when_from_choice(WhenChoice(value), svc.clock.now(), svc.settings.zone,
                            building.settings.quiet_hours)
    if isinstance(when, WhenError):
        return plain(lang, f"request.when_error.{when.value}")
    return when


async def _edit_when(update: Update, svc: Services, draft: RequestDraft, value: str,
                     lang: str) -> None:
    when = await _chosen_when(svc, draft, value, lang)
    if when is None or isinstance(when, str):
        await answer(update, when or plain(lang, "error.stale_button"), show_alert=when is not None)
        return
    await answer(update)
    await apply_when_edit(update, svc, draft, when, lang, edit=True)


async def _chose_building(update: Update, context: Context, value: str, lang: str) -> None:
    user = update.effective_user
    assert user is not None
    building_id = parse_id(value, signed=True)
    if building_id is None or not await is_member(context, building_id, user.id):
        await answer(update, plain(lang, "request.flow.not_member"))
        return
    await answer(update)
    await begin(update, services(context), building_id, edit=True)


async def _post(update: Update, context: Context, draft: RequestDraft, lang: str) -> None:
    """Post once: the draft row is consumed in the same transaction that creates the request."""
    svc = services(context)
    store, now = svc.stores.requests, svc.clock.now()
    if not await is_member(context, draft.building_id, draft.user_id):
        await answer(update, plain(lang, "request.flow.not_member"), show_alert=True)
        return
    refused = await limit_text(svc, lang, draft.user_id, draft.building_id)
    if refused is not None:
        await answer(update, refused, show_alert=True)
        return
    assert draft.when is not None
    if draft.when.due_at <= now:
        past = draft.model_copy(update={"step": DraftStep.WHEN, "when": None, "updated_at": now})
        await store.save_draft(past)
        await answer(update)
        await show(update, svc, past, lang, edit=True, prefix=t(lang, "request.when_error.past"))
        return
    request = await store.post_draft(draft, now)
    if request is None:
        await answer(update, plain(lang, "error.stale_button"))
        return
    await answer(update)
    await publish(update, svc, request, lang)
