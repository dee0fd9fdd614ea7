"""Round trips of one menu exchange, end to end over real HTTP on 127.0.0.1.

A round trip is: a platform update in (a Telegram update queued for getUpdates, or a signed
WhatsApp webhook POST), until the fake platform records the bot's reply. Measured for our
Telegram channel, a bare python-telegram-bot echo bot against the same fake Telegram server,
and our WhatsApp channel, on SQLite.

The platform side (the fake server and the simulated users) runs in a child process, as
Telegram's servers and its users do not share the bot's process: the figures are the bot's.
Each user sends its next message only after it saw the answer to the previous one, so each
user's order is fixed; users run at the same time. Every user first makes one unmeasured
exchange (first contact creates the user), then `--rounds` measured ones.

    .venv/bin/python -m bench.channels [--users 20] [--rounds 25] [--latency SECONDS ...]
    .venv/bin/python -m bench.channels --burst [--messages 1000] [--users 50] [--senders 8] [--runs 3]
                                               [--owners 0]

`--burst` measures capacity instead (bench/burst.py): a queue of messages drained by each bot.

It runs twice by default: on bare loopback (an API call costs about a millisecond, so a bot
that handles updates one at a time loses almost nothing by waiting), and with 30 ms added to
every fake API call, closer to a server in Indonesia calling Telegram's or Meta's servers,
where handling users concurrently is what keeps the bot fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench import burst
from bot.app import build_app
from bot.loop import run_async
from bot.runner import Service
from bot.settings import load_settings
from tests.fakes import FakeTelegram, FakeWhatsApp, sign, text_message_payload

APP_SECRET = "bench-app-secret"
SECRET_KEY = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
TEXT = "menu"


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<24} {len(self.latencies):>5} round trips  {self.rate:8.1f} /s"
            f"  p50 {self.percentile(50):6.1f} ms  p99 {self.percentile(99):6.1f} ms"
        )


# -- the platform side (child process) -----------------------------------------------------


def drive(
    users: list[int], rounds: int, send: Callable[[int, int], None], wait: Callable[[int, int], float]
) -> tuple[float, list[float]]:
    """Each user sends `rounds` messages, each after the answer to the one before.

    Returns (seconds, latencies). Message 1 of each user is the unmeasured warm-up.
    """
    latencies: list[float] = []
    lock = threading.Lock()
    warm = threading.Barrier(len(users) + 1)

    def user(uid: int) -> None:
        send(uid, 1)
        wait(uid, 1)
        warm.wait()
        mine = []
        for n in range(2, rounds + 2):
            start = time.time()
            send(uid, n)
            mine.append(wait(uid, n) - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(uid,)) for uid in users]
    for thread in threads:
        thread.start()
    warm.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


def _sent_times(calls: list[Any], method: str, key: str, uid: int) -> list[float]:
    return [c.time for c in calls if c.method == method and str(c.params.get(key)) == str(uid)]


def _telegram_side(conn: Connection, latency: float) -> None:
    with FakeTelegram(latency=latency) as tg:
        conn.send({"token": tg.token, "api": tg.api_base_url, "files": tg.file_base_url})
        while (command := conn.recv()) is not None:
            users, rounds = command
            conn.send(drive(users, rounds, *_telegram_users(tg)))


def _telegram_users(tg: FakeTelegram) -> tuple[Callable[[int, int], None], Callable[[int, int], float]]:
    """Telegram users: each queues an update for getUpdates."""

    def send(uid: int, n: int) -> None:
        tg.push_update(tg.text_update(uid, TEXT))

    def wait(uid: int, n: int) -> float:
        tg.wait_for_messages(n, chat_id=uid, timeout=60)
        return max(_sent_times(tg.calls, "sendMessage", "chat_id", uid))

    return send, wait


def _whatsapp_side(conn: Connection, latency: float) -> None:
    with FakeWhatsApp(latency=latency) as wa:
        conn.send(
            {
                "token": wa.access_token,
                "phone_number_id": wa.phone_number_id,
                "api": wa.api_base_url,
                "version": wa.api_version,
            }
        )
        while (command := conn.recv()) is not None:
            users, rounds, url = command
            conn.send(drive(users, rounds, *_whatsapp_users(wa, url)))


def _whatsapp_users(
    wa: FakeWhatsApp, url: str
) -> tuple[Callable[[int, int], None], Callable[[int, int], float]]:
    """WhatsApp users: each posts signed webhooks (one HTTP client per user thread)."""
    local = threading.local()

    def send(uid: int, n: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(trust_env=False)
        body = json.dumps(text_message_payload(str(uid), TEXT)).encode()
        response = local.client.post(
            url, content=body, headers={"X-Hub-Signature-256": sign(body, APP_SECRET)}
        )
        response.raise_for_status()

    def wait(uid: int, n: int) -> float:
        wa.wait_for_messages(n, to=str(uid), timeout=60)
        return max(_sent_times(wa.calls, "send", "to", uid))

    return send, wait


class Platform:
    """A fake platform and its users in a child process."""

    def __init__(self, side: Callable[[Connection, float], None], latency: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=side, args=(child, latency), daemon=True)
        self.process.start()
        self.info: dict[str, str] = self.conn.recv()

    async def drive(self, *command: Any) -> tuple[float, list[float]]:
        self.conn.send(command)
        result: tuple[float, list[float]] = await asyncio.to_thread(self.conn.recv)
        return result

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(timeout=10)


# -- the bots (this process) ---------------------------------------------------------------


async def run_ours_telegram(platform: Platform, data: Path, users: list[int], rounds: int) -> Result:
    settings = load_settings(
        data_dir=data / "tg",
        secret_key=SECRET_KEY,
        telegram_bot_token=platform.info["token"],
        telegram_api_base_url=platform.info["api"],
        log_level="WARNING",
        _env_file=None,
    )
    app = await build_app(settings)
    service = Service(app, sock=socket.create_server(("127.0.0.1", 0)))
    await service.start()
    try:
        seconds, latencies = await platform.drive(users, rounds)
    finally:
        await service.stop()
        await app.close()
    return Result("telegram (ours)", seconds, latencies)


async def run_bare_telegram(platform: Platform, users: list[int], rounds: int) -> Result:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = (
        ApplicationBuilder()
        .token(platform.info["token"])
        .base_url(platform.info["api"])
        .base_file_url(platform.info["files"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=30)
        try:
            seconds, latencies = await platform.drive(users, rounds)
        finally:
            await application.updater.stop()
            await application.stop()
    return Result("telegram (bare PTB echo)", seconds, latencies)


async def run_ours_whatsapp(platform: Platform, data: Path, users: list[int], rounds: int) -> Result:
    settings = load_settings(
        data_dir=data / "wa",
        secret_key=SECRET_KEY,
        whatsapp_access_token=platform.info["token"],
        whatsapp_phone_number_id=platform.info["phone_number_id"],
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token="bench",
        whatsapp_api_base_url=platform.info["api"],
        whatsapp_api_version=platform.info["version"],
        log_level="WARNING",
        _env_file=None,
    )
    app = await build_app(settings)
    service = Service(app, sock=socket.create_server(("127.0.0.1", 0)))
    await service.start()
    try:
        seconds, latencies = await platform.drive(users, rounds, f"{service.url}/webhooks/whatsapp")
    finally:
        await service.stop()
        await app.close()
    return Result("whatsapp (ours)", seconds, latencies)


async def measure(users: int, rounds: int, latency: float) -> None:
    telegram, whatsapp = Platform(_telegram_side, latency), Platform(_whatsapp_side, latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            # Distinct user ids per run, so per-chat counts start at zero on the one shared fake.
            ours = await run_ours_telegram(telegram, data, list(range(1000, 1000 + users)), rounds)
            bare = await run_bare_telegram(telegram, list(range(2000, 2000 + users)), rounds)
            wa = await run_ours_whatsapp(whatsapp, data, [628110000000 + i for i in range(users)], rounds)
    finally:
        telegram.close()
        whatsapp.close()
    where = "loopback, no added latency" if not latency else f"{latency * 1000:.0f} ms per API call"
    print(f"\n{users} users x {rounds} menu exchanges each, SQLite; platform in another process; {where}")
    for result in (ours, bare, wa):
        print(result.line())
    print(f"ratio telegram ours/bare: {ours.rate / bare.rate:.2f}x")


async def main(users: int, rounds: int, latencies: list[float]) -> None:
    logging.basicConfig(level=logging.WARNING)
    for latency in latencies:
        await measure(users, rounds, latency)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, help="default: 20 (closed loop), 50 (--burst)")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--burst", action="store_true", help="measure capacity (bench/burst.py)")
    parser.add_argument("--messages", type=int, default=1000, help="--burst: messages queued")
    parser.add_argument("--senders", type=int, default=8, help="--burst: concurrent WhatsApp webhooks")
    parser.add_argument("--runs", type=int, default=3, help="--burst: consecutive runs")
    parser.add_argument(
        "--owners", type=int, default=0, help="--burst: owners (and imported records) in our databases"
    )
    parser.add_argument(
        "--latency",
        type=float,
        action="append",
        help="seconds each fake API call takes (repeatable); default: 0 and 0.03 (a real network)",
    )
    args = parser.parse_args()
    if args.burst:
        burst.main(args.messages, args.users or 50, args.senders, args.runs, args.owners)
        raise SystemExit(0)
    # The event loop `umkm-bot run` uses (uvloop where installed), for both bots alike.
    run_async(main(args.users or 20, args.rounds, args.latency or [0.0, 0.03]))
