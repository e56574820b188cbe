"""/aanbod (/offer): what a resident likes to do for neighbours, and the wish flow of
/vastebuur: both are a few taps in a private chat, stored as a draft row so a restart loses
nothing. Offers are never shown to anyone else; they only feed the suggestions of pairing.

In a group, /aanbod posts one short line with a button that continues privately.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.deeplinks import DeepLink, link_url
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
from bot.i18n import Safe, t
from bot.menu import MenuCommand
from bot.services import Services
from handlers.common import (
    Context,
    answer,
    callback_data,
    is_group,
    is_member,
    language_for,
    remember,
    resident_language,
    services,
    user_language,
)
from storage.pairing import PairingStore

COMMANDS = [MenuCommand({"nl": "aanbod", "en": "offer"}, "cmd.offer")]
OFFER_LINK = "offer"
MATCH_KIND = "pairing.match"
KIND_ROWS: tuple[tuple[PairKind, ...], ...] = (
    (PairKind.CONTAINER, PairKind.GROCERIES),
    (PairKind.TRANSPORT, PairKind.CHORE),
    (PairKind.COMPANY, PairKind.DEVICES),
    (PairKind.LOOKOUT, PairKind.BUDDY),
    (PairKind.OTHER,),
)
CHECK = "✓ "


# --- words for kinds and times (shared with the pairing handlers) -----------------------------

def kind_label(lang: str, kind: PairKind) -> str:
    return t(lang, f"pairing.kind.{kind.value}")


def want_text(lang: str, kind: PairKind) -> str:
    """The kind inside a sentence: "Een buur zoekt <gezelschap> ..."."""
    return t(lang, f"pairing.want.{kind.value}")


def _or_list(lang: str, words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return t(lang, "pairing.or_list", first=", ".join(words[:-1]), last=words[-1])


def when_text(lang: str, when: Availability) -> str:
    """" op donderdagmiddag" or " op maandag of donderdag (middag of avond)"; empty when the
    two will agree on days themselves."""
    if not when.complete:
        return ""
    days = [t(lang, f"pairing.day.{day}") for day in sorted(when.days)]
    parts = [t(lang, f"pairing.part.{part.value}") for part in DayPart if part in when.parts]
    if len(days) == 1 and len(parts) == 1:
        return t(lang, "pairing.when.one", day=days[0], part=parts[0])
    if len(days) == 7:
        return t(lang, "pairing.when.any_day", parts=_or_list(lang, parts))
    return t(lang, "pairing.when.many", days=_or_list(lang, days), parts=_or_list(lang, parts))


def kinds_text(lang: str, kinds: Iterable[PairKind]) -> str:
    chosen = set(kinds)
    return ", ".join(kind_label(lang, kind) for kind in PairKind if kind in chosen)


def store_of(svc: Services) -> PairingStore:
    return PairingStore(svc.db)


async def schedule_matching(svc: Services, building_id: int) -> None:
    """Look for a pair soon: as a schedule row, so a suggestion never goes out at night."""
    await svc.scheduler.add(MATCH_KIND, f"b:{building_id}:{secrets.token_hex(6)}",
                            svc.clock.now(), building_id=building_id)


async def reply(update: Update, context: Context, text: str,
                keyboard: InlineKeyboardMarkup | None = None, *, edit: bool = True) -> None:
    """In place of the pressed message when there is one, else as a new message."""
    query, user = update.callback_query, update.effective_user
    if edit and query is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
    if user is not None:
        await context.bot.send_message(user.id, text, reply_markup=keyboard)


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback_data(*parts))


async def go_private_line(update: Update, context: Context, link_kind: str, key: str) -> None:
    """In a group: one short line with a button that opens the private chat for this."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = services(context)
    await remember(update, context)
    if await svc.buildings.get(chat.id) is None:
        return
    lang = await language_for(update, context)
    link = await svc.deep_links.reusable(link_kind, chat.id, "", svc.clock.now())
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "button.open_private"), url=link_url(svc.bot_username, link.token))]])
    await message.reply_text(t(lang, key), reply_markup=keyboard)


async def building_choice(svc: Services, lang: str, buildings: list[int],
                          prefix: str) -> InlineKeyboardMarkup:
    rows = []
    for building_id in buildings:
        building = await svc.buildings.get(building_id)
        if building is not None:
            rows.append([_button(building.title or str(building_id), prefix, "b", building_id)])
    return InlineKeyboardMarkup(rows)


# --- the flow: kinds, days and parts of the day, how often ----------------------------------

async def flow_question(svc: Services, lang: str, draft: PairingDraft) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of the step the draft is at."""
    rows: list[list[InlineKeyboardButton]] = []
    offer = draft.purpose is DraftPurpose.OFFER
    if draft.step is DraftStep.KINDS:
        building = await svc.buildings.get(draft.building_id)
        title = building.title if building else ""
        key = "offer.flow.kinds" if offer else "wish.flow.kind"
        text = t(lang, key, building=title)
        for row in KIND_ROWS:
            rows.append([
                _button((CHECK if offer and kind in draft.kinds else "") + kind_label(lang, kind),
                        "pf", "k", kind.value)
                for kind in row
            ])
        if offer:
            rows.append([_button(t(lang, "pairing.button.next"), "pf", "next")])
    elif draft.step is DraftStep.WHEN:
        text = t(lang, "pairing.flow.when")
        days = [_button((CHECK if day in draft.when.days else "") + t(lang, f"pairing.day_short.{day}"),
                        "pf", "d", day) for day in range(7)]
        rows.append(days[:4])
        rows.append(days[4:])
        rows.append([_button((CHECK if part in draft.when.parts else "")
                             + t(lang, f"pairing.part_label.{part.value}"), "pf", "p", part.value)
                     for part in DayPart])
        done = "pairing.button.next" if offer else "wish.button.done"
        rows.append([_button(t(lang, done), "pf", "next")])
    else:
        text = t(lang, "offer.flow.often")
        rows.append([_button(t(lang, f"offer.often.{often.value}"), "pf", "f", often.value)
                     for often in Frequency])
    rows.append([_button(t(lang, "pairing.button.stop"), "pf", "stop")])
    return text, InlineKeyboardMarkup(rows)


async def show_step(update: Update, context: Context, draft: PairingDraft, lang: str, *,
                    edit: bool, prefix: str = "") -> None:
    text, keyboard = await flow_question(services(context), lang, draft)
    await reply(update, context, (prefix + "\n\n" + text) if prefix else text, keyboard, edit=edit)


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
    await store_of(svc).save_draft(draft)
    await show_step(update, context, draft, lang, edit=edit)


async def on_flow_button(update: Update, context: Context) -> None:
    """A tap in the offer or wish flow: checked against the presser's own draft."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    lang = resident_language(svc, await remember(update, context))
    if is_group(update.effective_chat):
        await answer(update, t(lang, "error.not_yours"))
        return
    store = store_of(svc)
    now = svc.clock.now()
    draft = await store.draft(user.id)
    if draft is not None and draft_is_stale(draft, now):
        await store.drop_draft(user.id)
        draft = None
    parts = (query.data or "").split(":")
    action, value = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
    if action == "stop" and len(parts) == 2:
        await answer(update)
        if draft is not None:
            await store.drop_draft(user.id)
        await reply(update, context, t(lang, "pairing.flow.stopped"))
        return
    outcome = None if draft is None or len(parts) > 3 else apply_tap(draft, action, value)
    if draft is None or outcome is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    updated, step = outcome
    if step == "incomplete":
        key = "offer.flow.pick_kind" if draft.step is DraftStep.KINDS else "pairing.flow.pick_time"
        await answer(update, t(lang, key), show_alert=True)
        return
    updated = updated.model_copy(update={"updated_at": now})
    if step == "finish":
        await _finish(update, context, updated, lang)
        return
    await store.save_draft(updated)
    await answer(update)
    await show_step(update, context, updated, lang, edit=True)


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


async def _finish(update: Update, context: Context, draft: PairingDraft, lang: str) -> None:
    svc = services(context)
    store = store_of(svc)
    if not await is_member(context, draft.building_id, draft.user_id):
        await store.drop_draft(draft.user_id)
        await answer(update)
        await reply(update, context, t(lang, "pairing.flow.not_member"))
        return
    now = svc.clock.now()
    if draft.purpose is DraftPurpose.OFFER:
        offer = await store.save_offer(draft, now)
        await answer(update)
        text, keyboard = await offer_card(svc, lang, offer)
        await reply(update, context, t(lang, "offer.saved") + "\n\n" + text, keyboard)
    else:
        kind = next(iter(draft.kinds))
        open_now = [w for w in await store.open_wishes_of(draft.user_id) if w.kind is not kind]
        if len(open_now) >= MAX_OPEN_WISHES:
            await answer(update, t(lang, "wish.too_many", count=MAX_OPEN_WISHES), show_alert=True)
            return
        wish = await store.add_wish(draft, kind, now)
        await answer(update)
        await reply(update, context, t(lang, "wish.saved", want=want_text(lang, wish.kind),
                                       when=Safe(when_text(lang, wish.when))))
    await schedule_matching(svc, draft.building_id)


# --- the offer itself: see, change, pause, remove ---------------------------------------------

async def offer_card(svc: Services, lang: str, offer: Offer) -> tuple[str, InlineKeyboardMarkup]:
    building = await svc.buildings.get(offer.building_id)
    text = t(lang, "offer.card", building=building.title if building else "",
             kinds=kinds_text(lang, offer.kinds), when=Safe(when_text(lang, offer.when)),
             often=t(lang, f"offer.often.{offer.frequency.value}"))
    if offer.paused:
        text += "\n" + t(lang, "offer.card.paused")
    bid = offer.building_id
    pause = (_button(t(lang, "offer.button.resume"), "off", "on", bid) if offer.paused
             else _button(t(lang, "offer.button.pause"), "off", "pause", bid))
    keyboard = InlineKeyboardMarkup([
        [_button(t(lang, "offer.button.change"), "off", "edit", bid), pause],
        [_button(t(lang, "offer.button.remove"), "off", "del", bid)],
    ])
    return text, keyboard


async def show_offer(update: Update, context: Context, building_id: int, *, edit: bool) -> None:
    """The resident's offer for this building, or the flow to make one."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    offer = await store_of(svc).offer(building_id, user.id)
    if offer is None:
        await begin(update, context, DraftPurpose.OFFER, building_id, edit=edit)
        return
    text, keyboard = await offer_card(svc, lang, offer)
    await reply(update, context, text, keyboard, edit=edit)


async def offer_command(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await go_private_line(update, context, OFFER_LINK, "offer.group.go_private")
        return
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    resident = await remember(update, context)
    await svc.residents.mark_started(user.id, svc.clock.now())
    lang = resident_language(svc, resident)
    buildings = await svc.memberships.buildings_of(user.id)
    if not buildings:
        await context.bot.send_message(user.id, t(lang, "pairing.no_building"))
    elif len(buildings) == 1:
        await show_offer(update, context, buildings[0], edit=False)
    else:
        await context.bot.send_message(user.id, t(lang, "offer.choose_building"),
                                       reply_markup=await building_choice(svc, lang, buildings, "off"))


async def open_offer_link(update: Update, context: Context, link: DeepLink) -> None:
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    if not await is_member(context, link.building_id, user.id):
        await context.bot.send_message(user.id, t(lang, "pairing.flow.not_member"))
        return
    await show_offer(update, context, link.building_id, edit=False)


async def on_offer_button(update: Update, context: Context) -> None:
    """Change, pause or remove one's own offer; each press acts only on the presser's offer."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    lang = resident_language(svc, await remember(update, context))
    parts = (query.data or "").split(":")
    if is_group(update.effective_chat) or len(parts) != 3 \
            or not parts[2].lstrip("-").isdigit():
        await answer(update, t(lang, "error.stale_button"))
        return
    action, building_id = parts[1], int(parts[2])
    store, now = store_of(svc), svc.clock.now()
    if action in ("b", "edit"):
        if not await is_member(context, building_id, user.id):
            await answer(update, t(lang, "pairing.flow.not_member"), show_alert=True)
            return
        await answer(update)
        if action == "b":
            await show_offer(update, context, building_id, edit=True)
        else:
            offer = await store.offer(building_id, user.id)
            await begin(update, context, DraftPurpose.OFFER, building_id, edit=True, offer=offer)
        return
    if action == "del":
        if not await store.delete_offer(building_id, user.id):
            await answer(update, t(lang, "error.stale_button"))
            return
        await answer(update)
        await reply(update, context, t(lang, "offer.removed"))
        return
    if action not in ("pause", "on") \
            or not await store.set_paused(building_id, user.id, action == "pause", now):
        await answer(update, t(lang, "error.stale_button"))
        return
    said = "offer.answer.paused" if action == "pause" else "offer.answer.on"
    await answer(update, t(lang, said))
    if action == "on":
        await schedule_matching(svc, building_id)
    await show_offer(update, context, building_id, edit=True)


# --- a wish for a regular neighbour (the flow; /vastebuur itself lives in pairing) -------------

async def start_wish(update: Update, context: Context, *, edit: bool,
                     building_id: int | None = None) -> None:
    """Ask for a regular neighbour: for the given building, the only one, or pick one."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    lang = await user_language(svc, user.id)
    buildings = await svc.memberships.buildings_of(user.id)
    if building_id is not None and building_id in buildings:
        buildings = [building_id]
    if not buildings:
        await reply(update, context, t(lang, "pairing.no_building"), edit=edit)
    elif len(buildings) == 1:
        await begin(update, context, DraftPurpose.WISH, buildings[0], edit=edit)
    else:
        await reply(update, context, t(lang, "wish.choose_building"),
                    await building_choice(svc, lang, buildings, "wsh"), edit=edit)


async def on_wish_button(update: Update, context: Context) -> None:
    """`wsh:new`, `wsh:b:<building>` (start the wish flow) and `wsh:x:<wish>` (withdraw)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    lang = resident_language(svc, await remember(update, context))
    parts = (query.data or "").split(":")
    if is_group(update.effective_chat):
        await answer(update, t(lang, "error.not_yours"))
        return
    if parts == ["wsh", "new"]:
        await answer(update)
        await start_wish(update, context, edit=False)
        return
    if len(parts) != 3 or parts[1] not in ("b", "x") or not parts[2].lstrip("-").isdigit():
        await answer(update, t(lang, "error.stale_button"))
        return
    target = int(parts[2])
    if parts[1] == "b":
        if not await is_member(context, target, user.id):
            await answer(update, t(lang, "pairing.flow.not_member"), show_alert=True)
            return
        await answer(update)
        await begin(update, context, DraftPurpose.WISH, target, edit=True)
        return
    store = store_of(svc)
    wish = await store.wish(target)
    if wish is None or wish.user_id != user.id:
        refusal = "error.not_yours" if wish else "error.stale_button"
        await answer(update, t(lang, refusal))
        return
    if not await store.withdraw_wish(target, user.id, svc.clock.now()):
        await answer(update, t(lang, "error.stale_button"))
        return
    await answer(update)
    await context.bot.send_message(user.id, t(lang, "wish.withdrawn", want=want_text(lang, wish.kind)))


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.link_routes[OFFER_LINK] = open_offer_link
    app.add_handler(CommandHandler(["aanbod", "offer"], offer_command))
    app.add_handler(CallbackQueryHandler(on_flow_button, pattern=r"^pf:"))
    app.add_handler(CallbackQueryHandler(on_offer_button, pattern=r"^off:"))
    app.add_handler(CallbackQueryHandler(on_wish_button, pattern=r"^wsh:"))
