"""Reliability of the outbox with real processes against the fake Telegram server.

- a sender killed with SIGKILL in the middle of a 2,000-recipient broadcast, then restarted;
- three senders at once on one database (the sender lease lets exactly one send);
(429 and 5xx bursts are in test_dispatcher.py.)

The senders are `umkm-bot outbox run` subprocesses with the real Telegram Sender.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

import tests.profiles as tests_profiles
from handlers.agency import AgencyProfile
from handlers.types import utcnow
from storage.database import Database
from storage.models.outbox import SENT, OutboxSender
from tests.bot.outbox.conftest import TOKEN
from tests.bot.outbox.helpers import broadcast_text
from tests.bot.outbox.seed import seed_owners
from tests.conftest import TEST_SECRET_KEY
from tests.fakes import FakeTelegram

RECIPIENTS = 2000
IN_FLIGHT = 8


@pytest.fixture
def profile_without_quiet_hours(tmp_path: Path) -> Path:
    """The real profile with an empty quiet-hours window, so the test passes at any hour."""
    return tests_profiles.profile_without_quiet_hours(tmp_path)


def sender_env(database_url: str, tg: FakeTelegram, profile: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "DATABASE_"))}
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        SECRET_KEY=TEST_SECRET_KEY,
        AGENCY_PROFILE=str(profile),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=tg.api_base_url,
        OUTBOX_TELEGRAM_PER_SECOND="1000",
        OUTBOX_TELEGRAM_PER_CHAT_SECONDS="1",
        OUTBOX_SWEEP_SECONDS="0.2",
        OUTBOX_LEASE_SECONDS="2",
        OUTBOX_SENDER_LEASE_SECONDS="2",
        OUTBOX_IN_FLIGHT=str(IN_FLIGHT),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_sender(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "outbox", "run"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def delivered(tg: FakeTelegram) -> Counter[str]:
    return Counter(str(p["chat_id"]) for p in tg.sent_messages())


async def all_sent(db: Database) -> bool:
    async with db.transaction() as tx:
        return await tx.outbox.status_counts() == {SENT: RECIPIENTS}


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_all_sent(db: Database, tg: FakeTelegram, seconds: float, logs: list[Path]) -> None:
    """Until every chat has the message and every row is sent. Count the deliveries only after
    stopping the senders: a stopped sender has finished its sends, so a late duplicate is counted."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(delivered(tg)) == RECIPIENTS and await all_sent(db):
            return
        await asyncio.sleep(0.1)
    output = "\n".join(p.read_text(errors="replace")[-3000:] for p in logs if p.exists())
    raise AssertionError(f"not everything was sent: {len(delivered(tg))} chats reached\n{output}")


async def test_a_sender_killed_mid_broadcast_loses_nothing_and_repeats_at_most_what_was_in_flight(
    db: Database,
    database_url: str,
    agency: AgencyProfile,
    profile_without_quiet_hours: Path,
    tmp_path: Path,
) -> None:
    chats = await seed_owners(db, RECIPIENTS)
    with FakeTelegram(TOKEN) as tg:
        await broadcast_text(db, "Pembaruan data UMKM dibuka", now=utcnow())
        env = sender_env(database_url, tg, profile_without_quiet_hours, tmp_path / "data")
        log = tmp_path / "sender.log"
        first = start_sender(env, log)
        try:
            wait_until(lambda: len(tg.sent_messages()) >= RECIPIENTS // 3, 60, "a third of the broadcast")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            at_kill = len(tg.sent_messages())
        finally:
            if first.poll() is None:
                first.kill()
        assert at_kill < RECIPIENTS, "the kill came too late to test anything"
        second = start_sender(env, log)
        try:
            await wait_all_sent(db, tg, 90, [log])
        finally:
            stop(second)
        counts = delivered(tg)
    duplicates = {chat: n for chat, n in counts.items() if n > 1}
    print(
        f"\nSIGKILL after {at_kill} of {RECIPIENTS} sends; duplicates after restart: {len(duplicates)}"
        f" (at most {IN_FLIGHT} in flight could repeat): {sorted(duplicates)}"
    )
    assert set(counts) == set(chats), "every recipient got the message"
    assert len(duplicates) <= IN_FLIGHT
    assert all(n == 2 for n in duplicates.values())


async def test_three_senders_on_one_database_deliver_everything_once(
    db: Database,
    database_url: str,
    profile_without_quiet_hours: Path,
    tmp_path: Path,
) -> None:
    """On PostgreSQL this is the production setup; on SQLite three processes share one file the same way."""
    chats = await seed_owners(db, RECIPIENTS)
    with FakeTelegram(TOKEN) as tg:
        env = sender_env(database_url, tg, profile_without_quiet_hours, tmp_path / "data")
        logs = [tmp_path / f"sender{i}.log" for i in range(3)]
        senders = [start_sender(env, log) for log in logs]
        try:
            await asyncio.sleep(1.0)  # all three are up and competing for the lease before anything is due
            await broadcast_text(db, "Pelatihan digital marketing", now=utcnow())
            await wait_all_sent(db, tg, 90, logs)
        finally:
            for process in senders:
                stop(process)
        counts = delivered(tg)
        async with db.transaction() as tx:
            rows = await tx.session.execute(select(func.count()).select_from(OutboxSender))
            assert rows.scalar_one() == 1, "one sender lease row for the one channel"
    assert set(counts) == set(chats)
    assert max(counts.values()) == 1, f"duplicates: {[c for c, n in counts.items() if n > 1][:10]}"
    for process in senders:
        assert process.returncode == 0, "each sender stops cleanly on SIGTERM"
