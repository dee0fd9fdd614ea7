"""The clock: APScheduler 3.11 runs the outbox sweeps and the planners; it holds no state.

Jobs are created here at start-up in an in-memory job store, never pickled. Every
job is `max_instances=1` and `coalesce`d with a generous misfire grace time, so a
slow sweep delays the next one instead of piling up, and a planner that missed
its time while the process slept runs once when it wakes. What must survive a
restart (rows, reminders already planned, leases) is in the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.channels.base import Sender
from bot.outbox.dispatcher import ChannelDispatcher, DispatchConfig
from bot.outbox.outcomes import RetryPolicy
from bot.outbox.ratelimit import ChannelLimits
from bot.settings import Settings
from handlers.agency import AgencyProfile
from handlers.attachments import AttachmentBuilder
from handlers.capability import Planner
from handlers.dashboard.auth import end_idle_sessions
from messages import Renderer
from storage.database import Database
from storage.scrub import Scrubber

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

MISFIRE_GRACE = 3600
PLAN_EVERY = timedelta(minutes=5)
# SQLite only: how often the WAL is copied into the database file (see Database.checkpoint).
CHECKPOINT_EVERY = 2.0
# How often to look for erasures (Hapus data) not yet scrubbed from the database files; this is
# the bound the README states for erased values to leave them (storage/scrub.py).
SCRUB_EVERY = 30.0
# How often dashboard sessions idle past their limit are removed (handlers/dashboard/auth.py).
SESSIONS_EVERY = 600.0


def channel_limits(settings: Settings, channel: str) -> ChannelLimits:
    if channel == "whatsapp":
        return ChannelLimits(settings.outbox_whatsapp_per_second, settings.outbox_whatsapp_per_user_seconds)
    return ChannelLimits(settings.outbox_telegram_per_second, settings.outbox_telegram_per_chat_seconds)


def dispatch_config(
    settings: Settings, quiet_kinds: Collection[str] = (), template_kinds: Collection[str] = ()
) -> DispatchConfig:
    return DispatchConfig(
        quiet_kinds=frozenset(quiet_kinds),
        template_kinds=frozenset(template_kinds),
        batch=settings.outbox_batch,
        row_lease=timedelta(seconds=settings.outbox_lease_seconds),
        sender_lease=timedelta(seconds=settings.outbox_sender_lease_seconds),
        max_in_flight=settings.outbox_in_flight,
        retry=RetryPolicy(),
    )


def _guarded(name: str, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job()
        except asyncio.CancelledError:
            # Stopping mid-sweep is safe (leased rows come back after their lease); without this,
            # APScheduler reports every clean shutdown as a failed job.
            log.info("scheduler.job_cancelled", extra={"job": name})
        except Exception:
            log.exception("scheduler.job_failed", extra={"job": name})

    return run


@dataclass
class OutboxService:
    """The dispatchers (one per channel with a sender) and the planners, on one scheduler."""

    dispatchers: list[ChannelDispatcher]
    planners: list[Planner]
    sweep_every: float
    plan_every: timedelta = PLAN_EVERY
    scheduler: AsyncIOScheduler | None = None
    checkpoint_db: Database | None = None  # SQLite: checkpointed in the background
    scrub: Scrubber | None = None  # after Hapus data, the erased values leave the database files
    sessions_db: Database | None = None  # dashboard sessions idle too long are removed

    @classmethod
    def build(
        cls,
        settings: Settings,
        db: Database,
        renderer: Renderer,
        agency: AgencyProfile,
        *,
        senders: Sequence[Sender],
        planners: Sequence[Planner] = (),
        quiet_kinds: Collection[str] = (),
        attachments: Mapping[str, AttachmentBuilder] | None = None,
        template_kinds: Collection[str] = (),
        scrub_tables: Collection[str] = (),
    ) -> OutboxService:
        config = dispatch_config(settings, quiet_kinds, template_kinds)
        dispatchers = [
            ChannelDispatcher(
                db,
                sender,
                renderer,
                agency,
                limits=channel_limits(settings, sender.channel),
                config=config,
                attachments=attachments,
            )
            for sender in senders
        ]
        return cls(
            dispatchers,
            list(planners),
            settings.outbox_sweep_seconds,
            checkpoint_db=db if db.is_sqlite else None,
            scrub=Scrubber(db, tuple(scrub_tables)) if scrub_tables else None,
            sessions_db=db,
        )

    @classmethod
    def for_app(cls, app: App, senders: Sequence[Sender]) -> OutboxService:
        """The app's capabilities' planners, and a dispatcher for each sender."""
        return cls.build(
            app.settings,
            app.db,
            app.renderer,
            app.agency,
            senders=senders,
            planners=app.planners(),
            quiet_kinds=app.quiet_kinds(),
            attachments=app.attachments(),
            template_kinds=app.template_only_kinds(),
            scrub_tables=app.erased_tables(),
        )

    def start(self) -> None:
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": MISFIRE_GRACE},
        )
        now = datetime.now(UTC)
        for planner in self.planners:
            scheduler.add_job(
                _guarded(f"plan:{planner.name}", lambda p=planner: p.plan(datetime.now(UTC))),  # type: ignore[misc]
                IntervalTrigger(seconds=self.plan_every.total_seconds()),
                id=f"plan:{planner.name}",
                next_run_time=now,
            )
        for dispatcher in self.dispatchers:
            scheduler.add_job(
                _guarded(f"sweep:{dispatcher.channel}", dispatcher.sweep),
                IntervalTrigger(seconds=self.sweep_every),
                id=f"sweep:{dispatcher.channel}",
                next_run_time=now,
            )
        if self.checkpoint_db is not None:
            scheduler.add_job(
                _guarded("sqlite:checkpoint", self.checkpoint_db.checkpoint),
                IntervalTrigger(seconds=CHECKPOINT_EVERY),
                id="sqlite:checkpoint",
            )
        if self.scrub is not None:
            scheduler.add_job(
                _guarded("erasure:scrub", self.scrub.run),
                IntervalTrigger(seconds=SCRUB_EVERY),
                id="erasure:scrub",
                next_run_time=now,
            )
        if self.sessions_db is not None:
            db = self.sessions_db
            scheduler.add_job(
                _guarded("dashboard:sessions", lambda: end_idle_sessions(db, now=datetime.now(UTC))),
                IntervalTrigger(seconds=SESSIONS_EVERY),
                id="dashboard:sessions",
                next_run_time=now,
            )
        scheduler.start()
        self.scheduler = scheduler
        log.info(
            "outbox.started",
            extra={
                "channels": [d.channel for d in self.dispatchers],
                "planners": [p.name for p in self.planners],
            },
        )

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        for dispatcher in self.dispatchers:
            try:
                await dispatcher.stop()
            except Exception:
                log.exception("outbox.release_failed", extra={"channel": dispatcher.channel})
