"""`umkm-bot run` as a real process on a free port (`run_bot`), stopped after the test."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.bot.channels.conftest import APP_SECRET, VERIFY_TOKEN
from tests.bot.cli_helpers import cli_env
from tests.fakes import FakeWhatsApp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Running:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    def health(self) -> dict[str, Any]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"umkm-bot run exited {self.process.returncode}")
            try:
                response = httpx.get(f"{self.url}/healthz", timeout=2, trust_env=False)
                return dict(response.json())
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the HTTP server never answered")

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it: the replies in hand are sent first."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=15)


@pytest.fixture
def run_bot(tmp_path: Path, database_url: str) -> Iterator[Any]:
    started: list[Running] = []

    def start(**env: str) -> Running:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(tmp_path / "data", **{"DATABASE_URL": database_url, "HTTP_PORT": str(port), **env}),
            cwd=tmp_path,
        )
        started.append(Running(process, port))
        return started[-1]

    yield start
    for running in started:
        try:
            running.stop()  # a no-op for one the test stopped
        except subprocess.TimeoutExpired:
            running.process.kill()
            raise
        stderr = running.process.stderr
        assert running.process.returncode == 0, stderr.read() if stderr else ""


def whatsapp_env(wa: FakeWhatsApp) -> dict[str, str]:
    return {
        "WHATSAPP_ACCESS_TOKEN": wa.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_API_BASE_URL": wa.api_base_url,
        "WHATSAPP_API_VERSION": wa.api_version,
    }
