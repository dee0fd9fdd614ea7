"""Run `umkm-bot` as a real process, with a clean environment of our choosing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_SECRET_KEY


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
