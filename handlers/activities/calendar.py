""""In mijn agenda": the activity as a calendar file, sent privately.

Someone who never opened the bot cannot be written to: the group gets one line with a link that
opens the bot and sends the file there.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.activities import Activity
from bot.domain.calendar import activity_ics, ics_filename
from bot.domain.deeplinks import DeepLink
from bot.i18n import t
from bot.services import Services
from handlers.activities.card import card_ref
from handlers.activities.rsvp import card_press, closed_key
from handlers.kit.context import Context, services, user_language
from handlers.kit.press import Press, pressed_with
from handlers.kit.reach import need_start_line

CALENDAR_LINK = "actics"
"""Deep-link kind: open the bot and receive this activity's calendar file."""


async def send_calendar(svc: Services, user_id: int, activity: Activity) -> None:
    lang = await user_language(svc, user_id)
    data = activity_ics(activity, svc.settings.zone, svc.clock.now())
    await svc.out.document(user_id, ics_filename(activity.title), data,
                           caption=t(lang, "activity.ics.caption", title=activity.title),
                           private=True)


@pressed_with(card_press)
async def on_calendar(press: Press, activity: Activity) -> None:
    svc, user_id = press.svc, press.user.id
    if not activity.is_open:
        await press.tell(closed_key(activity))
        return
    resident = await svc.residents.get(user_id)
    if resident is not None and resident.can_be_messaged:
        await send_calendar(svc, user_id, activity)
        await press.tell("activity.ics.sent")
        return
    await press.tell("activity.ics.open_first")
    await svc.out.send(await need_start_line(
        svc, activity.building_id, user_id, kind=CALENDAR_LINK, target=str(activity.id),
        reply_to_card=card_ref(activity.id)))


async def open_calendar_link(update: Update, context: Context, link: DeepLink) -> None:
    """The deep link from the group for someone who had not opened the bot yet."""
    user = update.effective_user
    if user is None or not link.target.isdigit():
        return
    svc = services(context)
    activity = await svc.stores.activities.get(int(link.target))
    if activity is None or not activity.is_open:
        await svc.out.reply(update, t(await user_language(svc, user.id), "activity.answer.closed"))
        return
    await send_calendar(svc, user.id, activity)
