""""Meld": any member can quietly report a card to the group's admins, who hear of it privately
(never who reported it) and may hide the card or let it stand. The first tap only asks whether
they mean it (a tap by mistake reports nothing); a second tap soon after reports. The button
itself is `handlers.kit.buttons.report_button`, which every feature with cards uses."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from functools import partial

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.privacy import Report, ReportState
from bot.i18n import plain, t
from bot.services import ReportedCard, Services
from handlers.kit.buttons import REPORT, button, keyboard, parse_id
from handlers.kit.context import Context, resident_language
from handlers.kit.guards import admin_now, is_member
from handlers.kit.press import Press, Speaks, pressed_with
from handlers.kit.send import Method, Outgoing

log = logging.getLogger(__name__)

HIDE, KEEP = "rhide", "rkeep"
REPORT_DATA = re.compile(rf"^{REPORT}:([a-z][a-z0-9_]{{0,15}}):(\d+)$")
HIDE_DATA = re.compile(rf"^{HIDE}:(\d+)$")
KEEP_DATA = re.compile(rf"^{KEEP}:(\d+)$")
CONFIRM_WITHIN = timedelta(minutes=2)
"""A second tap on "Meld" within this time confirms the report."""

FirstTap = tuple[int, str, int]
"""(resident, card kind, item): who tapped "Meld" once, on which card."""


class ReportConfirmations:
    """First taps on "Meld" waiting for the second, one set per running bot. Kept in memory:
    after a restart the resident is simply asked again."""

    def __init__(self) -> None:
        self._first: dict[FirstTap, datetime] = {}

    def confirmed(self, tap: FirstTap, now: datetime) -> bool:
        """True for the second tap in time; otherwise this tap is remembered as the first."""
        self._first = {key: at for key, at in self._first.items() if now - at < CONFIRM_WITHIN}
        if tap in self._first:
            del self._first[tap]
            return True
        self._first[tap] = now
        return False


async def on_report(update: Update, context: Context, confirmations: ReportConfirmations) -> None:
    """A resident pressed "Meld" on a card: asked once whether they mean it, then the admins
    hear of it privately; nobody learns who."""
    press = await Press.open(update, context, Speaks.READER)
    if press is None or press.chat is None:
        return
    svc, chat, lang = press.svc, press.chat, press.lang
    match = REPORT_DATA.match(press.data)
    reportable = svc.reportables.get(match.group(1)) if match else None
    item_id = parse_id(match.group(2)) if match else None
    if match is None or reportable is None or item_id is None or not press.in_group:
        await press.tell("error.stale_button")
        return
    kind = match.group(1)
    card = await reportable.describe(item_id, lang)
    building = await svc.buildings.get(chat.id)
    if card is None or card.building_id != chat.id or building is None:
        await press.tell("error.stale_button")
        return
    if not await is_member(context, chat.id, press.user.id):
        await press.tell("report.members_only", alert=True)
        return
    if not confirmations.confirmed((press.user.id, kind, item_id), svc.clock.now()):
        await press.tell("report.confirm", alert=True)
        return
    report, new = await svc.stores.reports.open(chat.id, kind, item_id, svc.clock.now())
    if not new:
        await press.tell("report.thanks", alert=True)
        return
    reached = await _alert_admins(context, svc, report, card, building.title)
    log.info("card %s:%s reported in %s; %d admin(s) told", kind, item_id, chat.id, reached)
    await press.tell("report.thanks" if reached else "report.no_admins", alert=True)


async def _alert_admins(
    context: Context, svc: Services, report: Report, card: ReportedCard, title: str
) -> int:
    """Every admin is written to privately; the count is of those who can be reached (they
    opened the bot and did not block it), as Telegram refuses the others."""
    try:
        admins = await context.bot.get_chat_administrators(report.building_id)
    except TelegramError:
        return 0
    reached = 0
    for admin in admins:
        person = admin.user
        if person.is_bot:
            continue
        resident = await svc.residents.get(person.id)
        lang = resident_language(svc, resident)
        choices = keyboard([button(plain(lang, "report.button_hide"), HIDE, report.id),
                            button(plain(lang, "report.button_keep"), KEEP, report.id)])
        await svc.out.private(person.id, t(lang, "report.alert", building=title,
                                           summary=card.summary), keyboard=choices)
        if resident is not None and resident.can_be_messaged:
            reached += 1
    return reached


async def _admin_report(update: Update, context: Context,
                        pattern: re.Pattern[str]) -> tuple[Press, Report] | None:
    """The press on Verbergen/Laten staan and the report behind it, if the presser may decide
    on it now. The alert went privately to the admins of the report's group: anyone else hears
    the same line whether the report exists or not, so nobody counts the reports of any group."""
    press = await Press.open(update, context, Speaks.READER)
    if press is None:
        return None
    match = pattern.match(press.data)
    report_id = parse_id(match.group(1)) if match else None
    if report_id is None or not press.in_own_chat:
        await press.tell("error.stale_button")
        return None
    report = await press.svc.stores.reports.get(report_id)
    if report is None or not await admin_now(context, report.building_id, press.user.id):
        await press.tell("report.admin_only", alert=True)
        return None
    if report.state is not ReportState.OPEN:
        await press.tell("report.done_before")
        return None
    return press, report


@pressed_with(partial(_admin_report, pattern=HIDE_DATA))
async def on_hide(press: Press, report: Report) -> None:
    """The card's thing is taken out of use and its message deleted; when Telegram will not
    delete it, the admin is asked, under the alert, to remove it by hand."""
    svc, lang, query = press.svc, press.lang, press.query
    now = svc.clock.now()
    reportable = svc.reportables.get(report.kind)
    card = await reportable.describe(report.item_id, lang) if reportable else None
    if not await svc.stores.reports.close(report.id, ReportState.HIDDEN, now):
        await press.tell("report.done_before")
        return
    if reportable is not None:
        await reportable.hide(report.item_id, now)
    if card is not None and card.message_id is not None:
        by_hand = Outgoing(chat_id=press.user.id, method=Method.SEND,
                           text=t(lang, "report.hidden_manual"),
                           reply_to=query.message.message_id if query.message else None)
        await svc.out.send(Outgoing(chat_id=card.chat_id, method=Method.DELETE,
                                    message_id=card.message_id, on_refused=by_hand))
    log.info("reported card %s:%s hidden by an admin", report.kind, report.item_id)
    await press.answer()
    await svc.out.replace_pressed(press.update, t(lang, "report.hidden"))


@pressed_with(partial(_admin_report, pattern=KEEP_DATA))
async def on_keep(press: Press, report: Report) -> None:
    if not await press.svc.stores.reports.close(report.id, ReportState.KEPT,
                                                press.svc.clock.now()):
        await press.tell("report.done_before")
        return
    await press.answer()
    await press.svc.out.replace_pressed(press.update, t(press.lang, "report.kept"))


def register_reports(app: Application) -> None:  # type: ignore[type-arg]
    confirmations = ReportConfirmations()

    async def on_report_press(update: Update, context: Context) -> None:
        await on_report(update, context, confirmations)

    app.add_handler(CallbackQueryHandler(on_report_press, pattern=rf"^{REPORT}:"))
    app.add_handler(CallbackQueryHandler(on_hide, pattern=rf"^{HIDE}:"))
    app.add_handler(CallbackQueryHandler(on_keep, pattern=rf"^{KEEP}:"))
