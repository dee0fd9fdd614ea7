"""Run `umkm-bot` as a real process, with a clean environment of our choosing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.settings import Settings
from handlers.officer import OfficerError
from tests.conftest import TEST_SECRET_KEY
from tests.handlers.trainings.helpers import Clock, Officer


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "DATABASE_"))}
    env.update(DATA_DIR=str(data_dir), SECRET_KEY=TEST_SECRET_KEY, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def run_cli(
    args: list[str], data_dir: Path, *, stdin: str = "", timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(data_dir, **env),
        cwd=data_dir.parent,
        check=False,
    )


async def officer_cli(app: App, settings: Settings, args: list[str]) -> subprocess.CompletedProcess[str]:
    """An officer command in this process, reported as `run_cli` reports a real one: what it
    printed, and exit status 2 with one `umkm-bot: ` line for a refusal. A process costs about
    a second of start-up; a test keeps one real process for the wiring and runs the rest here."""
    officer = Officer(app.db, app.agency, settings, Clock(datetime.now(UTC)))
    try:
        out = await officer.run(*args)
    except OfficerError as exc:
        return subprocess.CompletedProcess(args, 2, "", f"umkm-bot: {exc}\n")
    return subprocess.CompletedProcess(args, 0, out, officer.err)
