"""The outbox service's scheduler: on SQLite it also checkpoints the WAL in the background."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.outbox.scheduler import OutboxService
from bot.settings import load_settings
from handlers.agency import AgencyProfile
from handlers.dashboard.accounts import add_account
from handlers.dashboard.auth import IDLE_LIMIT
from messages import Renderer
from storage.database import Database
from tests.conftest import TEST_SECRET_KEY


@contextlib.asynccontextmanager
async def started(
    db: Database, renderer: Renderer, agency: AgencyProfile, tmp_path: Path
) -> AsyncIterator[AsyncIOScheduler]:
    """The outbox service of an app with no channels, started: its scheduler's jobs."""
    settings = load_settings(data_dir=tmp_path, secret_key=TEST_SECRET_KEY, _env_file=None)
    service = OutboxService.build(settings, db, renderer, agency, senders=[])
    service.start()
    try:
        assert service.scheduler is not None
        yield service.scheduler
    finally:
        await service.stop()


async def test_sqlite_gets_a_background_checkpoint_and_postgresql_does_not(
    db: Database,
    renderer: Renderer,
    agency: AgencyProfile,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with started(db, renderer, agency, tmp_path) as scheduler:
        job = scheduler.get_job("sqlite:checkpoint")
        assert (job is not None) == db.is_sqlite
        if job is not None:
            with caplog.at_level(logging.INFO):
                await job.func()  # guarded: a failure is logged, not raised
            assert not [r for r in caplog.records if r.getMessage() == "scheduler.job_failed"]


async def test_dashboard_sessions_idle_past_their_limit_are_removed_on_the_clock(
    db: Database, renderer: Renderer, agency: AgencyProfile, tmp_path: Path
) -> None:
    """A session whose cookie never comes back (a closed browser) would otherwise stay, with the
    search words it kept."""
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        account = await add_account(
            tx,
            "petugas1",
            role="officer",
            password="a-long-password",
            courier_name=None,
            officer="test",
            now=now,
        )
        for token, seen in (
            ("idle", now - IDLE_LIMIT - timedelta(minutes=1)),
            ("live", now - timedelta(hours=1)),
        ):
            await tx.dashboard_sessions.add(token_hash=token, account_id=account.id, csrf_token="c", now=seen)
    async with started(db, renderer, agency, tmp_path) as scheduler:
        job = scheduler.get_job("dashboard:sessions")
        assert job is not None
        await job.func()
    async with db.transaction() as tx:
        assert await tx.dashboard_sessions.find("idle") is None
        assert await tx.dashboard_sessions.find("live") is not None
