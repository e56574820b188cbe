"""The care contact, typed privately by a group's admin.

The menu's "type it privately" button opens a private chat; the bot then waits for the admin's
text. The waiting is a row in the database, so a restart in between loses nothing. Any other
command means the admin moved on: the wait ends before that command is handled (handler group
`order.CONTACT_MOVED_ON`, ahead of everything), so it never catches text meant for whatever the
command starts. /stop and the Stop button end it and say so.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.domain import settings as rules
from bot.domain.deeplinks import DeepLink
from bot.i18n import plain, t
from bot.services import Services
from handlers import order
from handlers.kit.buttons import button, keyboard
from handlers.kit.command import stop_flow
from handlers.kit.context import Context, remember, resident_language, user_language
from handlers.kit.guards import admin_now
from handlers.kit.press import Press, Speaks
from handlers.prompts.menu import CONTACT_LINK, PREFIX
from handlers.prompts.settings import contact_problem, save_contact

CONTACT_FIELD = "contact"
DRAFT_MINUTES = 60
STOP_COMMAND = "stop"


def command_name(text: str) -> str:
    """`/stop@OmzienBot now` -> `stop`."""
    return text.split(maxsplit=1)[0][1:].partition("@")[0].lower() if text else ""


class ContactFlow:
    """An admin typing the care contact of one of their groups, privately."""

    name = "settings.contact"

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._drafts = svc.stores.prompts

    async def waiting(self, user_id: int) -> bool:
        draft = await self._drafts.draft(user_id, self._svc.clock.now())
        return draft is not None and draft.field == CONTACT_FIELD

    async def end(self, user_id: int) -> None:
        await self._drafts.end_draft(user_id)

    async def open_link(self, update: Update, context: Context, link: DeepLink) -> None:
        """The menu's "type it privately" button: wait for the admin's text in this chat."""
        user, svc = update.effective_user, self._svc
        if user is None or link.building_id is None:
            return
        lang = await user_language(svc, user.id)
        building = await svc.buildings.get(link.building_id)
        if building is None or not building.active:
            await svc.out.message(user.id, t(lang, "start.link_unknown"))
            return
        if not await admin_now(context, building.chat_id, user.id):
            await svc.out.message(user.id, t(lang, "settings.contact.not_admin"))
            return
        await svc.flows.begin(user.id, self.name)
        now = svc.clock.now()
        await self._drafts.start_draft(user.id, building.chat_id, CONTACT_FIELD, now,
                                       now + timedelta(minutes=DRAFT_MINUTES))
        stop = keyboard([button(plain(lang, "settings.button.stop"), PREFIX, STOP_COMMAND)])
        current = building.settings.care_contact or t(lang, "settings.contact.none")
        await svc.out.message(user.id, t(lang, "settings.contact.ask", building=building.title,
                                         current=current, limit=rules.CONTACT_MAX),
                              keyboard=stop)

    async def on_text(self, update: Update, context: Context) -> None:
        message, user, svc = update.effective_message, update.effective_user, self._svc
        if message is None or user is None or message.text is None:
            return
        draft = await self._drafts.draft(user.id, svc.clock.now())
        if draft is None:
            return
        lang = resident_language(svc, await remember(update, context))
        try:
            contact = rules.clean_contact(message.text)
        except rules.InvalidContact as problem:
            await svc.out.reply(update, contact_problem(lang, problem, message.text))
            return
        building = await svc.buildings.get(draft.building_id)
        if building is None or not building.active or not await admin_now(
            context, draft.building_id, user.id
        ):
            await self.end(user.id)
            await svc.out.reply(update, t(lang, "settings.contact.not_admin"))
            return
        await save_contact(svc, building.chat_id, contact)
        await self.end(user.id)
        await svc.out.reply(update, t(lang, "settings.contact.saved_private",
                                      building=building.title, contact=contact))

    async def on_stop(self, update: Update, context: Context) -> None:
        await stop_flow(update, self._svc, self, "settings.contact.cancelled")

    async def on_stop_button(self, update: Update, context: Context) -> None:
        press = await Press.open_own_chat(update, context, "error.stale_button", Speaks.READER)
        if press is None:
            return
        ended = await self._drafts.end_draft(press.user.id)
        await press.answer()
        if ended:
            await self._svc.out.replace_pressed(update, t(press.lang, "settings.contact.cancelled"))

    async def on_command(self, update: Update, context: Context) -> None:
        """Any command but /stop (which the flows answer) ends the wait, quietly, and goes on
        to its own handler."""
        message, user = update.effective_message, update.effective_user
        if user is not None and message is not None \
                and command_name(message.text or "") != STOP_COMMAND:
            await self.end(user.id)

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        self._svc.flows.register(self)
        self._svc.link_routes[CONTACT_LINK] = self.open_link
        app.add_handler(CallbackQueryHandler(self.on_stop_button,
                                             pattern=rf"^{PREFIX}:{STOP_COMMAND}$"))
        app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND,
                                       self.on_command), group=order.CONTACT_MOVED_ON)
