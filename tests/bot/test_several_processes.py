"""Several `umkm-bot run` processes on one PostgreSQL database: all take webhooks, one sends, a dead
sender hands over. (SQLite takes one `run`: tests/bot/test_sqlite_one_run.py.)"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.channels.whatsapp.channel import store_delivery
from bot.channels.whatsapp.webhook import parse_webhook
from handlers.types import utcnow
from storage.crypto import Cipher
from storage.database import Database
from storage.models import ChannelIdentity, ConversationState, InboundMessage
from storage.models.outbox import OutboxSender
from tests.bot.channels.conftest import APP_SECRET
from tests.bot.cli_helpers import cli_env, run_cli
from tests.bot.conftest import Running, free_port, whatsapp_env
from tests.bot.outbox.helpers import broadcast_text
from tests.bot.outbox.seed import seed_owners
from tests.conftest import TEST_SECRET_KEY, pg_database, postgres_url
from tests.fakes import FakeTelegram, FakeWhatsApp, sign, text_message_payload
from tests.profiles import profile_without_quiet_hours

pytestmark = pytest.mark.postgresql

SENDER_LEASE = 2.0


@pytest.fixture
def wa() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as fake:
        yield fake


def _start(tmp_path: Path, database_url: str, name: str, **env: str) -> Running:
    """`umkm-bot run` on a free port (its log in tmp_path/NAME.log), once it answers /healthz."""
    process, port = _spawn(tmp_path, database_url, name, **env)
    return _healthy(Running(process, port))  # type: ignore[arg-type]


def _spawn(tmp_path: Path, database_url: str, name: str, **env: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    environment = cli_env(
        tmp_path / "data",
        DATABASE_URL=database_url,
        HTTP_PORT=str(port),
        AGENCY_PROFILE=str(profile_without_quiet_hours(tmp_path)),
        OUTBOX_SWEEP_SECONDS="0.2",
        OUTBOX_SENDER_LEASE_SECONDS=str(SENDER_LEASE),
        OUTBOX_LEASE_SECONDS="3",
        **env,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / f"{name}.log").open("w"),
        env=environment,
        cwd=tmp_path,
    )
    return process, port


def _healthy(running: Running) -> Running:
    try:
        running.health()
    except BaseException:
        running.process.kill()  # a process that did not come up is not left running after the test
        running.process.wait()
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
    first = _start(tmp_path, database_url, "first", **whatsapp_env(wa))
    try:
        second = _start(tmp_path, database_url, "second", **whatsapp_env(wa))
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


# -- Each chat's messages in order, each once, with its deliveries landing on either process -----

# An order the outcome shows: the menu, "Daftar usaha", consent, a name: the form then asks for
# the NIK with the name kept. Taken in another order, the replies and the state differ.
SEQUENCE = ("halo", "1", "1", "Siti Aminah")
REPLIES = ("Menu utama", "Pemberitahuan data pribadi", "nama lengkap", "16 angka")
WHATSAPP_USERS = [f"62813555{n:05d}" for n in range(60)]
TELEGRAM_USERS = [7_000_100 + n for n in range(30)]
BACKLOG = WHATSAPP_USERS[:6]  # their first two messages were stored before the processes started
OVERTAKEN = [7_000_900 + n for n in range(3)]  # Telegram users whose button press stalls on one process
STALL = 2.0
TELEGRAM_SECRET = "several-processes-secret"


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def fresh_database_url() -> AsyncIterator[str]:
    """An empty PostgreSQL database of the test's own, for `umkm-bot db upgrade` to build."""
    pg = postgres_url()
    assert pg is not None, "a PostgreSQL-only test"
    async with pg_database(pg) as url:
        yield url


def _start_two(tmp_path: Path, url: str, wa: FakeWhatsApp, tg: FakeTelegram) -> list[Running]:
    """Two `umkm-bot run` on WhatsApp and Telegram webhooks, started together as a service
    manager starts them (both recover what is stored, both start the outbox)."""
    env = {
        **whatsapp_env(wa),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.api_base_url,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "LOG_LEVEL": "INFO",
    }
    spawned = [
        _spawn(tmp_path, url, name, TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/webhooks/telegram", **env)
        for name, port in (("first", free_port()), ("second", free_port()))
    ]
    try:
        return [_healthy(Running(process, port)) for process, port in spawned]  # type: ignore[arg-type]
    except BaseException:
        for process, _ in spawned:
            if process.poll() is None:
                process.kill()
                process.wait()
        raise


async def _store_backlog(db: Database) -> None:
    """What a stopped bot left stored and unprocessed: both processes recover it at start."""
    async with db.transaction() as tx:
        for text in SEQUENCE[:2]:
            for wa_id in BACKLOG:
                await store_delivery(tx, parse_webhook(text_message_payload(wa_id, text)))


async def _alternate(urls: list[str], tg: FakeTelegram) -> None:
    """Every user sends the SEQUENCE, message k of user n to process (n + k) % 2, each message as
    soon as the previous one is acknowledged (stored), never waiting for the answers."""

    async def whatsapp_user(client: httpx.AsyncClient, n: int, wa_id: str) -> None:
        for k in range(2 if wa_id in BACKLOG else 0, len(SEQUENCE)):
            body = json.dumps(text_message_payload(wa_id, SEQUENCE[k])).encode()
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)}
            response = await client.post(
                f"{urls[(n + k) % 2]}/webhooks/whatsapp", content=body, headers=headers
            )
            assert response.status_code == 200

    async def telegram_user(n: int, chat_id: int) -> None:
        for k, text in enumerate(SEQUENCE):
            target = f"{urls[(n + k) % 2]}/webhooks/telegram"
            assert await tg.deliver_webhook_async(tg.text_update(chat_id, text), url=target) == 200

    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        await asyncio.gather(
            *(whatsapp_user(client, n, wa_id) for n, wa_id in enumerate(WHATSAPP_USERS)),
            *(telegram_user(n, chat_id) for n, chat_id in enumerate(TELEGRAM_USERS)),
        )


async def _overtake(urls: list[str], tg: FakeTelegram) -> None:
    """The first process takes a press of "Daftar usaha" and stalls before claiming it (answering
    the button at Telegram hangs); the chat's next message, "1" (consent), reaches the second.
    The second must handle the press first; the first then finds it processed."""
    first, second = (f"{url}/webhooks/telegram" for url in urls)
    for chat_id in OVERTAKEN:
        assert await tg.deliver_webhook_async(tg.text_update(chat_id, SEQUENCE[0]), url=second) == 200
    menus = [(await tg.wait_for_messages_async(1, chat_id, timeout=15))[0] for chat_id in OVERTAKEN]
    answered = len(tg.calls_to("answerCallbackQuery"))
    tg.hang_next("answerCallbackQuery", STALL, count=len(OVERTAKEN))
    for chat_id, menu in zip(OVERTAKEN, menus, strict=True):
        buttons = [b for row in menu["reply_markup"]["inline_keyboard"] for b in row]
        register = next(b["callback_data"] for b in buttons if "Daftar" in b["text"])
        message_id = tg.bot_messages(chat_id)[0]["message_id"]
        press = tg.callback_update(chat_id, register, message_id=message_id)
        assert await tg.deliver_webhook_async(press, url=first) == 200
    # The first process is answering the presses (and stalls there) before it claims them.
    tg.wait_for(lambda calls: len(tg.calls_to("answerCallbackQuery")) == answered + len(OVERTAKEN), 10)
    for chat_id in OVERTAKEN:
        assert await tg.deliver_webhook_async(tg.text_update(chat_id, SEQUENCE[2]), url=second) == 200
        assert await tg.deliver_webhook_async(tg.text_update(chat_id, SEQUENCE[3]), url=first) == 200


async def _wait_processed(db: Database, expected: int, seconds: float) -> list[InboundMessage]:
    deadline = time.monotonic() + seconds
    while True:
        async with db.transaction() as tx:
            rows = list(await tx.inbound.all())
        if len(rows) == expected and all(row.processed_at is not None for row in rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"not every message was processed: {len(rows)} stored of {expected}")
        await asyncio.sleep(0.1)


def _answered_once_each(texts: list[str]) -> bool:
    """One reply to each message of SEQUENCE, none twice (the fake may get them in either order)."""
    return len(texts) == len(REPLIES) and all(sum(r in t for t in texts) == 1 for r in REPLIES)


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(message, ensure_ascii=False) for message in messages]


async def _assert_in_order(db: Database, rows: list[InboundMessage]) -> None:
    """Each chat's rows processed in id order, and the conversations show it: every form is at
    the NIK with the name kept."""
    by_chat: dict[tuple[str, str], list[InboundMessage]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        by_chat.setdefault((row.channel, row.external_user_id), []).append(row)
    assert len(by_chat) == len(WHATSAPP_USERS) + len(TELEGRAM_USERS) + len(OVERTAKEN)
    for chat, chat_rows in by_chat.items():
        stamps = [row.processed_at for row in chat_rows]
        assert stamps == sorted(stamps), chat  # type: ignore[type-var]
    async with db.transaction() as tx:
        states = (
            await tx.session.execute(
                select(ChannelIdentity.external_id, ConversationState).join(
                    ConversationState, ConversationState.user_id == ChannelIdentity.user_id
                )
            )
        ).all()
    assert len(states) == len(by_chat)
    for external_id, state in states:
        name = state.data["data"]["answers"].get("full_name")
        assert (state.flow, state.step, name) == ("registration", "nik", SEQUENCE[-1]), external_id


async def test_two_processes_handle_each_chats_messages_once_and_in_order(
    tmp_path: Path, fresh_database_url: str, wa: FakeWhatsApp, tg: FakeTelegram
) -> None:
    url = fresh_database_url
    upgraded = run_cli(["db", "upgrade"], tmp_path / "data", DATABASE_URL=url)
    assert upgraded.returncode == 0, upgraded.stderr
    db = Database(url, cipher=Cipher(TEST_SECRET_KEY))
    try:
        await _store_backlog(db)
        processes = _start_two(tmp_path, url, wa, tg)
        try:
            urls = [running.url for running in processes]
            started = time.monotonic()
            await asyncio.gather(_alternate(urls, tg), _overtake(urls, tg))
            expected = len(SEQUENCE) * (len(WHATSAPP_USERS) + len(TELEGRAM_USERS) + len(OVERTAKEN))
            rows = await _wait_processed(db, expected, 30)
            took = time.monotonic() - started
        finally:
            for running in processes:
                running.stop()  # SIGTERM: the replies in hand are sent first
        logs = [(tmp_path / f"{name}.log").read_text() for name in ("first", "second")]
        assert [running.process.returncode for running in processes] == [0, 0], logs

        # Every message answered exactly once: one reply to each, none twice, none missing.
        for wa_id in WHATSAPP_USERS:
            assert _answered_once_each(_texts(wa.sent_messages(to=wa_id))), wa_id
        for chat_id in TELEGRAM_USERS + OVERTAKEN:
            assert _answered_once_each(_texts(tg.sent_messages(chat_id))), chat_id
        await _assert_in_order(db, rows)

        # Both did the work; the second handled each stalled press before the consent after it,
        # and the first found those presses processed.
        handled = [log.count("event=message.handled") for log in logs]
        overtaken = [len(re.findall(r"event=inbound.waits_turn .*earlier=[1-9]", log)) for log in logs]
        found = [log.count("event=inbound.already_processed") for log in logs]
        print(
            f"\n{expected} messages through 2 processes in {took:.1f} s; handled per process: {handled}; "
            f"an earlier message handled first: {overtaken}; found processed already: {found}"
        )
        assert sum(handled) == expected and min(handled) > 0
        assert overtaken[1] >= len(OVERTAKEN) and found[0] >= len(OVERTAKEN)
        assert not any("level=error" in log for log in logs), logs
    finally:
        await db.close()
