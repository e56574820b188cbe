"""Regular neighbours: suggestions, pairs and the three cups of tea.

A suggestion goes first to the helper, without names; only after their yes is the resident
asked, again without names; only when both said yes do they learn each other's first name and
get a button to write to each other. A "no" is silent. Everything sent to someone who did not
just press a button goes through a schedule row, so nothing arrives at night. Either side can
stop at any time; the other hears it kindly, without reasons, also when someone leaves the
group, blocks the bot or asks to be forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, time
from typing import Any

from telegram import Bot, ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler

from bot.domain.deeplinks import DeepLink
from bot.domain.pairing import (
    SUGGESTION_TTL,
    CheckIn,
    Pairing,
    PairKind,
    PairStatus,
    asks_about_regular,
    first_checkin,
    next_checkin,
    plan_suggestions,
    reminder,
)
from bot.domain.quiet_hours import QuietHours
from bot.domain.schedule import ItemState, ScheduledItem
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
    remember,
    resident_language,
    send_prompt,
    services,
    user_language,
)
from handlers.offers import (
    MATCH_KIND,
    go_private_line,
    kind_label,
    reply,
    schedule_matching,
    start_wish,
    store_of,
    want_text,
    when_text,
)
from storage.pairing import PairingStore

log = logging.getLogger(__name__)

COMMANDS = [MenuCommand({"nl": "vastebuur", "en": "regular"}, "cmd.regular")]
REGULAR_LINK = "regular"
PROMPT_KIND = "pairing"
"""The kind of scheduled private prompt (residents can mute it in /meldingen)."""
ASK_KIND = "pairing.ask"
TELL_KIND = "pairing.tell"
CHECKIN_KIND = "pairing.checkin"
DAILY_MATCH_TIME = time(10, 0)
BLOCK_GROUP = order.PAIRING_BLOCKED
PAIR_DATA = re.compile(r"^pair:(h|r|met|not|reg|end|endy|endn|req):(\d{1,18})(?::([a-z0-9]{1,2}))?$")
ANSWERS = {"h": PairStatus.ASKED_HELPER, "r": PairStatus.ASKED_RESIDENT}


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback_data(*parts))


def yes_no(lang: str, side: str, pairing_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        _button(t(lang, "pairing.button.yes"), "pair", side, pairing_id, "y"),
        _button(t(lang, "pairing.button.no"), "pair", side, pairing_id, "n"),
    ]])


def message_button(lang: str, name: str, user_id: int) -> InlineKeyboardButton:
    """Opens a private chat with the other person (works without a username)."""
    return InlineKeyboardButton(t(lang, "pairing.button.message", name=name),
                                url=f"tg://user?id={user_id}")


class Pairings:
    """What the handlers, the schedule and the hooks of this feature share."""

    def __init__(self, app: Application, svc: Services) -> None:  # type: ignore[type-arg]
        self.app, self.svc = app, svc
        self.store: PairingStore = store_of(svc)
        self._matching = asyncio.Lock()

    @property
    def bot(self) -> Bot:
        return self.app.bot  # type: ignore[no-any-return]

    async def lang(self, user_id: int) -> str:
        return await user_language(self.svc, user_id)

    async def name(self, user_id: int | None) -> str:
        resident = await self.svc.residents.get(user_id) if user_id is not None else None
        return resident.first_name if resident is not None and resident.first_name else "?"

    async def quiet(self, building_id: int) -> QuietHours:
        building = await self.svc.buildings.get(building_id)
        return building.settings.quiet_hours if building is not None else QuietHours()

    async def send(self, user_id: int, text: str,
                   keyboard: InlineKeyboardMarkup | None = None) -> bool:
        """A direct message; a 403 means they blocked the bot: their pairs end kindly."""
        try:
            await self.bot.send_message(user_id, text, reply_markup=keyboard)
        except Forbidden:
            await self.svc.residents.mark_unreachable(user_id)
            await self.unreachable(user_id, self.svc.clock.now())
            return False
        return True

    # --- texts --------------------------------------------------------------------------------

    async def made_text(self, pairing: Pairing, user_id: int) -> tuple[str, InlineKeyboardMarkup]:
        """Both said yes: the first name of the other, a button to write, and the first cup."""
        lang = await self.lang(user_id)
        partner = pairing.partner_of(user_id)
        name = await self.name(partner)
        text = t(lang, "pairing.made", name=name, want=want_text(lang, pairing.kind),
                 when=Safe(when_text(lang, pairing.when)))
        rows = [[message_button(lang, name, partner)]] if partner is not None else []
        rows.append([_button(t(lang, "pairing.button.end"), "pair", "end", pairing.id)])
        return text, InlineKeyboardMarkup(rows)

    async def ask_text(self, pairing: Pairing, side: str) -> tuple[int, str, InlineKeyboardMarkup]:
        """The anonymous question to the helper (or, after their yes, to the resident)."""
        user_id = pairing.helper_id if side == "h" else pairing.resident_id
        assert user_id is not None
        lang = await self.lang(user_id)
        if pairing.request_id is not None:
            text = t(lang, "pairing.request.to_helper", requester=await self.name(pairing.resident_id),
                     kind=kind_label(lang, pairing.kind))
        else:
            key = "pairing.suggest.helper" if side == "h" else "pairing.suggest.resident"
            text = t(lang, key, want=want_text(lang, pairing.kind),
                     when=Safe(when_text(lang, pairing.when)))
        return user_id, text, yes_no(lang, side, pairing.id)

    # --- schedule rows ------------------------------------------------------------------------

    async def schedule_ask(self, pairing: Pairing, side: str) -> None:
        await self.svc.scheduler.add(
            ASK_KIND, f"p:{pairing.id}:ask:{side}", self.svc.clock.now(),
            building_id=pairing.building_id, payload={"pairing_id": pairing.id, "side": side})

    async def schedule_tell(self, pairing: Pairing, user_id: int, what: str) -> None:
        await self.svc.scheduler.add(
            TELL_KIND, f"p:{pairing.id}:{what}:{user_id}", self.svc.clock.now(),
            building_id=pairing.building_id,
            payload={"pairing_id": pairing.id, "user_id": user_id, "what": what})

    async def schedule_checkin(self, pairing: Pairing, check: CheckIn, due: datetime) -> None:
        await self.svc.scheduler.add(
            CHECKIN_KIND, f"p:{pairing.id}:r{check.round}:a{check.attempt}", due,
            building_id=pairing.building_id,
            payload={"pairing_id": pairing.id, "round": check.round, "attempt": check.attempt})

    async def paired(self, pairing_id: int, tell: int | None) -> Pairing | None:
        """After both said yes: the other hears it (calmly), and the first check-in is planned."""
        pairing = await self.store.get(pairing_id)
        if pairing is None or pairing.paired_at is None:
            return None
        if tell is not None:
            await self.schedule_tell(pairing, tell, "made")
        check, due = first_checkin(pairing.paired_at, await self.quiet(pairing.building_id),
                                   self.svc.settings.zone)
        await self.schedule_checkin(pairing, check, due)
        return pairing

    async def end_pair(self, pairing: Pairing, by: int, now: datetime) -> None:
        """Stop a pair; the other side hears it kindly, without reasons."""
        if not await self.store.end(pairing.id, now):
            return
        await self.svc.scheduler.cancel(CHECKIN_KIND, f"p:{pairing.id}:")
        partner = pairing.partner_of(by)
        if partner is not None:
            await self.schedule_tell(pairing, partner, "ended")

    # --- matching -----------------------------------------------------------------------------

    async def match(self, building_id: int, now: datetime) -> int:
        """Suggest a helper for each open wish that is not waiting for an answer."""
        async with self._matching:
            wishes = await self.store.matchable_wishes(building_id)
            if not wishes:
                return 0
            planned = plan_suggestions(
                wishes, await self.store.matchable_offers(building_id),
                active_pairs=await self.store.active_counts(),
                excluded=await self.store.excluded_pairs(building_id),
                busy=await self.store.busy_helpers(),
                waiting=await self.store.waiting_wishes(building_id),
            )
            sent = failed = 0
            for wish, offer in planned:
                pairing = await self.store.suggest(wish, offer, now)
                if pairing is None:
                    continue
                if await self.ask(pairing, "h"):
                    sent += 1
                else:
                    failed += 1
        if failed:
            # That helper blocked the bot and is no longer matchable: try the next one.
            await schedule_matching(self.svc, building_id)
        return sent

    async def ask(self, pairing: Pairing, side: str) -> bool:
        user_id, text, keyboard = await self.ask_text(pairing, side)
        if await self.send(user_id, text, keyboard):
            return True
        await self.store.cancel(pairing.id, self.svc.clock.now())
        return False

    # --- people who go --------------------------------------------------------------------------

    async def unreachable(self, user_id: int, now: datetime) -> None:
        """They blocked the bot: suggestions waiting on them are called off, their pairs end."""
        for pairing in await self.store.unreachable(user_id, now):
            await self.end_pair(pairing, user_id, now)

    async def departed(self, building_id: int, user_id: int, now: datetime) -> None:
        for pairing in await self.store.leave_building(building_id, user_id, now):
            await self.end_pair(pairing, user_id, now)
        await schedule_matching(self.svc, building_id)

    # --- the schedule ---------------------------------------------------------------------------

    async def match_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Lapse old unanswered suggestions, then suggest (one building, or all daily)."""
        lapsed = await self.store.lapse(now - SUGGESTION_TTL, now)
        buildings = ({item.building_id} if item.building_id is not None
                     else set(await self.store.buildings_with_open_wishes()))
        buildings |= {pairing.building_id for pairing in lapsed}
        zone = self.svc.settings.zone
        for building_id in sorted(buildings):
            if item.building_id is None and (await self.quiet(building_id)).contains(now, zone):
                await schedule_matching(self.svc, building_id)  # it waits for that morning
                continue
            await self.match(building_id, now)
        return None

    async def ask_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        pairing = await self.store.get(int(item.payload.get("pairing_id", 0)))
        side = str(item.payload.get("side", ""))
        if pairing is None or side not in ANSWERS or pairing.status is not ANSWERS[side]:
            return ItemState.SKIPPED
        if not await self.ask(pairing, side):
            await schedule_matching(self.svc, pairing.building_id)
        return None

    async def tell_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        pairing = await self.store.get(int(item.payload.get("pairing_id", 0)))
        user_id = int(item.payload.get("user_id", 0))
        what = item.payload.get("what")
        if pairing is None or not user_id:
            return ItemState.SKIPPED
        if what == "made":
            if pairing.status is not PairStatus.ACTIVE or not pairing.involves(user_id):
                return ItemState.SKIPPED
            text, keyboard = await self.made_text(pairing, user_id)
            await self.send(user_id, text, keyboard)
            return None
        if what == "ended":
            lang = await self.lang(user_id)
            await self.send(user_id, t(lang, "pairing.ended.partner",
                                       want=want_text(lang, pairing.kind)))
            return None
        return ItemState.SKIPPED

    async def checkin_job(self, item: ScheduledItem, now: datetime) -> ItemState | None:
        """Did you meet? To both, privately, as a prompt they can mute; once, and one
        gentle reminder at most."""
        pairing = await self.store.get(int(item.payload.get("pairing_id", 0)))
        check = CheckIn(round=int(item.payload.get("round", 0)),
                        attempt=int(item.payload.get("attempt", 0)))
        if pairing is None or pairing.status is not PairStatus.ACTIVE \
                or pairing.stage >= check.round or check.round < 1:
            return ItemState.SKIPPED
        for user_id in (pairing.resident_id, pairing.helper_id):
            if user_id is None:
                continue
            lang = await self.lang(user_id)
            name = await self.name(pairing.partner_of(user_id))
            key = "pairing.checkin.reminder" if check.attempt else f"pairing.checkin.{check.round}"
            extra = f"{check.round}{check.attempt}"
            keyboard = InlineKeyboardMarkup([[
                _button(t(lang, "pairing.button.met"), "pair", "met", pairing.id, extra),
                _button(t(lang, "pairing.button.not_yet"), "pair", "not", pairing.id, extra),
            ]])
            sent = await send_prompt(self.bot, self.svc, user_id, PROMPT_KIND,
                                     t(lang, key, name=name), reply_markup=keyboard)
            if sent is None and not await self.reachable(user_id):
                await self.unreachable(user_id, now)
                return None
        later = reminder(check, now, await self.quiet(pairing.building_id), self.svc.settings.zone)
        if later is not None:
            await self.schedule_checkin(pairing, *later)
        return None

    async def reachable(self, user_id: int) -> bool:
        resident = await self.svc.residents.get(user_id)
        return resident is not None and resident.can_be_messaged

    async def plan_daily(self, now: datetime) -> None:
        """One matching round a day (it also lets unanswered suggestions lapse)."""
        zone = self.svc.settings.zone
        day = now.astimezone(zone).date()
        due = datetime.combine(day, DAILY_MATCH_TIME, tzinfo=zone)
        await self.svc.scheduler.add(MATCH_KIND, f"daily:{day.isoformat()}", due)


def feature(context: Context) -> Pairings:
    found = context.bot_data["pairings"]
    assert isinstance(found, Pairings)
    return found


# --- /vastebuur ------------------------------------------------------------------------------------

async def regular_command(update: Update, context: Context) -> None:
    if is_group(update.effective_chat):
        await go_private_line(update, context, REGULAR_LINK, "pairing.group.go_private")
        return
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    await remember(update, context)
    await svc.residents.mark_started(user.id, svc.clock.now())
    await overview(update, context, None)


async def open_regular_link(update: Update, context: Context, link: DeepLink) -> None:
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    if not await is_member(context, link.building_id, user.id):
        lang = await feature(context).lang(user.id)
        await context.bot.send_message(user.id, t(lang, "pairing.flow.not_member"))
        return
    await overview(update, context, link.building_id)


async def overview(update: Update, context: Context, building_id: int | None) -> None:
    """The resident's pairs (with "Stoppen") and open wishes; with none, straight to asking."""
    user = update.effective_user
    if user is None:
        return
    pairs = feature(context)
    store = pairs.store
    active = await store.involving(user.id, [PairStatus.ACTIVE])
    wishes = await store.open_wishes_of(user.id)
    if not active and not wishes:
        await start_wish(update, context, edit=False, building_id=building_id)
        return
    lang = await pairs.lang(user.id)
    lines = [t(lang, "pairing.overview.title")]
    rows: list[list[InlineKeyboardButton]] = []
    for pairing in active:
        name = await pairs.name(pairing.partner_of(user.id))
        lines.append(t(lang, "pairing.overview.pair", name=name, want=want_text(lang, pairing.kind)))
        rows.append([_button(t(lang, "pairing.button.stop_with", name=name),
                             "pair", "end", pairing.id)])
    for wish in wishes:
        lines.append(t(lang, "pairing.overview.wish", want=want_text(lang, wish.kind),
                       when=Safe(when_text(lang, wish.when))))
        rows.append([_button(t(lang, "pairing.button.withdraw", kind=kind_label(lang, wish.kind)),
                             "wsh", "x", wish.id)])
    rows.append([_button(t(lang, "pairing.button.new_wish"), "wsh", "new")])
    await context.bot.send_message(user.id, "\n".join(lines),
                                   reply_markup=InlineKeyboardMarkup(rows))


# --- buttons ----------------------------------------------------------------------------------------

async def on_pair_button(update: Update, context: Context) -> None:
    """Every press is checked against the stored pairing and the presser: a forwarded or forged
    button pressed by someone else changes nothing."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    pairs = feature(context)
    lang = resident_language(pairs.svc, await remember(update, context))
    match = PAIR_DATA.match(query.data or "")
    if match is None or is_group(update.effective_chat):
        await answer(update, t(lang, "error.stale_button"))
        return
    action, target, extra = match.group(1), int(match.group(2)), match.group(3) or ""
    if action == "req":
        await on_request_press(update, context, target, lang)
        return
    pairing = await pairs.store.get(target)
    if pairing is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    if not pairing.involves(user.id):
        await answer(update, t(lang, "error.not_yours"))
        return
    if action in ANSWERS:
        await on_answer(update, context, pairing, action, extra, lang)
    elif action in ("met", "not"):
        await on_checkin(update, context, pairing, action, extra, lang)
    elif action == "reg":
        await on_regular(update, context, pairing, extra, lang)
    else:
        await on_end(update, context, pairing, action, lang)


async def on_answer(update: Update, context: Context, pairing: Pairing, side: str, choice: str,
                    lang: str) -> None:
    """"Ja, graag" / "Nee, liever niet" on an anonymous suggestion."""
    pairs = feature(context)
    user = update.effective_user
    assert user is not None
    expected = pairing.helper_id if side == "h" else pairing.resident_id
    if user.id != expected:
        await answer(update, t(lang, "error.not_yours"))
        return
    if choice not in ("y", "n") or pairing.status is not ANSWERS[side]:
        await answer(update, t(lang, "pairing.answer.closed"))
        return
    now = pairs.svc.clock.now()
    if choice == "n":
        if not await pairs.store.decline(pairing.id, ANSWERS[side], now):
            await answer(update, t(lang, "pairing.answer.closed"))
            return
        await answer(update)
        await reply(update, context, t(lang, "pairing.declined"))
        await schedule_matching(pairs.svc, pairing.building_id)
        return
    if side == "h" and pairing.request_id is None:
        if not await pairs.store.helper_said_yes(pairing.id, now):
            await answer(update, t(lang, "pairing.answer.closed"))
            return
        await answer(update)
        await reply(update, context, t(lang, "pairing.helper.yes_wait"))
        await pairs.schedule_ask(pairing, "r")
        return
    if not await pairs.store.make_pair(pairing.id, ANSWERS[side], now):
        await answer(update, t(lang, "pairing.answer.closed"))
        return
    made = await pairs.paired(pairing.id, pairing.partner_of(user.id))
    await answer(update)
    if made is not None:
        text, keyboard = await pairs.made_text(made, user.id)
        await reply(update, context, text, keyboard)


async def on_checkin(update: Update, context: Context, pairing: Pairing, action: str, extra: str,
                     lang: str) -> None:
    """"Ja" / "Nog niet" to "did you meet?"; the first yes of either side counts."""
    pairs = feature(context)
    if pairing.status is not PairStatus.ACTIVE or len(extra) != 2 or not extra.isdigit():
        await answer(update, t(lang, "error.stale_button"))
        return
    met_round, attempt = int(extra[0]), int(extra[1])
    if pairing.stage >= met_round or met_round < 1:
        await answer(update, t(lang, "pairing.answer.noted"))
        await reply(update, context, t(lang, "pairing.met.noted"))
        return
    if action == "not":
        await answer(update)
        key = "pairing.not_yet.last" if attempt else "pairing.not_yet.later"
        await reply(update, context, t(lang, key))
        return
    if not await pairs.store.advance_stage(pairing.id, met_round):
        await answer(update, t(lang, "pairing.answer.noted"))
        await reply(update, context, t(lang, "pairing.met.noted"))
        return
    svc = pairs.svc
    await svc.scheduler.cancel(CHECKIN_KIND, f"p:{pairing.id}:r{met_round}:")
    following = next_checkin(met_round, svc.clock.now(), await pairs.quiet(pairing.building_id),
                             svc.settings.zone)
    if following is not None:
        await pairs.schedule_checkin(pairing, *following)
    await answer(update)
    if asks_about_regular(met_round, pairing.regular_at is not None):
        keyboard = InlineKeyboardMarkup([[
            _button(t(lang, "pairing.button.regular_yes"), "pair", "reg", pairing.id, "y"),
            _button(t(lang, "pairing.button.not_yet"), "pair", "reg", pairing.id, "n"),
        ]])
        await reply(update, context, t(lang, "pairing.regular.ask"), keyboard)
        return
    await reply(update, context, t(lang, f"pairing.met.{met_round}"))


async def on_regular(update: Update, context: Context, pairing: Pairing, choice: str,
                     lang: str) -> None:
    """Would you like to agree on something regular? Either answer is fine."""
    pairs = feature(context)
    user = update.effective_user
    assert user is not None
    if pairing.status is not PairStatus.ACTIVE or choice not in ("y", "n"):
        await answer(update, t(lang, "error.stale_button"))
        return
    await answer(update)
    if choice == "n":
        await reply(update, context, t(lang, "pairing.regular.no"))
        return
    await pairs.store.agree_regular(pairing.id, pairs.svc.clock.now())
    partner = pairing.partner_of(user.id)
    name = await pairs.name(partner)
    keyboard = (InlineKeyboardMarkup([[message_button(lang, name, partner)]])
                if partner is not None else None)
    await reply(update, context, t(lang, "pairing.regular.yes", name=name), keyboard)


async def on_end(update: Update, context: Context, pairing: Pairing, action: str,
                 lang: str) -> None:
    """"Stoppen": asked once more (a slip of the thumb happens), then ended without reasons."""
    pairs = feature(context)
    user = update.effective_user
    assert user is not None
    if pairing.status is not PairStatus.ACTIVE:
        await answer(update, t(lang, "pairing.answer.ended"))
        return
    name = await pairs.name(pairing.partner_of(user.id))
    await answer(update)
    if action == "end":
        keyboard = InlineKeyboardMarkup([[
            _button(t(lang, "pairing.button.stop_yes"), "pair", "endy", pairing.id),
            _button(t(lang, "pairing.button.stop_no"), "pair", "endn", pairing.id),
        ]])
        await context.bot.send_message(user.id, t(lang, "pairing.end.ask", name=name),
                                       reply_markup=keyboard)
    elif action == "endn":
        await reply(update, context, t(lang, "pairing.end.kept", name=name))
    else:
        await pairs.end_pair(pairing, user.id, pairs.svc.clock.now())
        await reply(update, context, t(lang, "pairing.end.done", name=name))


async def on_request_press(update: Update, context: Context, request_id: int, lang: str) -> None:
    """"Wil je dit vaker samen doen?" under a done request: the requester asks their helper,
    who is asked privately (the requester's press is their yes)."""
    pairs = feature(context)
    user = update.effective_user
    assert user is not None
    store = pairs.store
    facts = await store.request_facts(request_id)
    if facts is None:
        await answer(update, t(lang, "error.stale_button"))
        return
    if facts.requester_id != user.id:
        await answer(update, t(lang, "error.not_yours"))
        return
    helper_id = facts.helper_id
    if facts.status != "done" or helper_id is None or helper_id == user.id \
            or facts.kind not in PairKind.__members__.values():
        await answer(update, t(lang, "error.stale_button"))
        return
    helper = await pairs.name(helper_id)
    if not await is_member(context, facts.building_id, user.id) \
            or not await is_member(context, facts.building_id, helper_id):
        await answer(update, t(lang, "pairing.request.not_now"), show_alert=True)
        return
    if not await pairs.reachable(helper_id):
        await answer(update, t(lang, "pairing.request.helper_unreachable", name=helper),
                     show_alert=True)
        return
    between = [p for p in await store.involving(user.id) if p.partner_of(user.id) == helper_id]
    if any(p.status is PairStatus.ACTIVE for p in between):
        await answer(update, t(lang, "pairing.request.already_pair", name=helper), show_alert=True)
        return
    if any(p.request_id is not None for p in between):
        await answer(update, t(lang, "pairing.request.asked_before", name=helper), show_alert=True)
        return
    pairing = await store.suggest_from_request(facts, PairKind(facts.kind), pairs.svc.clock.now())
    if pairing is None:
        await answer(update, t(lang, "pairing.request.asked_before", name=helper), show_alert=True)
        return
    await answer(update)
    await context.bot.send_message(user.id, t(lang, "pairing.request.asking", name=helper))
    await pairs.schedule_ask(pairing, "h")


# --- blocking, personal data ---------------------------------------------------------------------

async def on_private_member(update: Update, context: Context) -> None:
    """A resident blocked the bot (their private chat says "kicked"): their pairs end kindly."""
    change = update.my_chat_member
    if change is None or is_group(change.chat) \
            or change.new_chat_member.status != ChatMember.BANNED:
        return
    pairs = feature(context)
    await pairs.unreachable(change.chat.id, pairs.svc.clock.now())


class PairingData:
    """What regular-neighbour matching keeps about a resident."""

    name = "pairing"

    def __init__(self, pairs: Pairings) -> None:
        self.pairs = pairs

    async def export(self, user_id: int) -> dict[str, Any]:
        """Their offers and wishes; of pairs, the partner's first name only while active; of
        suggestions, never who the other person was."""
        store = self.pairs.store
        offers = [{
            "building_id": offer.building_id, "kinds": sorted(k.value for k in offer.kinds),
            "days": sorted(offer.when.days), "parts": sorted(p.value for p in offer.when.parts),
            "frequency": offer.frequency.value, "paused": offer.paused,
            "created_at": offer.created_at.isoformat(), "updated_at": offer.updated_at.isoformat(),
        } for offer in await store.offers_of(user_id)]
        wishes = [{
            "building_id": wish.building_id, "kind": wish.kind.value, "days": sorted(wish.when.days),
            "parts": sorted(p.value for p in wish.when.parts), "status": wish.status.value,
            "created_at": wish.created_at.isoformat(),
        } for wish in await store.wishes_of(user_id)]
        pairs: list[dict[str, Any]] = []
        suggestions: list[dict[str, Any]] = []
        for pairing in await store.involving(user_id):
            role = "asked" if pairing.resident_id == user_id else "offered"
            if pairing.paired_at is None:
                suggestions.append({"kind": pairing.kind.value, "role": role,
                                    "status": pairing.status.value,
                                    "suggested_at": pairing.suggested_at.isoformat()})
                continue
            item: dict[str, Any] = {
                "kind": pairing.kind.value, "role": role, "status": pairing.status.value,
                "cups_of_tea": pairing.stage, "regular_agreed": pairing.regular_at is not None,
                "paired_at": pairing.paired_at.isoformat(),
                "ended_at": pairing.ended_at.isoformat() if pairing.ended_at else None,
            }
            if pairing.status is PairStatus.ACTIVE:
                item["partner"] = await self.pairs.name(pairing.partner_of(user_id))
            pairs.append(item)
        return {"offers": offers, "wishes": wishes, "pairs": pairs, "suggestions": suggestions}

    async def forget(self, user_id: int, now: datetime) -> None:
        """Offers and wishes deleted; pairs ended (the partner told kindly); their id erased."""
        await self.pairs.unreachable(user_id, now)
        await self.pairs.store.forget(user_id, now)

    async def expire(self, before: datetime) -> int:
        return await self.pairs.store.expire(before)


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    pairs = Pairings(app, svc)
    app.bot_data["pairings"] = pairs
    svc.link_routes[REGULAR_LINK] = open_regular_link
    app.add_handler(CommandHandler(["vastebuur", "regular"], regular_command))
    app.add_handler(CallbackQueryHandler(on_pair_button, pattern=r"^pair:"))
    app.add_handler(ChatMemberHandler(on_private_member, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=BLOCK_GROUP)
    svc.scheduler.register(MATCH_KIND, pairs.match_job)
    svc.scheduler.register(ASK_KIND, pairs.ask_job)
    svc.scheduler.register(TELL_KIND, pairs.tell_job)
    svc.scheduler.register(CHECKIN_KIND, pairs.checkin_job)
    svc.scheduler.add_planner(pairs.plan_daily)
    svc.personal_data.append(PairingData(pairs))
    svc.activity_probes.append(pairs.store.last_activity)
    svc.departure_hooks.append(pairs.departed)

