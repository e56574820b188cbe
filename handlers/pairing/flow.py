"""The offer and wish flow: a few taps in a private chat (what, which days and parts of the day,
how often), kept as a draft row so a restart loses nothing. It takes no typed text, so it is no
private flow of the kit; every tap is checked against the presser's own draft."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.dates_text import weekday_name
from bot.domain.pairing import (
    MAX_OPEN_WISHES,
    Availability,
    DayPart,
    DraftPurpose,
    DraftStep,
    Frequency,
    Offer,
    PairingDraft,
    PairKind,
    draft_is_stale,
    toggle,
)
from bot.i18n import plain, plainn, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.context import (
    Context,
    services,
    user_language,
)
from handlers.kit.guards import answer, is_member
from handlers.kit.press import Press, Speaks
from handlers.pairing.pairs import schedule_matching
from handlers.pairing.views import KIND_ROWS, offer_card, show, want_text, when_text

CHECK = "✓ "


def _choice(chosen: bool, label: str, *parts: object) -> InlineKeyboardButton:
    """A toggle button: ticked when chosen."""
    return button((CHECK if chosen else "") + label, "pf", *parts)


async def flow_question(svc: Services, lang: str, draft: PairingDraft) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of the step the draft is at."""
    rows: list[list[InlineKeyboardButton]] = []
    offer = draft.purpose is DraftPurpose.OFFER
    if draft.step is DraftStep.KINDS:
        building = await svc.buildings.get(draft.building_id)
        key = "offer.flow.kinds" if offer else "wish.flow.kind"
        text = t(lang, key, building=building.title if building else "")
        rows.extend([_choice(offer and kind in draft.kinds, plain(lang, f"pairing.kind.{kind.value}"),
                             "k", kind.value) for kind in row] for row in KIND_ROWS)
        if offer:
            rows.append([button(plain(lang, "pairing.button.next"), "pf", "next")])
    elif draft.step is DraftStep.WHEN:
        text = t(lang, "pairing.flow.when")
        days = [_choice(day in draft.when.days,
                        weekday_name(lang, day, width="abbreviated", alone=True), "d", day)
                for day in range(7)]
        rows += [days[:4], days[4:]]
        rows.append([_choice(part in draft.when.parts, plain(lang, f"pairing.part_label.{part.value}"),
                             "p", part.value) for part in DayPart])
        rows.append([button(plain(lang, "pairing.button.next"), "pf", "next")])
    else:
        text = t(lang, "offer.flow.often")
        rows.append([button(plain(lang, f"offer.often.{often.value}"), "pf", "f", often.value)
                     for often in Frequency])
    rows.append([button(plain(lang, "pairing.button.stop"), "pf", "stop")])
    return text, keyboard(*rows)


async def begin(update: Update, context: Context, purpose: DraftPurpose, building_id: int,
                *, edit: bool, offer: Offer | None = None) -> None:
    """Start the offer or wish flow for this building (an existing offer fills it in)."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    draft = PairingDraft(
        user_id=user.id, purpose=purpose, step=DraftStep.KINDS, building_id=building_id,
        kinds=offer.kinds if offer else frozenset(), when=offer.when if offer else Availability(),
        frequency=offer.frequency if offer else None, updated_at=svc.clock.now(),
    )
    await svc.stores.pairing.save_draft(draft)
    await show(svc, update, *await flow_question(svc, lang, draft), edit=edit)


async def on_flow_button(update: Update, context: Context) -> None:
    """A tap in the offer or wish flow (`pf:<action>[:<value>]`)."""
    press = await Press.open_own_chat(update, context, "error.not_yours", Speaks.RESIDENT)
    if press is None:
        return
    svc, user_id, lang = press.svc, press.user.id, press.lang
    store = svc.stores.pairing
    now = svc.clock.now()
    draft = await store.draft(user_id)
    if draft is not None and draft_is_stale(draft, now):
        await store.drop_draft(user_id)
        draft = None
    parts = press.parts
    action, value = press.part(1), press.part(2)
    if action == "stop" and len(parts) == 2:
        await press.answer()
        if draft is not None:
            await store.drop_draft(user_id)
        await show(svc, update, t(lang, "pairing.flow.stopped"))
        return
    outcome = None if draft is None or len(parts) > 3 else apply_tap(draft, action, value)
    if draft is None or outcome is None:
        await press.tell("error.stale_button")
        return
    updated, step = outcome
    if step == "incomplete":
        key = "offer.flow.pick_kind" if draft.step is DraftStep.KINDS else "pairing.flow.pick_time"
        await press.tell(key, alert=True)
        return
    updated = updated.model_copy(update={"updated_at": now})
    if step == "finish":
        await finish(update, context, updated, lang)
        return
    await store.save_draft(updated)
    await press.answer()
    await show(svc, update, *await flow_question(svc, lang, updated))


def apply_tap(draft: PairingDraft, action: str, value: str) -> tuple[PairingDraft, str] | None:
    """The draft after this tap, and what comes next: "show" the (same or next) step,
    "incomplete" (something must be chosen first) or "finish". None: the tap does not fit."""
    step, offer = draft.step, draft.purpose is DraftPurpose.OFFER
    if action == "k" and step is DraftStep.KINDS and value in PairKind.__members__.values():
        kind = PairKind(value)
        if offer:
            return draft.model_copy(update={"kinds": toggle(draft.kinds, kind)}), "show"
        return draft.model_copy(update={"kinds": frozenset({kind}), "step": DraftStep.WHEN}), "show"
    if action == "d" and step is DraftStep.WHEN and value in {str(day) for day in range(7)}:
        when = draft.when.model_copy(update={"days": toggle(draft.when.days, int(value))})
        return draft.model_copy(update={"when": when}), "show"
    if action == "p" and step is DraftStep.WHEN and value in DayPart.__members__.values():
        when = draft.when.model_copy(update={"parts": toggle(draft.when.parts, DayPart(value))})
        return draft.model_copy(update={"when": when}), "show"
    if action == "next" and not value and step is DraftStep.KINDS and offer:
        if not draft.kinds:
            return draft, "incomplete"
        return draft.model_copy(update={"step": DraftStep.WHEN}), "show"
    if action == "next" and not value and step is DraftStep.WHEN:
        if not draft.when.complete:
            return draft, "incomplete"
        if offer:
            return draft.model_copy(update={"step": DraftStep.OFTEN}), "show"
        return draft, "finish"
    if action == "f" and step is DraftStep.OFTEN and value in Frequency.__members__.values():
        return draft.model_copy(update={"frequency": Frequency(value)}), "finish"
    return None


async def finish(update: Update, context: Context, draft: PairingDraft, lang: str) -> None:
    """Save the offer (and show it) or the wish; either way, look for a pair soon."""
    svc = services(context)
    store = svc.stores.pairing
    if not await is_member(context, draft.building_id, draft.user_id):
        await store.drop_draft(draft.user_id)
        await answer(update)
        await show(svc, update, t(lang, "pairing.flow.not_member"))
        return
    now = svc.clock.now()
    if draft.purpose is DraftPurpose.OFFER:
        offer = await store.save_offer(draft, now)
        await answer(update)
        text, buttons = await offer_card(svc, lang, offer)
        await show(svc, update, t(lang, "offer.saved") + "\n\n" + text, buttons)
    else:
        kind = next(iter(draft.kinds))
        open_now = [w for w in await store.open_wishes_of(draft.user_id) if w.kind is not kind]
        if len(open_now) >= MAX_OPEN_WISHES:
            await answer(update, plainn(lang, "wish.too_many", MAX_OPEN_WISHES),
                         show_alert=True)
            return
        wish = await store.add_wish(draft, kind, now)
        await answer(update)
        await show(svc, update, t(lang, "wish.saved", want=want_text(lang, wish.kind),
                                  when=when_text(lang, wish.when)))
    await schedule_matching(svc, draft.building_id)
