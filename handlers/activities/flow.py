"""The private activity flow: an organiser makes an activity one question at a time, or types a
new time, place, text or number of places for one they manage.

The flow lives in a draft row, so a restart in the middle continues at the same question; while
a draft exists, the resident's typed messages are its answers (see handlers.kit.flows).
"""

from __future__ import annotations

from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User

from bot.domain.activities import (
    Activity,
    Change,
    Draft,
    DraftStep,
    InvalidInput,
    Problem,
    Repeat,
    check_capacity,
    check_ready,
    choose_repeat,
    fill,
    moved,
    skip,
)
from bot.domain.text import display_name
from bot.i18n import plain, t, tn
from bot.services import Services
from handlers.activities.card import card_ref, describe
from handlers.activities.controls import details_now, send_controls
from handlers.activities.from_idea import convert_idea
from handlers.activities.rsvp import tell_promoted
from handlers.activities.schedule import announce_change, post_activity, schedule_activity
from handlers.kit.buttons import button, keyboard, parse_id
from handlers.kit.context import Context, services, user_language
from handlers.kit.guards import admin_now, is_member, member_buildings
from handlers.kit.press import Press

FLOW = "activity"
REPEATS = {"none": Repeat.NONE, "week": Repeat.WEEKLY, "2week": Repeat.BIWEEKLY,
           "month": Repeat.MONTHLY}


def step_keyboard(lang: str, step: DraftStep) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if step is DraftStep.END:
        rows.append([button(plain(lang, "activity.flow.no_end"), "actf", "skip")])
    elif step in (DraftStep.CAPACITY, DraftStep.EDIT_CAPACITY):
        rows.append([button(plain(lang, "activity.flow.no_limit"), "actf", "skip")])
    elif step is DraftStep.REPEAT:
        rows += [[button(plain(lang, f"activity.flow.repeat.{code}"), "actf", "rep", code)]
                 for code in REPEATS]
    elif step is DraftStep.PREVIEW:
        rows.append([button(plain(lang, "activity.flow.post"), "actf", "post")])
    rows.append([button(plain(lang, "activity.flow.stop"), "actf", "stop")])
    return keyboard(*rows)


async def question(svc: Services, lang: str, draft: Draft, user: User) -> str:
    """The text that asks for the draft's current step (the preview at the end)."""
    if draft.step is not DraftStep.PREVIEW:
        return t(lang, f"activity.ask.{draft.step.value}")
    assert draft.starts_at is not None
    building = await svc.buildings.get(draft.building_id)
    preview = describe(
        lang, svc.settings.zone, title=draft.title, description=draft.description,
        starts_at=draft.starts_at, ends_at=draft.ends_at, place=draft.place,
        organiser_name=display_name(user.first_name), repeat=draft.repeat, capacity=draft.capacity,
    )
    return t(lang, "activity.flow.preview", group=building.title if building else "") \
        + "\n\n" + preview


async def ask(svc: Services, user: User, lang: str, draft: Draft, prefix: str = "") -> None:
    text = await question(svc, lang, draft, user)
    await svc.out.message(user.id, f"{prefix}\n\n{text}" if prefix else text,
                          keyboard=step_keyboard(lang, draft.step))


async def start_draft(svc: Services, user: User, lang: str, draft: Draft, prefix: str = "") -> None:
    """A new draft (a new activity, or a change to one): the resident's other flows end."""
    await svc.flows.begin(user.id, FLOW)
    await svc.stores.activities.save_draft(draft)
    await ask(svc, user, lang, draft, prefix)


async def may_manage(context: Context, activity: Activity, user_id: int) -> bool:
    """The organiser, or an admin of the group (asked of Telegram now), may change or cancel an
    activity."""
    if activity.organiser_id == user_id:
        return True
    return await admin_now(context, activity.building_id, user_id)


def problem_line(lang: str, problem: Problem, **values: object) -> str:
    return t(lang, f"activity.problem.{problem.value}", **values)


async def begin(context: Context, user: User, lang: str, building_id: int | None = None) -> None:
    """Continue a draft in progress, or start one for the resident's building."""
    svc = services(context)
    existing = await svc.stores.activities.draft(user.id)
    if existing is not None:
        await ask(svc, user, lang, existing, t(lang, "activity.flow.continue"))
        return
    if building_id is None:
        buildings = await member_buildings(context, user.id)
        if not buildings:
            await svc.out.message(user.id, t(lang, "activity.flow.no_building"))
            return
        if len(buildings) > 1:
            await svc.out.message(user.id, t(lang, "activity.flow.which_building"),
                                  keyboard=await building_choice(svc, buildings, "actf"))
            return
        building_id = buildings[0]
    draft = Draft(user_id=user.id, building_id=building_id, step=DraftStep.TITLE,
                  updated_at=svc.clock.now())
    await start_draft(svc, user, lang, draft, t(lang, "activity.flow.intro"))


async def building_choice(svc: Services, buildings: list[int], prefix: str) -> InlineKeyboardMarkup:
    """One button a building, for a resident who lives in (the group of) more than one."""
    rows = []
    for chat_id in buildings:
        building = await svc.buildings.get(chat_id)
        label = building.title if building and building.title else str(chat_id)
        rows.append([button(label[:60], prefix, "b", chat_id)])
    return keyboard(*rows)


class Drafts(Protocol):
    async def delete_draft(self, user_id: int, /) -> bool: ...


class DraftFlow:
    """A private flow kept as one draft row per resident: ending it drops the row, and /stop
    says so."""

    name: str
    stopped: str
    """Message id of the line that confirms /stop."""

    def __init__(self, svc: Services, drafts: Drafts) -> None:
        self.svc = svc
        self._drafts = drafts

    async def end(self, user_id: int) -> None:
        await self._drafts.delete_draft(user_id)

    async def on_stop(self, update: Update, context: Context) -> None:
        user = update.effective_user
        if user is not None and await self._drafts.delete_draft(user.id):
            lang = await user_language(self.svc, user.id)
            await self.svc.out.message(user.id, t(lang, self.stopped))


class ActivityFlow(DraftFlow):
    """Typed answers to the activity draft's questions, and /stop."""

    name = FLOW
    stopped = "activity.flow.stopped"

    def __init__(self, svc: Services) -> None:
        super().__init__(svc, svc.stores.activities)
        self.store = svc.stores.activities

    async def waiting(self, user_id: int) -> bool:
        return await self.store.draft(user_id) is not None

    async def on_text(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        draft = await self.store.draft(user.id)
        if draft is None:
            return
        lang = await user_language(self.svc, user.id)
        try:
            filled = fill(draft, message.text, self.svc.clock.now(), self.svc.settings.zone,
                          lang)
        except InvalidInput as error:
            await ask(self.svc, user, lang, draft, problem_line(lang, error.problem))
            return
        if filled.step.is_edit:
            await self.apply_edit(context, user, lang, filled)
            return
        await self.store.save_draft(filled)
        await ask(self.svc, user, lang, filled)

    async def apply_edit(self, context: Context, user: User, lang: str, draft: Draft) -> None:
        """A new time, place or text for a posted activity: the card changes and who answered
        hears it."""
        svc, store, now = self.svc, self.store, self.svc.clock.now()
        activity = await store.get(draft.activity_id) if draft.activity_id else None
        if activity is None or not activity.accepts_answers(now) \
                or not await may_manage(context, activity, user.id):
            await store.delete_draft(user.id)
            await svc.out.message(user.id, t(lang, "activity.manage.too_late"))
            return
        if draft.step is DraftStep.EDIT_CAPACITY:
            await self.apply_capacity(user, lang, activity, draft)
            return
        if draft.step is DraftStep.EDIT_WHEN:
            assert draft.starts_at is not None
            start, end = moved(activity.starts_at, activity.ends_at, draft.starts_at,
                               draft.ends_at)
            updated = await store.update_details(activity.id, Change.TIME, now, starts_at=start,
                                                 ends_at=end)
        elif draft.step is DraftStep.EDIT_PLACE:
            updated = await store.update_details(activity.id, Change.PLACE, now, place=draft.place)
        else:
            updated = await store.update_details(activity.id, Change.TEXT, now,
                                                 description=draft.description)
        await store.delete_draft(user.id)
        if updated is None:
            await svc.out.message(user.id, t(lang, "activity.manage.too_late"))
            return
        if draft.step is DraftStep.EDIT_WHEN:
            await schedule_activity(svc, updated)
        await svc.cards.refresh(card_ref(updated.id))
        await announce_change(svc, updated, updated.last_change)
        await send_controls(svc, updated, user.id, lang, t(lang, "activity.manage.changed")
                            + "\n\n" + await details_now(lang, svc, updated))

    async def apply_capacity(self, user: User, lang: str, activity: Activity,
                             draft: Draft) -> None:
        """A new number of places: never fewer than already taken; whoever now fits moves up
        from the waiting list and hears it. Nobody else needs to hear of it."""
        svc, store = self.svc, self.store
        taken = (await store.counts(activity.id)).seats
        try:
            check_capacity(draft.capacity, taken)
        except InvalidInput:
            await ask(svc, user, lang, draft, tn(lang, "activity.problem.capacity_below_going", taken))
            return
        result = await store.set_capacity(activity.id, draft.capacity, svc.clock.now())
        await store.delete_draft(user.id)
        if result is None:
            await svc.out.message(user.id, t(lang, "activity.manage.too_late"))
            return
        updated, promoted = result
        await svc.cards.refresh(card_ref(updated.id))
        await tell_promoted(svc, updated, promoted)
        await send_controls(svc, updated, user.id, lang, t(lang, "activity.manage.seats_changed")
                            + "\n\n" + await details_now(lang, svc, updated))


async def on_flow_button(update: Update, context: Context) -> None:
    """The flow's buttons: a new activity, which building, skip, how often, post, stop."""
    press = await Press.open(update, context)
    if press is None:
        return
    svc, user, lang, parts = press.svc, press.user, press.lang, press.parts
    action = press.part(1)
    now = svc.clock.now()
    if not press.in_own_chat:
        await press.tell("error.stale_button")
        return
    if action == "new":
        await press.answer()
        await begin(context, user, lang)
        return
    if action == "b" and len(parts) == 3:
        building_id = parse_id(parts[2], signed=True)
        if building_id is None or building_id not in await member_buildings(context, user.id):
            await press.tell("error.stale_button")
            return
        await press.answer()
        await begin(context, user, lang, building_id)
        return
    store = svc.stores.activities
    draft = await store.draft(user.id)
    if draft is None:
        await press.tell("error.stale_button")
        return
    if action == "stop":
        await store.delete_draft(user.id)
        await press.answer()
        await svc.out.replace_pressed(update, t(lang, "activity.flow.stopped"))
        return
    try:
        if action == "skip" and draft.step.is_edit:
            await press.answer()
            await ActivityFlow(svc).apply_edit(context, user, lang, skip(draft, now))
            return
        if action == "skip":
            updated = skip(draft, now)
        elif action == "rep" and len(parts) == 3 and parts[2] in REPEATS:
            updated = choose_repeat(draft, REPEATS[parts[2]], now)
        elif action == "post" and draft.step is DraftStep.PREVIEW:
            await press.answer()
            await publish(context, user, lang, draft)
            return
        else:
            await press.tell("error.stale_button")
            return
    except InvalidInput:
        await press.tell("error.stale_button")
        return
    await store.save_draft(updated)
    await press.answer()
    await ask(svc, user, lang, updated)


async def publish(context: Context, user: User, lang: str, draft: Draft) -> None:
    """Post the card in the group (once), schedule what follows, give the organiser controls."""
    svc = services(context)
    store, now = svc.stores.activities, svc.clock.now()
    try:
        check_ready(draft, now)
    except InvalidInput as error:
        back = draft.model_copy(update={"step": DraftStep.WHEN, "updated_at": now})
        await store.save_draft(back)
        await ask(svc, user, lang, back, problem_line(lang, error.problem))
        return
    building = await svc.buildings.get(draft.building_id)
    if building is None or not building.active \
            or not await is_member(context, draft.building_id, user.id):
        await store.delete_draft(user.id)
        await svc.out.message(user.id, t(lang, "activity.flow.group_gone"))
        return
    activity = await store.publish(draft, display_name(user.first_name), now)
    await post_activity(svc, activity)
    text = t(lang, "activity.flow.posted", group=building.title)
    if draft.idea_id is not None:
        names = await convert_idea(svc, draft.idea_id, activity)
        if names:
            text += "\n\n" + t(lang, "idea.joined_names", names=", ".join(names))
    await send_controls(svc, activity, user.id, lang, text + "\n\n"
                        + await details_now(lang, svc, activity))
