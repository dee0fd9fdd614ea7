"""The outbox service's scheduler: on SQLite it also checkpoints the WAL in the background."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.outbox.scheduler import OutboxService
from bot.settings import load_settings
from handlers.agency import AgencyProfile
from messages import Renderer
from storage.database import Database
from tests.conftest import TEST_SECRET_KEY


async def test_sqlite_gets_a_background_checkpoint_and_postgresql_does_not(
    db: Database,
    renderer: Renderer,
    agency: AgencyProfile,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings(data_dir=tmp_path, secret_key=TEST_SECRET_KEY, _env_file=None)
    service = OutboxService.build(settings, db, renderer, agency, senders=[])
    service.start()
    try:
        assert service.scheduler is not None
        job = service.scheduler.get_job("sqlite:checkpoint")
        assert (job is not None) == db.is_sqlite
        if job is not None:
            with caplog.at_level(logging.INFO):
                await job.func()  # guarded: a failure is logged, not raised
            assert not [r for r in caplog.records if r.getMessage() == "scheduler.job_failed"]
    finally:
        await service.stop()
