"""The anonymous figures: /cijfers for the group and for the community workers it agreed to.

`report` sends the figures (`render`, `chart` and `table` make the message, the chart and the
file, in the words of `labels`); `flow` proposes a worker to the group; `consent` shows and
settles a proposal; `objections` lets residents object and admins answer; `admin` and `access`
are the admins' and residents' lists; `data` reads a building's figures and keeps a worker's
own data.
"""

from __future__ import annotations

from datetime import datetime

from telegram.ext import Application, CommandHandler, filters

from bot.domain.schedule import ItemState, ScheduledItem
from bot.services import Services
from handlers import order
from handlers.insights import access, admin, flow, objections, report
from handlers.insights.consent import CARD_KIND, DECIDE_KIND, PREFIX, WorkerCards, decide
from handlers.insights.data import WorkerData
from handlers.insights.report import COMMANDS
from handlers.kit.command import route_commands
from handlers.kit.press import route_presses

__all__ = ["COMMANDS", "register"]


def register(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    svc.cards.register(CARD_KIND, WorkerCards(svc))
    svc.flows.register(flow.WorkerFlow(svc))
    svc.link_routes[flow.LINK_KIND] = flow.open_invite
    svc.link_routes[report.LINK_KIND] = report.open_figures_link
    svc.personal_data.append(WorkerData(svc))

    async def decision(item: ScheduledItem, now: datetime) -> ItemState | None:
        consent_id = item.payload.get("consent_id")
        if not isinstance(consent_id, int) or not await decide(svc, consent_id, now):
            return ItemState.SKIPPED
        return None

    svc.scheduler.register(DECIDE_KIND, decision)
    route_commands(app, {
        ("uitnodigen", "invite"): flow.invite,
        ("cijfersstop", "stopstats"): admin.show_workers,
        ("bezwaren", "objections"): admin.show_limit,
        ("toegang", "access"): access.show_access,
    })
    route_presses(app, {
        rf"^{PREFIX}:stop:": admin.on_stop,
        rf"^{PREFIX}:resume:": objections.on_resume,
        rf"^{PREFIX}:obj:": objections.on_object,
        rf"^{PREFIX}:limit:": admin.on_limit,
        rf"^{PREFIX}:cancel$": flow.on_cancel,
    })
    app.add_handler(
        CommandHandler("start", flow.refuse_used_invite, filters=filters.ChatType.PRIVATE),
        group=order.WORKER_START,
    )
    app.add_handler(CommandHandler(["cijfers", "stats"], report.show_insights))
