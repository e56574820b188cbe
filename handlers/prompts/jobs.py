"""Scheduled posts in a group (the weekly digest, a gentle nudge), run the same way.

Each post is a schedule row per group, planned from the group's settings. After a row runs the
next one is planned, and a planner makes sure every active group with the post switched on has
one pending, so a restart, a skipped week or a change of settings never leaves a group without.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.community import Building
from bot.domain.schedule import ItemState, ScheduledItem
from bot.services import Services


class GroupPost(Protocol):
    kind: str
    """The schedule kind of its rows."""
    switch: str
    """The group setting that turns it on (`digest_enabled`, `nudges_enabled`)."""

    async def post(self, building: Building, item: ScheduledItem, now: datetime) -> bool:
        """Post it, if there is something to say now; False when nothing was posted."""
        ...

    async def plan_next(self, building: Building, item: ScheduledItem | None,
                        now: datetime) -> None:
        """Make sure the group's next row is pending: after `item` ran, or (None) when the
        group has none."""
        ...


def switched_on(post: GroupPost, building: Building) -> bool:
    return building.active and bool(getattr(building.settings, post.switch))


def schedule_group_post(svc: Services, post: GroupPost) -> None:
    """Run `post`'s rows when due and keep one pending for every group that has it on."""

    async def run(item: ScheduledItem, now: datetime) -> ItemState:
        building = await svc.buildings.get(item.building_id) \
            if item.building_id is not None else None
        if building is None or not switched_on(post, building):
            return ItemState.SKIPPED
        posted = await post.post(building, item, now)
        await post.plan_next(building, item, now)
        return ItemState.DONE if posted else ItemState.SKIPPED

    async def planner(now: datetime) -> None:
        for building_id in await svc.stores.prompts.unplanned(post.kind, post.switch):
            if svc.scheduler.stopping:
                return  # the rest are planned at the next start
            building = await svc.buildings.get(building_id)
            if building is not None:
                await post.plan_next(building, None, now)

    svc.scheduler.register(post.kind, run)
    svc.scheduler.add_planner(planner)


def post_key(item: ScheduledItem) -> str:
    """One message per row, even when a row is run a second time."""
    return f"{item.kind}:{item.ref}"
