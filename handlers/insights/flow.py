"""A community worker is proposed to the group: an admin asks for an invitation (/uitnodigen),
the worker opens it and types their name and organisation privately, and the group is asked.

The waiting state is a row, so a restart loses nothing. The typed answers come through the kit's
one flow handler (`WorkerFlow`). Once the worker has answered, the proposal card goes up in the
group and a schedule row ends its days to object (`consent.decide`).
"""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.domain.community import Building
from bot.domain.deeplinks import DeepLink, is_valid_payload, link_url
from bot.domain.insights import LABEL_MAX, LabelProblem, clean_label
from bot.domain.worker_consent import objection_threshold
from bot.i18n import Safe, plain, t, tn
from bot.services import Services
from handlers.insights.consent import DECIDE_KIND, PREFIX, card_ref, day
from handlers.kit.buttons import button, keyboard
from handlers.kit.command import Command, for_admins
from handlers.kit.context import (
    Context,
    language_for,
    resident_language,
    services,
)
from handlers.kit.press import Press, Speaks
from handlers.kit.reach import need_start_line

LINK_KIND = "worker"
FLOW_NAME = "worker"
DRAFT_DAYS = 7
"""A worker who opened the invitation but never finished is asked nothing after this."""
INVITE_DAYS = 7


def _cancel_keyboard(lang: str) -> InlineKeyboardMarkup:
    return keyboard([button(plain(lang, "workers.cancel.button"), PREFIX, "cancel")])


@for_admins("workers.in_group_only", "workers.admin_only")
async def invite(command: Command, building: Building) -> None:
    """/uitnodigen: a group admin gets a single-use invitation privately, to pass on."""
    svc, user, admin = command.svc, command.user, command.resident
    now = svc.clock.now()
    link = await svc.deep_links.create(
        LINK_KIND, now, building_id=building.chat_id, single_use=True,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    private_lang = resident_language(svc, admin)
    text = t(private_lang, "workers.invite.private", building=building.title,
             url=Safe(link_url(svc.bot_username, link.token)))  # on its own line: no isolates
    message = command.update.effective_message
    need_start = await need_start_line(svc, building.chat_id, user.id,
                                       key="workers.invite.need_start",
                                       label="insights.open_private",
                                       reply_to=message.message_id if message else None)
    await svc.out.private(user.id, text, fallback=need_start)
    if admin is not None and admin.can_be_messaged:
        await command.reply("workers.invite.sent")


async def refuse_used_invite(update: Update, context: Context) -> None:
    """A used or expired invitation: say so plainly, and stop here."""
    if update.effective_message is None or not context.args:
        return
    payload = context.args[0]
    if not is_valid_payload(payload):
        return
    svc = services(context)
    link = await svc.deep_links.get(payload)
    if link is None or link.kind != LINK_KIND or link.usable_at(svc.clock.now()):
        return
    await svc.out.reply(update, t(await language_for(update, context), "workers.invite.used"))
    raise ApplicationHandlerStop


async def open_invite(update: Update, context: Context, link: DeepLink) -> None:
    """The worker opened the invitation: take it (once) and ask who they are."""
    user = update.effective_user
    if user is None or link.building_id is None:
        return
    svc = services(context)
    lang = await language_for(update, context)
    building = await svc.buildings.get(link.building_id)
    now = svc.clock.now()
    if building is None or not building.active:
        await svc.out.reply(update, t(lang, "start.link_unknown"))
        return
    if not await svc.deep_links.use(link.token, now):
        await svc.out.reply(update, t(lang, "workers.invite.used"))
        return
    await svc.flows.begin(user.id, FLOW_NAME)
    await svc.stores.workers.start_draft(user.id, building.chat_id, now)
    await svc.out.message(user.id, t(lang, "workers.ask_name", building=building.title),
                          keyboard=_cancel_keyboard(lang))


def _label_problem(lang: str, problem: LabelProblem, typed: str) -> str:
    if problem is LabelProblem.TOO_LONG:
        return tn(lang, "workers.label.too_long", len(" ".join(typed.split())), limit=LABEL_MAX)
    return t(lang, "workers.label.empty")


class WorkerFlow:
    """The worker's name, then organisation, typed privately."""

    name = FLOW_NAME

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._store = svc.stores.workers

    async def waiting(self, user_id: int) -> bool:
        draft = await self._store.draft(user_id)
        if draft is None:
            return False
        if self._svc.clock.now() - draft.started_at > timedelta(days=DRAFT_DAYS):
            await self._store.drop_draft(user_id)
            return False
        return True

    async def end(self, user_id: int) -> None:
        await self._store.drop_draft(user_id)

    async def on_stop(self, update: Update, context: Context) -> None:
        user = update.effective_user
        if user is not None and await self._store.drop_draft(user.id):
            await self._svc.out.reply(update, t(await language_for(update, context),
                                                "workers.cancelled"))

    async def on_text(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        svc, store = self._svc, self._store
        draft = await store.draft(user.id)
        if draft is None:
            return
        lang = await language_for(update, context)
        cleaned = clean_label(message.text)
        cancel = _cancel_keyboard(lang)
        if isinstance(cleaned, LabelProblem):
            await svc.out.reply(update, _label_problem(lang, cleaned, message.text),
                                keyboard=cancel)
            return
        if draft.step == "name":
            await store.set_draft_name(user.id, cleaned)
            await svc.out.reply(update, t(lang, "workers.ask_organisation", name=cleaned),
                                keyboard=cancel)
            return
        building = await svc.buildings.get(draft.building_id)
        if building is None or not building.active:
            await store.drop_draft(user.id)
            await svc.out.reply(update, t(lang, "start.link_unknown"))
            return
        now = svc.clock.now()
        threshold = objection_threshold(await store.chosen_threshold(building.chat_id),
                                        await svc.memberships.count_current(building.chat_id))
        finished = await store.finish(user.id, cleaned, now, threshold)
        if finished is None:
            return
        consent, created = finished
        if not created:
            await svc.cards.refresh(card_ref(consent.id))
            await svc.out.reply(update, t(lang, "workers.updated", building=building.title))
            return
        await svc.scheduler.add(DECIDE_KIND, f"consent:{consent.id}", consent.access_from,
                                building_id=building.chat_id, payload={"consent_id": consent.id})
        await svc.cards.post(card_ref(consent.id))
        await svc.out.reply(update, t(lang, "workers.proposed", building=building.title,
                                      date=day(svc, lang, consent.access_from)))


async def on_cancel(update: Update, context: Context) -> None:
    press = await Press.open_own_chat(update, context, "error.stale_button", Speaks.READER)
    if press is None:
        return
    dropped = await press.svc.stores.workers.drop_draft(press.user.id)
    await press.answer()
    if dropped:
        await press.svc.out.replace_pressed(update, t(press.lang, "workers.cancelled"))
