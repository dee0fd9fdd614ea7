"""Several `umkm-bot run` processes on one PostgreSQL database: all take webhooks, one sends, a dead
sender hands over. (SQLite takes one `run`: tests/bot/test_sqlite_one_run.py.)"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from handlers.types import utcnow
from storage.crypto import Cipher
from storage.database import Database
from storage.models.outbox import OutboxSender
from tests.bot.channels.conftest import APP_SECRET
from tests.bot.cli_helpers import cli_env
from tests.bot.conftest import Running, free_port, whatsapp_env
from tests.bot.outbox.helpers import broadcast_text
from tests.bot.outbox.seed import seed_owners
from tests.conftest import TEST_SECRET_KEY
from tests.fakes import FakeWhatsApp, sign, text_message_payload
from tests.profiles import profile_without_quiet_hours

pytestmark = pytest.mark.postgresql

SENDER_LEASE = 2.0


@pytest.fixture
def wa() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as fake:
        yield fake


def _start(tmp_path: Path, database_url: str, wa: FakeWhatsApp, name: str) -> Running:
    port = free_port()
    env = cli_env(
        tmp_path / "data",
        DATABASE_URL=database_url,
        HTTP_PORT=str(port),
        AGENCY_PROFILE=str(profile_without_quiet_hours(tmp_path)),
        OUTBOX_SWEEP_SECONDS="0.2",
        OUTBOX_SENDER_LEASE_SECONDS=str(SENDER_LEASE),
        OUTBOX_LEASE_SECONDS="3",
        **whatsapp_env(wa),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / f"{name}.log").open("w"),
        env=env,
        cwd=tmp_path,
    )
    running = Running(process, port)  # type: ignore[arg-type]
    try:
        running.health()
    except BaseException:
        process.kill()  # a process that did not come up is not left running after the test
        process.wait()
        raise
    return running


def _say(running: Running, wa_id: str, text: str) -> None:
    body = json.dumps(text_message_payload(wa_id, text)).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)}
    response = httpx.post(f"{running.url}/webhooks/whatsapp", content=body, headers=headers, trust_env=False)
    assert response.status_code == 200


async def _sender_pid(db: Database) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        async with db.transaction() as tx:
            owner = await tx.session.scalar(
                select(OutboxSender.owner).where(OutboxSender.channel == "whatsapp")
            )
        if owner:
            return int(owner.split(":")[1])
        await asyncio.sleep(0.1)
    raise AssertionError("no process took the WhatsApp sender lease")


async def test_two_processes_share_webhooks_and_a_dead_sender_hands_over(
    tmp_path: Path, database_url: str, wa: FakeWhatsApp
) -> None:
    first = _start(tmp_path, database_url, wa, "first")
    try:
        second = _start(tmp_path, database_url, wa, "second")
    except BaseException:
        first.process.kill()
        first.process.wait()
        raise
    processes = {first.process.pid: first, second.process.pid: second}
    db = Database(database_url, cipher=Cipher(TEST_SECRET_KEY))
    try:
        # Both take webhooks and answer.
        _say(first, "6281355501001", "halo")
        _say(second, "6281355501002", "halo")
        for wa_id in ("6281355501001", "6281355501002"):
            assert "Menu utama" in json.dumps(wa.wait_for_messages(1, to=wa_id, timeout=15)[0])

        owners = await seed_owners(db, 5, channel="whatsapp", first=100)
        await broadcast_text(db, "Pengumuman pertama.", now=utcnow())
        for wa_id in owners:
            wa.wait_for_messages(1, to=wa_id, timeout=15)

        sender = processes[await _sender_pid(db)]
        sender.process.send_signal(signal.SIGKILL)
        sender.process.wait(timeout=10)
        survivor = second if sender is first else first

        started = time.monotonic()
        await broadcast_text(db, "Pengumuman kedua.", now=utcnow())
        for wa_id in owners:
            wa.wait_for_messages(2, to=wa_id, timeout=SENDER_LEASE + 20)
        assert time.monotonic() - started < SENDER_LEASE + 20
        assert survivor.process.poll() is None
        for wa_id in owners:  # every owner got each announcement exactly once
            texts = [json.dumps(m) for m in wa.sent_messages(to=wa_id)]
            assert len(texts) == 2
            assert sum("pertama" in t for t in texts) == 1 and sum("kedua" in t for t in texts) == 1
        assert await _sender_pid(db) == survivor.process.pid
    finally:
        await db.close()
        for running in processes.values():
            if running.process.poll() is None:
                running.process.send_signal(signal.SIGTERM)
                running.process.wait(timeout=15)
