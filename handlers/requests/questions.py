"""The ask flow's questions: the text and buttons of each step, one short question at a time."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.requests import (
    MAX_CONTACT,
    MAX_DESCRIPTION,
    DraftStep,
    HelpRequest,
    RequestDraft,
    RequestKind,
    RequestStatus,
    WhenChoice,
    can_repeat,
)
from bot.i18n import Safe, plain, t, tn
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.requests.card import card_text
from handlers.requests.texts import first_name, when_weekday

KIND_ROWS = (
    (RequestKind.CONTAINER, RequestKind.GROCERIES),
    (RequestKind.TRANSPORT, RequestKind.CHORE),
    (RequestKind.COMPANY, RequestKind.DEVICES),
    (RequestKind.OTHER,),
)
WHEN_KEYS = {
    WhenChoice.TODAY: "request.button.today",
    WhenChoice.TOMORROW: "request.button.tomorrow",
    WhenChoice.WEEK: "request.button.week",
}


def flow_button(lang: str, key: str, *parts: object, **values: object) -> InlineKeyboardButton:
    """A button of the ask flow (`rqf:...`)."""
    return button(plain(lang, key, **values), "rqf", *parts)


def stop_row(lang: str) -> list[InlineKeyboardButton]:
    return [flow_button(lang, "request.button.stop", "stop")]


def when_buttons(lang: str) -> list[InlineKeyboardButton]:
    return [flow_button(lang, key, "w", choice.value) for choice, key in WHEN_KEYS.items()]


def preview_request(draft: RequestDraft) -> HelpRequest:
    """The draft as the card will show it."""
    assert draft.kind is not None and draft.when is not None
    return HelpRequest(
        id=0, building_id=draft.building_id, requester_id=draft.user_id, kind=draft.kind,
        description=draft.description, when=draft.when, anonymous=bool(draft.anonymous),
        on_behalf=bool(draft.on_behalf), series_id=0 if draft.repeat else None,
        status=RequestStatus.OPEN, created_at=draft.updated_at,
    )


async def question(svc: Services, lang: str, draft: RequestDraft) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of the step the draft is at; also used to ask again."""
    step = draft.step
    rows: list[list[InlineKeyboardButton]] = []
    if step is DraftStep.KIND:
        building = await svc.buildings.get(draft.building_id)
        text = t(lang, "request.flow.kind", building=building.title if building else "")
        rows = [[flow_button(lang, f"request.kind.{kind.value}", "k", kind.value) for kind in row]
                for row in KIND_ROWS]
    elif step is DraftStep.TEXT:
        text = tn(lang, "request.flow.text", MAX_DESCRIPTION)
    elif step in (DraftStep.WHEN, DraftStep.EDIT_WHEN):
        text = t(lang, "request.flow.when")
        rows = [when_buttons(lang)]
    elif step is DraftStep.NAME:
        name = await first_name(svc, draft.user_id)
        text = t(lang, "request.flow.name")
        rows = [[flow_button(lang, "request.button.with_name", "n", "name", name=name)],
                [flow_button(lang, "request.button.anonymous", "n", "anon")]]
    elif step is DraftStep.PREVIEW:
        text, rows = await _preview(svc, lang, draft)
    elif step is DraftStep.EDIT_TEXT:
        text = tn(lang, "request.edit.text", MAX_DESCRIPTION)
    else:
        store = svc.stores.requests
        request = await store.get(draft.request_id) if draft.request_id else None
        helper = await first_name(svc, request.helper_id if request else None)
        text = tn(lang, "request.contact.ask", MAX_CONTACT, helper=helper)
    rows.append(stop_row(lang))
    return text, keyboard(*rows)


async def _preview(
    svc: Services, lang: str, draft: RequestDraft
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The card as it will show, with the two less common choices as switches: on behalf of a
    neighbour without a smartphone, and every week on that day."""
    assert draft.when is not None
    zone = svc.settings.zone
    name = await first_name(svc, draft.user_id)
    card = card_text(lang, preview_request(draft), zone, name)
    rows = [[flow_button(lang, "request.button.post", "post")]]
    if draft.on_behalf:
        rows.append([flow_button(lang, "request.button.for_me", "f", "me")])
    else:
        rows.append([flow_button(lang, "request.button.for_other", "f", "other")])
    if can_repeat(draft.when):
        if draft.repeat:
            rows.append([flow_button(lang, "request.button.once", "r", "once")])
        else:
            weekday = Safe(when_weekday(lang, draft.when, zone))
            rows.append([flow_button(lang, "request.button.weekly", "r", "weekly",
                                     weekday=weekday)])
    return t(lang, "request.flow.preview", card=Safe(card)), rows
