"""What every handler and scheduled job may use, built once by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.domain.deeplinks import DeepLink
from bot.menu import MenuCommand
from bot.scheduler import Scheduler
from storage.community import BuildingStore, MembershipStore, ResidentStore
from storage.db import Database
from storage.deep_links import DeepLinkStore
from storage.inbox import UpdateInbox
from storage.schedule import ScheduleStore

LinkRoute = Callable[[Any, Any, DeepLink], Awaitable[None]]
"""(update, context, link): PTB objects stay out of the type here to keep `bot/` free of them."""


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
    bot_username: str = ""
    menu: list[MenuCommand] = field(default_factory=list)
    admin_cache: dict[tuple[int, int], tuple[float, bool]] = field(default_factory=dict)
    link_routes: dict[str, LinkRoute] = field(default_factory=dict)
    """Deep-link kind -> what opening such a link does (features add their own)."""

    @classmethod
    def create(cls, settings: Settings, clock: Clock, db: Database) -> Services:
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            buildings=BuildingStore(db),
            residents=ResidentStore(db),
            memberships=MembershipStore(db),
            inbox=UpdateInbox(db),
            deep_links=DeepLinkStore(db),
            scheduler=Scheduler(ScheduleStore(db), clock),
        )
