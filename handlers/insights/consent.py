"""The group's consent to a community worker, as the group and the worker see it.

One card in the group per proposal, showing where it stands (proposed, let in, paused, declined,
stopped) with the objection button while it is live; one short line in the group and one private
message to the worker at every change. The changes themselves are plain moves of the stored
status (`WorkerStore.move`), so a second press or a late job changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from bot.dates_text import day_month_text
from bot.domain.worker_consent import ConsentStatus, outcome
from bot.i18n import Safe, plain, t
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.kit.cards import RenderedCard
from handlers.kit.context import group_language, user_language
from handlers.kit.send import CardRef
from storage.insight_workers import Consent

CARD_KIND = "worker"
PREFIX = "wrk"
DECIDE_KIND = "insights.consent"
"""The schedule row that ends a proposal's days to object."""

CARD_KEYS = {
    ConsentStatus.PROPOSED: "workers.card.proposed",
    ConsentStatus.ACTIVE: "workers.card.active",
    ConsentStatus.PAUSED: "workers.card.paused",
    ConsentStatus.DECLINED: "workers.card.declined",
    ConsentStatus.STOPPED: "workers.card.stopped",
}


def card_ref(consent_id: int) -> CardRef:
    return CardRef(kind=CARD_KIND, item_id=consent_id)


def who(lang: str, consent: Consent) -> dict[str, str]:
    """The worker as the group knows them (a forgotten worker has no name left)."""
    return {"name": consent.name or plain(lang, "workers.someone"),
            "organisation": consent.organisation or "–"}


def day(svc: Services, lang: str, moment: datetime) -> str:
    return day_month_text(lang, moment.astimezone(svc.settings.zone).date())


def what_they_see(lang: str, consent: Consent) -> Safe:
    return Safe(t(lang, "workers.what", name=who(lang, consent)["name"]))


class WorkerCards:
    """The proposal card: rendered from the stored consent every time."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._store = svc.stores.workers

    async def render(self, item_id: int) -> RenderedCard | None:
        consent = await self._store.get(item_id)
        if consent is None:
            return None
        lang = await group_language(self._svc, consent.building_id)
        text = t(lang, CARD_KEYS[consent.status], **who(lang, consent),
                 what=what_they_see(lang, consent),
                 date=day(self._svc, lang, consent.access_from), threshold=consent.threshold,
                 objections=await self._store.objections(consent.id))
        live = consent.status in (ConsentStatus.PROPOSED, ConsentStatus.ACTIVE)
        buttons = keyboard([button(plain(lang, "workers.object.button"), PREFIX, "obj", consent.id)])
        return RenderedCard(chat_id=consent.building_id, text=text,
                            keyboard=buttons if live else None)

    async def message_id(self, item_id: int) -> int | None:
        consent = await self._store.get(item_id)
        return None if consent is None else consent.card_message_id

    async def record(self, item_id: int, message_id: int) -> None:
        await self._store.record_card(item_id, message_id)


GROUP_LINES = {
    ConsentStatus.ACTIVE: "workers.group.active",
    ConsentStatus.PAUSED: "workers.group.paused",
    ConsentStatus.DECLINED: "workers.group.declined",
    ConsentStatus.STOPPED: "workers.stop.done",
}
WORKER_LINES = {
    ConsentStatus.ACTIVE: "workers.worker.active",
    ConsentStatus.PAUSED: "workers.worker.paused",
    ConsentStatus.DECLINED: "workers.worker.declined",
    ConsentStatus.STOPPED: "workers.stopped_worker",
}


async def tell(svc: Services, consent: Consent, status: ConsentStatus, *,
               worker_key: str | None = None, group_key: str | None = None,
               group_line: bool = True) -> None:
    """The consent became `status`: its card shows it, the group reads one line (unless the
    group saw it already, where an admin pressed), the worker is told privately."""
    await svc.cards.refresh(card_ref(consent.id))
    group_lang = await group_language(svc, consent.building_id)
    line = group_key or GROUP_LINES.get(status)
    if line is not None and group_line:
        await svc.out.message(consent.building_id, t(group_lang, line, **who(group_lang, consent)))
    building = await svc.buildings.get(consent.building_id)
    title = building.title if building is not None else ""
    worker_lang = await user_language(svc, consent.worker_id)
    private = worker_key or WORKER_LINES.get(status)
    if private is not None:
        await svc.out.private(consent.worker_id, t(worker_lang, private, building=title))


async def decide(svc: Services, consent_id: int, now: datetime) -> bool:
    """A proposal's days are over: let the worker in, unless enough residents objected or the
    group never saw the proposal. False when it was settled before."""
    store = svc.stores.workers
    consent = await store.get(consent_id)
    if consent is None or consent.status is not ConsentStatus.PROPOSED or now < consent.access_from:
        return False
    seen = consent.card_message_id is not None
    status = outcome(await store.objections(consent.id), consent.threshold, seen)
    if not await store.move(consent.id, [ConsentStatus.PROPOSED], status, now):
        return False
    await tell(svc, consent, status, worker_key=None if seen else "workers.worker.unseen",
               group_key=None if seen else "workers.group.unseen")
    return True


async def stopped(svc: Services, consent: Consent, *, group_line: bool = True) -> None:
    """An admin stopped it: no decision is due any more; the group and the worker hear it."""
    await svc.scheduler.cancel(DECIDE_KIND, f"consent:{consent.id}")
    await tell(svc, consent, ConsentStatus.STOPPED, group_line=group_line)


async def after_forget(svc: Services, consent: Consent) -> None:
    """The worker asked to be forgotten: their proposal or access ends; the group is told who
    it was (this once, from what was kept until now) and the card no longer names them."""
    await svc.scheduler.cancel(DECIDE_KIND, f"consent:{consent.id}")
    await svc.cards.refresh(card_ref(consent.id))
    lang = await group_language(svc, consent.building_id)
    await svc.out.message(consent.building_id, t(lang, "workers.stop.done", **who(lang, consent)))
