"""Asking for help in a private chat, one short question at a time, and the typed answers the
request controls wait for (a new text or time, a flat or phone number).

The flow's state is a draft row, so a restart in the middle continues where the resident was.
Typed text is read in its own handler group and only when this resident's draft waits for text;
anything else falls through to other features untouched.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.deeplinks import DeepLink, link_url
from bot.domain.requests import (
    MAX_CONTACT,
    MAX_DESCRIPTION,
    Action,
    DraftStep,
    HelpRequest,
    PostingRefusal,
    RequestDraft,
    RequestKind,
    RequestStatus,
    TextError,
    When,
    WhenChoice,
    WhenError,
    can_repeat,
    draft_is_stale,
    parse_when,
    posting_refusal,
    refusal,
    validate_contact,
    validate_description,
    when_from_choice,
)
from bot.i18n import Safe, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers import order
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_member,
    language_for,
    remember,
    resident_language,
    send_private,
    services,
    user_language,
)
from handlers.request_cards import (
    card_text,
    first_name,
    publish,
    refresh_card,
    request_store,
    schedule_request,
    weekday_name,
    when_text,
)
from storage.requests import RequestStore

COMMANDS = [MenuCommand({"nl": "vraag", "en": "ask"}, "cmd.request")]
TEXT_GROUP = order.REQUEST_TEXT
RATE_WINDOW = timedelta(hours=1)
KIND_ROWS = (
    (RequestKind.CONTAINER, RequestKind.GROCERIES),
    (RequestKind.TRANSPORT, RequestKind.CHORE),
    (RequestKind.COMPANY, RequestKind.DEVICES),
    (RequestKind.OTHER,),
)


def _button(lang: str, key: str, *parts: object, **values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(lang, key, **values), callback_data=callback_data(*parts))


def _stop_row(lang: str) -> list[InlineKeyboardButton]:
    return [_button(lang, "request.button.stop", "rqf", "stop")]


def when_buttons(lang: str, prefix: tuple[object, ...]) -> list[InlineKeyboardButton]:
    return [
        _button(lang, "request.button.today", *prefix, WhenChoice.TODAY.value),
        _button(lang, "request.button.tomorrow", *prefix, WhenChoice.TOMORROW.value),
        _button(lang, "request.button.week", *prefix, WhenChoice.WEEK.value),
    ]


def preview_request(draft: RequestDraft) -> HelpRequest:
    """The draft as the card will show it."""
    assert draft.kind is not None and draft.when is not None
    return HelpRequest(
        id=0, building_id=draft.building_id, requester_id=draft.user_id, kind=draft.kind,
        description=draft.description, when=draft.when, anonymous=bool(draft.anonymous),
        on_behalf=bool(draft.on_behalf), series_id=0 if draft.repeat else None,
        status=RequestStatus.OPEN, created_at=draft.updated_at,
    )


async def question(
    svc: Services, store: RequestStore, lang: str, draft: RequestDraft
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of the step the draft is at; also used to ask again."""
    step = draft.step
    rows: list[list[InlineKeyboardButton]] = []
    if step is DraftStep.KIND:
        building = await svc.buildings.get(draft.building_id)
        text = t(lang, "request.flow.kind", building=building.title if building else "")
        rows = [[_button(lang, f"request.kind.{kind.value}", "rqf", "k", kind.value)
                 for kind in row] for row in KIND_ROWS]
    elif step is DraftStep.TEXT:
        text = t(lang, "request.flow.text", limit=MAX_DESCRIPTION)
    elif step in (DraftStep.WHEN, DraftStep.EDIT_WHEN):
        text = t(lang, "request.flow.when")
        rows = [when_buttons(lang, ("rqf", "w"))]
    elif step is DraftStep.NAME:
        name = await first_name(svc, draft.user_id)
        text = t(lang, "request.flow.name")
        rows = [[_button(lang, "request.button.with_name", "rqf", "n", "name", name=name)],
                [_button(lang, "request.button.anonymous", "rqf", "n", "anon")]]
    elif step is DraftStep.PREVIEW:
        text, rows = await _preview(svc, lang, draft)
    elif step is DraftStep.EDIT_TEXT:
        text = t(lang, "request.edit.text", limit=MAX_DESCRIPTION)
    else:
        request = await store.get(draft.request_id) if draft.request_id else None
        helper = await first_name(svc, request.helper_id if request else None)
        text = t(lang, "request.contact.ask", helper=helper, limit=MAX_CONTACT)
    rows.append(_stop_row(lang))
    return text, InlineKeyboardMarkup(rows)


async def _preview(
    svc: Services, lang: str, draft: RequestDraft
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The card as it will show, with the two less common choices as switches: on behalf of a
    neighbour without a smartphone, and every week on that day."""
    assert draft.when is not None
    zone = svc.settings.zone
    name = await first_name(svc, draft.user_id)
    card = card_text(lang, preview_request(draft), zone, name)
    rows = [[_button(lang, "request.button.post", "rqf", "post")]]
    if draft.on_behalf:
        rows.append([_button(lang, "request.button.for_me", "rqf", "f", "me")])
    else:
        rows.append([_button(lang, "request.button.for_other", "rqf", "f", "other")])
    if can_repeat(draft.when):
        weekday = Safe(weekday_name(lang, draft.when, zone))
        if draft.repeat:
            rows.append([_button(lang, "request.button.once", "rqf", "r", "once")])
        else:
            rows.append([_button(lang, "request.button.weekly", "rqf", "r", "weekly",
                                 weekday=weekday)])
    return t(lang, "request.flow.preview", card=Safe(card)), rows


async def _ask(
    update: Update, context: Context, draft: RequestDraft, lang: str, *,
    edit: bool, prefix: str = "",
) -> None:
    """Show the draft's step: in place of the pressed message, or as a new message."""
    svc, store = services(context), request_store(context)
    text, keyboard = await question(svc, store, lang, draft)
    if prefix:
        text = prefix + "\n\n" + text
    query = update.callback_query
    if edit and query is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest:
            pass
    await context.bot.send_message(draft.user_id, text, reply_markup=keyboard)


async def current_draft(store: RequestStore, user_id: int, now: datetime) -> RequestDraft | None:
    """The resident's draft, unless it was left alone too long (then it is dropped)."""
    draft = await store.draft(user_id)
    if draft is not None and draft_is_stale(draft, now):
        await store.drop_draft(user_id)
        return None
    return draft


async def _limit_text(svc: Services, store: RequestStore, lang: str, user_id: int,
                      building_id: int) -> str | None:
    building = await svc.buildings.get(building_id)
    if building is None:
        return t(lang, "request.flow.no_building")
    now = svc.clock.now()
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


async def begin(update: Update, context: Context, building_id: int, *, edit: bool = False) -> None:
    """Start a new request for this building (after the limits say it may)."""
    user = update.effective_user
    if user is None:
        return
    svc, store = services(context), request_store(context)
    lang = await user_language(svc, user.id)
    refused = await _limit_text(svc, store, lang, user.id, building_id)
    if refused is not None:
        await _say(update, context, user.id, refused, edit=edit)
        return
    draft = RequestDraft(user_id=user.id, step=DraftStep.KIND, building_id=building_id,
                         updated_at=svc.clock.now())
    await store.save_draft(draft)
    await _ask(update, context, draft, lang, edit=edit)


async def _say(update: Update, context: Context, user_id: int, text: str, *, edit: bool) -> None:
    query = update.callback_query
    if edit and query is not None:
        try:
            await query.edit_message_text(text)
            return
        except BadRequest:
            pass
    await context.bot.send_message(user_id, text)


async def ask_in_group(update: Update, context: Context) -> None:
    """In the group: one short line with a button that continues privately."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    await remember(update, context)
    if await svc.buildings.get(chat.id) is None:
        return
    lang = await language_for(update, context)
    await message.reply_text(t(lang, "request.group.go_private"),
                             reply_markup=await ask_keyboard(svc, chat.id, lang))


async def ask_keyboard(svc: Services, building_id: int, lang: str) -> InlineKeyboardMarkup:
    """The "Vraag hulp" button of a building: a standing deep link into the ask flow."""
    link = await svc.deep_links.reusable("ask", building_id, "", svc.clock.now())
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "request.button.ask"), url=link_url(svc.bot_username, link.token))]])


async def ask_in_private(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    svc, store = services(context), request_store(context)
    resident = await remember(update, context)
    await svc.residents.mark_started(user.id, svc.clock.now())
    lang = resident_language(svc, resident)
    draft = await current_draft(store, user.id, svc.clock.now())
    if draft is not None and draft.step in FLOW_STEPS:
        await _ask(update, context, draft, lang, edit=False, prefix=t(lang, "request.flow.continue"))
        return
    buildings = await svc.memberships.buildings_of(user.id)
    if not buildings:
        await context.bot.send_message(user.id, t(lang, "request.flow.no_building"))
        return
    if len(buildings) == 1:
        await begin(update, context, buildings[0])
        return
    rows = []
    for building_id in buildings:
        building = await svc.buildings.get(building_id)
        if building is not None:
            rows.append([InlineKeyboardButton(
                building.title or str(building_id),
                callback_data=callback_data("rqf", "b", building_id))])
    rows.append(_stop_row(lang))
    await context.bot.send_message(user.id, t(lang, "request.flow.choose_building"),
                                   reply_markup=InlineKeyboardMarkup(rows))


async def open_ask_link(update: Update, context: Context, link: DeepLink) -> None:
    """The "Vraag hulp" deep link of a building."""
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    if not await is_member(context, link.building_id, user.id):
        await context.bot.send_message(user.id, t(lang, "request.flow.not_member"))
        return
    store = request_store(context)
    draft = await current_draft(store, user.id, svc.clock.now())
    if (draft is not None and draft.step in FLOW_STEPS
            and draft.building_id == link.building_id):
        await _ask(update, context, draft, lang, edit=False, prefix=t(lang, "request.flow.continue"))
        return
    await begin(update, context, link.building_id)


FLOW_STEPS = frozenset({DraftStep.KIND, DraftStep.TEXT, DraftStep.WHEN, DraftStep.NAME,
                        DraftStep.PREVIEW})


async def on_flow_button(update: Update, context: Context) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None or is_group(update.effective_chat):
        await answer(update)
        return
    svc, store = services(context), request_store(context)
    resident = await remember(update, context)
    lang = resident_language(svc, resident)
    parts = query.data.split(":")
    action, value = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
    if action == "b":
        await _chose_building(update, context, value, lang)
        return
    draft = await current_draft(store, user.id, svc.clock.now())
    if action == "stop":
        await answer(update)
        if draft is not None:
            await store.drop_draft(user.id)
        await _say(update, context, user.id, _stopped_text(lang, draft), edit=True)
        return
    if draft is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    now = svc.clock.now()
    step = draft.step
    updated: RequestDraft | None = None
    if action == "k" and step is DraftStep.KIND and value in RequestKind.__members__.values():
        updated = draft.model_copy(update={"kind": RequestKind(value), "step": DraftStep.TEXT})
    elif action == "w" and step in (DraftStep.WHEN, DraftStep.EDIT_WHEN) \
            and value in WhenChoice.__members__.values():
        building = await svc.buildings.get(draft.building_id)
        if building is None:
            await answer(update, t(lang, "error.stale_button"))
            return
        when = when_from_choice(WhenChoice(value), now, svc.settings.zone,
                                building.settings.quiet_hours)
        if isinstance(when, WhenError):
            await answer(update, t(lang, f"request.when_error.{when.value}"), show_alert=True)
            return
        if step is DraftStep.EDIT_WHEN:
            await answer(update)
            await _apply_when_edit(update, context, draft, when, lang, edit=True)
            return
        updated = draft.model_copy(update={"when": when, "step": DraftStep.NAME})
    elif action == "n" and step is DraftStep.NAME and value in ("name", "anon"):
        updated = draft.model_copy(update={"anonymous": value == "anon", "step": DraftStep.PREVIEW,
                                           "on_behalf": False, "repeat": False})
    elif action == "f" and step is DraftStep.PREVIEW and value in ("me", "other"):
        updated = draft.model_copy(update={"on_behalf": value == "other"})
    elif action == "r" and step is DraftStep.PREVIEW and value in ("once", "weekly") \
            and draft.when is not None and can_repeat(draft.when):
        updated = draft.model_copy(update={"repeat": value == "weekly"})
    elif action == "post" and step is DraftStep.PREVIEW:
        await _post(update, context, draft, lang)
        return
    if updated is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    updated = updated.model_copy(update={"updated_at": now})
    await store.save_draft(updated)
    await answer(update)
    await _ask(update, context, updated, lang, edit=True)


def _stopped_text(lang: str, draft: RequestDraft | None) -> str:
    if draft is not None and draft.step not in FLOW_STEPS:
        return t(lang, "request.edit.stopped")
    return t(lang, "request.flow.stopped")


async def _chose_building(update: Update, context: Context, value: str, lang: str) -> None:
    user = update.effective_user
    assert user is not None
    if not value.lstrip("-").isdigit() or not await is_member(context, int(value), user.id):
        await answer(update, t(lang, "request.flow.not_member"))
        return
    await answer(update)
    await begin(update, context, int(value), edit=True)


async def _post(update: Update, context: Context, draft: RequestDraft, lang: str) -> None:
    """Post once: the draft row is consumed in the same transaction that creates the request."""
    svc, store = services(context), request_store(context)
    user_id = draft.user_id
    now = svc.clock.now()
    if not await is_member(context, draft.building_id, user_id):
        await answer(update, t(lang, "request.flow.not_member"), show_alert=True)
        return
    refused = await _limit_text(svc, store, lang, user_id, draft.building_id)
    if refused is not None:
        await answer(update, refused, show_alert=True)
        return
    assert draft.when is not None
    if draft.when.due_at <= now:
        past = draft.model_copy(update={"step": DraftStep.WHEN, "when": None, "updated_at": now})
        await store.save_draft(past)
        await answer(update)
        await _ask(update, context, past, lang, edit=True,
                   prefix=t(lang, "request.when_error.past"))
        return
    request = await store.post_draft(draft, now)
    if request is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    await answer(update)
    await publish(update, context, request, lang)


async def start_edit(update: Update, context: Context, request: HelpRequest, step: DraftStep,
                     lang: str) -> None:
    """Wait for a typed new text, time or contact detail for this request."""
    svc, store = services(context), request_store(context)
    draft = RequestDraft(user_id=request.requester_id, step=step, building_id=request.building_id,
                         request_id=request.id, updated_at=svc.clock.now())
    await store.save_draft(draft)
    await _ask(update, context, draft, lang, edit=False)


async def on_text(update: Update, context: Context) -> None:
    """A typed answer, if this resident's draft is waiting for one; otherwise not ours."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    store, svc = request_store(context), services(context)
    draft = await current_draft(store, user.id, svc.clock.now())
    if draft is None or not draft.step.wants_text:
        return
    lang = resident_language(svc, await remember(update, context))
    text = message.text
    if draft.step in (DraftStep.TEXT, DraftStep.EDIT_TEXT):
        checked = validate_description(text)
        if isinstance(checked, TextError):
            await _ask_again(update, context, draft, lang, _text_error(lang, checked, text))
        elif draft.step is DraftStep.TEXT:
            await _advance(update, context, draft.model_copy(
                update={"description": checked, "step": DraftStep.WHEN}), lang)
        else:
            await _apply_text_edit(update, context, draft, checked, lang)
    elif draft.step in (DraftStep.WHEN, DraftStep.EDIT_WHEN):
        building = await svc.buildings.get(draft.building_id)
        if building is None:
            await store.drop_draft(user.id)
            return
        when = parse_when(text, svc.clock.now(), svc.settings.zone, building.settings.quiet_hours)
        if isinstance(when, WhenError):
            await _ask_again(update, context, draft, lang, t(lang, f"request.when_error.{when.value}"))
        elif draft.step is DraftStep.WHEN:
            await _advance(update, context, draft.model_copy(
                update={"when": when, "step": DraftStep.NAME}), lang)
        else:
            await _apply_when_edit(update, context, draft, when, lang, edit=False)
    else:
        await _apply_contact(update, context, draft, text, lang)


def _text_error(lang: str, error: TextError, text: str) -> str:
    if error is TextError.EMPTY:
        return t(lang, "request.flow.text_empty")
    return t(lang, "request.flow.text_too_long", length=len(text.strip()), limit=MAX_DESCRIPTION)


async def _ask_again(update: Update, context: Context, draft: RequestDraft, lang: str,
                     problem: str) -> None:
    await _ask(update, context, draft, lang, edit=False, prefix=problem)


async def _advance(update: Update, context: Context, draft: RequestDraft, lang: str) -> None:
    svc, store = services(context), request_store(context)
    draft = draft.model_copy(update={"updated_at": svc.clock.now()})
    await store.save_draft(draft)
    await _ask(update, context, draft, lang, edit=False)


async def _editable(context: Context, draft: RequestDraft, action: Action) -> HelpRequest | None:
    store, svc = request_store(context), services(context)
    request = await store.get(draft.request_id) if draft.request_id else None
    if refusal(action, request, draft.user_id, svc.clock.now()) is not None:
        await store.drop_draft(draft.user_id)
        return None
    return request


async def _apply_text_edit(update: Update, context: Context, draft: RequestDraft, text: str,
                           lang: str) -> None:
    store = request_store(context)
    request = await _editable(context, draft, Action.EDIT)
    if request is None or not await store.set_description(request.id, text):
        await store.drop_draft(draft.user_id)
        await context.bot.send_message(draft.user_id, t(lang, "request.edit.closed"))
        return
    await store.drop_draft(draft.user_id)
    await _after_edit(context, request.id, lang)


async def _apply_when_edit(update: Update, context: Context, draft: RequestDraft, when: When,
                           lang: str, *, edit: bool) -> None:
    store = request_store(context)
    request = await _editable(context, draft, Action.EDIT)
    if request is None or not await store.set_when(request.id, when):
        await store.drop_draft(draft.user_id)
        await _say(update, context, draft.user_id, t(lang, "request.edit.closed"), edit=edit)
        return
    await store.drop_draft(draft.user_id)
    changed = await store.get(request.id)
    assert changed is not None
    await schedule_request(services(context), changed)
    await _after_edit(context, request.id, lang, update=update if edit else None)


async def _after_edit(context: Context, request_id: int, lang: str,
                      update: Update | None = None) -> None:
    """The card follows the change; a helper already on it hears what changed."""
    svc, store = services(context), request_store(context)
    await refresh_card(context.bot, svc, store, request_id)
    request = await store.get(request_id)
    assert request is not None
    saved = t(lang, "request.edit.saved")
    if update is not None:
        await _say(update, context, request.requester_id, saved, edit=True)
    else:
        await context.bot.send_message(request.requester_id, saved)
    if request.helper_id is not None and request.status is RequestStatus.CLAIMED:
        helper = await svc.residents.get(request.helper_id)
        helper_lang = resident_language(svc, helper)
        await send_private(context, request.helper_id, t(
            helper_lang, "request.edit.helper",
            requester=await first_name(svc, request.requester_id),
            kind=t(helper_lang, f"request.kind.{request.kind.value}"),
            when=Safe(when_text(helper_lang, request.when, svc.settings.zone)),
            description=request.description or "",
        ))


async def _apply_contact(update: Update, context: Context, draft: RequestDraft, text: str,
                         lang: str) -> None:
    store, svc = request_store(context), services(context)
    checked = validate_contact(text)
    if isinstance(checked, TextError):
        problem = (t(lang, "request.contact.empty") if checked is TextError.EMPTY
                   else t(lang, "request.contact.too_long", limit=MAX_CONTACT))
        await _ask_again(update, context, draft, lang, problem)
        return
    request = await _editable(context, draft, Action.CONTACT)
    if request is None or request.helper_id is None \
            or not await store.set_contact(request.id, checked):
        await store.drop_draft(draft.user_id)
        await context.bot.send_message(draft.user_id, t(lang, "request.edit.closed"))
        return
    await store.drop_draft(draft.user_id)
    helper_id = request.helper_id
    helper_name = await first_name(svc, helper_id)
    helper_lang = await user_language(svc, helper_id)
    sent: Message | None = await send_private(context, helper_id, t(
        helper_lang, "request.contact.to_helper",
        requester=await first_name(svc, request.requester_id), contact=checked))
    key = "request.contact.sent" if sent is not None else "request.contact.later"
    await context.bot.send_message(draft.user_id, t(lang, key, helper=helper_name))


async def stop_command(update: Update, context: Context) -> None:
    """/stop leaves the flow (or a pending edit) without posting or changing anything."""
    user = update.effective_user
    if user is None:
        return
    store, svc = request_store(context), services(context)
    draft = await current_draft(store, user.id, svc.clock.now())
    if draft is None:
        return
    await store.drop_draft(user.id)
    lang = await user_language(svc, user.id)
    await context.bot.send_message(user.id, _stopped_text(lang, draft))


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes["ask"] = open_ask_link
    app.add_handler(CommandHandler(["vraag", "ask"], ask_in_group, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler(["vraag", "ask"], ask_in_private,
                                   filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_flow_button, pattern=r"^rqf:"))
    app.add_handler(CommandHandler(["stop"], stop_command, filters=filters.ChatType.PRIVATE),
                    group=TEXT_GROUP)
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_text),
        group=TEXT_GROUP,
    )
