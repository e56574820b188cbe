"""What every handler and scheduled job may use, built once by the composition root."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from telegram import Bot

from bot.clock import Clock
from bot.config import Settings
from bot.domain.deeplinks import DeepLink
from bot.domain.privacy import ActionCounter
from bot.menu import MenuCommand
from bot.scheduler import Scheduler
from handlers.kit.cards import Cards
from handlers.kit.delivery import DirectDelivery
from handlers.kit.flows import Flows
from handlers.kit.redirects import KIND as REDIRECT_KIND
from handlers.kit.redirects import REMOVE_JOB as REDIRECT_REMOVE_JOB
from handlers.kit.redirects import Redirects
from handlers.kit.send import Delivery, Messenger
from storage.activities import ActivityStore
from storage.community import BuildingStore, MembershipStore, ResidentStore
from storage.db import Database
from storage.deep_links import DeepLinkStore
from storage.ideas import IdeaStore
from storage.inbox import UpdateInbox
from storage.insight_workers import WorkerStore
from storage.insights import InsightStore
from storage.pairing import PairingStore
from storage.privacy import FoundationData, GroupErasureStore, ReportStore, RetentionStore
from storage.prompts import PromptStore
from storage.redirects import RedirectStore
from storage.relay import RelayStore
from storage.requests import RequestStore
from storage.schedule import ScheduleStore

log = logging.getLogger(__name__)

LinkRoute = Callable[[Any, Any, DeepLink], Awaitable[None]]
"""(update, context, link): PTB objects stay out of the type here to keep `bot/` free of them."""

DigestSource = Callable[[int, str, datetime], Awaitable[list[str]]]
"""(building_id, lang, now) -> ready HTML lines for the weekly digest; [] when nothing to say."""

ActivityProbe = Callable[[int], Awaitable[datetime | None]]
"""building_id -> when residents last asked, offered, organised or responded there."""

PromptFilter = Callable[[int, str, datetime], Awaitable[bool]]
"""(user_id, prompt kind, now) -> may a scheduled private prompt of this kind reach them now."""

DepartureHook = Callable[[int, int, datetime], Awaitable[None]]
"""(building_id, user_id, now): a resident left the group (or asked to be forgotten)."""

RelayRoute = Callable[[int, int], Awaitable[int | None]]
"""(item_id, user_id) -> the other person `user_id` may write to through the bot about that
item (a request's requester and helper, a pair), or None when they may not (any more)."""

MoveHook = Callable[[int], Awaitable[None]]
"""(building_id): the group became a supergroup and now has this id. Its cards lost their message
(see `BuildingStore.move`); a feature posts anew there those that are still in use."""

UnreachableHook = Callable[[int, datetime], Awaitable[None]]
"""(user_id, now): Telegram refused a private message to this resident for good (they blocked
the bot); a feature waiting on them lets go."""


@dataclass(frozen=True)
class ReportedCard:
    """What admins are shown about a reported card, and where the card is."""

    building_id: int
    chat_id: int
    message_id: int | None
    summary: str
    """Plain text (escaped when shown); no name of the person who posted it is needed."""


class Reportable(Protocol):
    """A feature whose group cards can be reported ("Meld") and hidden by the group's admins."""

    async def describe(self, item_id: int, lang: str) -> ReportedCard | None:
        """The card, or None when it no longer exists."""
        ...

    async def hide(self, item_id: int, now: datetime) -> bool:
        """Take the card out of use (the caller deletes its message); False if already gone."""
        ...


class PersonalData(Protocol):
    """A feature that stores something about a resident says what, and can forget it."""

    name: str

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything this feature keeps about the resident, as JSON-ready data."""
        ...

    async def forget(self, user_id: int, now: datetime) -> None:
        """Erase the resident's personal data here; anonymous counts may stay. Idempotent."""
        ...

    async def expire(self, before: datetime) -> int:
        """Erase texts of things closed or past before `before`, keeping only their counts."""
        ...


class CardFeature(PersonalData, Reportable, Protocol):
    """A feature whose residents post cards in the group (requests, activities, ideas): its
    data is personal and its cards reportable; it knows when its group was last active and
    what a resident who leaves lets go of."""

    async def last_activity(self, building_id: int) -> datetime | None: ...

    async def departed(self, building_id: int, user_id: int, now: datetime) -> None: ...


@dataclass(frozen=True)
class Stores:
    """Every feature's store, built once; features receive them here and never build one."""

    requests: RequestStore
    activities: ActivityStore
    ideas: IdeaStore
    pairing: PairingStore
    prompts: PromptStore
    workers: WorkerStore
    insights: InsightStore
    reports: ReportStore
    erasures: GroupErasureStore
    retention: RetentionStore
    foundation: FoundationData
    relay: RelayStore

    @classmethod
    def create(cls, db: Database) -> Stores:
        return cls(
            requests=RequestStore(db), activities=ActivityStore(db), ideas=IdeaStore(db),
            pairing=PairingStore(db), prompts=PromptStore(db), workers=WorkerStore(db),
            insights=InsightStore(db), reports=ReportStore(db), erasures=GroupErasureStore(db),
            retention=RetentionStore(db), foundation=FoundationData(db), relay=RelayStore(db),
        )


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    buildings: BuildingStore
    residents: ResidentStore
    memberships: MembershipStore
    inbox: UpdateInbox
    deep_links: DeepLinkStore
    scheduler: Scheduler
    stores: Stores
    out: Messenger
    """The one way to send anything (see handlers.kit.send)."""
    cards: Cards
    flows: Flows
    redirects: Redirects
    """Group replies that only point to the private chat, removed a minute later."""
    bot_username: str = ""
    menu: list[MenuCommand] = field(default_factory=list)
    admin_cache: dict[tuple[int, int], tuple[float, bool]] = field(default_factory=dict)
    action_counter: ActionCounter = field(default_factory=ActionCounter)
    """Commands and presses per resident (the per-resident rate limit), in memory."""
    link_routes: dict[str, LinkRoute] = field(default_factory=dict)
    """Deep-link kind -> what opening such a link does (features add their own)."""
    digest_sources: list[DigestSource] = field(default_factory=list)
    activity_probes: list[ActivityProbe] = field(default_factory=list)
    prompt_filters: list[PromptFilter] = field(default_factory=list)
    personal_data: list[PersonalData] = field(default_factory=list)
    departure_hooks: list[DepartureHook] = field(default_factory=list)
    move_hooks: list[MoveHook] = field(default_factory=list)
    unreachable_hooks: list[UnreachableHook] = field(default_factory=list)
    reportables: dict[str, Reportable] = field(default_factory=dict)
    """Card kind (as in the `rep:<kind>:<id>` button) -> how to describe and hide such a card."""
    relay_routes: dict[str, RelayRoute] = field(default_factory=dict)
    """Route (as in the `rly:<route>:<id>` button) -> who may write to whom through the bot."""

    async def may_prompt(self, user_id: int, kind: str, now: datetime) -> bool:
        """Every filter must agree before a scheduled private prompt is sent."""
        for allowed in self.prompt_filters:
            if not await allowed(user_id, kind, now):
                return False
        return True

    def add_card_feature(self, kind: str, feature: CardFeature, repost: MoveHook) -> None:
        """Plug in a feature with cards in the group: export, forget and expiry of its data,
        "Meld" on its cards (`kind` as in the button), the group's last activity, a departing
        resident, and `repost` to bring its cards along when the group moves."""
        self.personal_data.append(feature)
        self.reportables[kind] = feature
        self.activity_probes.append(feature.last_activity)
        self.departure_hooks.append(feature.departed)
        self.move_hooks.append(repost)

    async def run_departure_hooks(self, building_id: int, user_id: int, now: datetime) -> None:
        """A resident left (or was forgotten): every feature gets its turn; one failing hook
        does not keep the others from running."""
        for hook in self.departure_hooks:
            try:
                await hook(building_id, user_id, now)
            except Exception:
                log.exception("a departure hook failed for building %s", building_id)

    async def run_move_hooks(self, building_id: int) -> None:
        """The group moved (once, see `BuildingStore.move`): every feature brings its cards
        along; one failing does not keep the others from theirs."""
        for hook in self.move_hooks:
            try:
                await hook(building_id)
            except Exception:
                log.exception("a move hook failed for building %s", building_id)

    async def mark_unreachable(self, user_id: int) -> None:
        """Called by the delivery when a private message is refused for good: recorded, and
        every feature that waits on this resident hears it."""
        await self.residents.mark_unreachable(user_id)
        now = self.clock.now()
        for hook in self.unreachable_hooks:
            await hook(user_id, now)

    @classmethod
    def create(cls, settings: Settings, clock: Clock, db: Database, bot: Bot | None = None,
               delivery: Delivery | None = None) -> Services:
        """`delivery`: where messages go (the outbox); by default straight to `bot` (with
        neither, nothing can be sent: reports and other offline use)."""
        residents = ResidentStore(db)
        filters: list[PromptFilter] = []

        async def may_prompt(user_id: int, kind: str) -> bool:
            now = clock.now()
            for allowed in filters:
                if not await allowed(user_id, kind, now):
                    return False
            return True

        out = Messenger(may_prompt)
        cards = Cards(out)
        scheduler = Scheduler(ScheduleStore(db), clock, zone=settings.zone)
        redirects = Redirects(RedirectStore(db), out, scheduler, clock)
        cards.register(REDIRECT_KIND, redirects)
        scheduler.register(REDIRECT_REMOVE_JOB, redirects.remove, calm=False)
        services = cls(
            settings=settings,
            clock=clock,
            db=db,
            buildings=BuildingStore(db),
            residents=residents,
            memberships=MembershipStore(db),
            inbox=UpdateInbox(db),
            deep_links=DeepLinkStore(db),
            scheduler=scheduler,
            stores=Stores.create(db),
            out=out,
            cards=cards,
            flows=Flows(),
            redirects=redirects,
            prompt_filters=filters,
        )
        if delivery is None and bot is not None:
            delivery = DirectDelivery(bot, cards, services.mark_unreachable)
        if delivery is not None:
            out.attach(delivery)
        return services

