"""Round trips of one menu exchange, end to end over real HTTP on 127.0.0.1.

A round trip is: a platform update in (a Telegram update queued for getUpdates, or a signed
WhatsApp webhook POST), until the fake platform records the bot's reply. Measured for our
Telegram channel, a bare python-telegram-bot echo bot against the same fake Telegram server,
and our WhatsApp channel, on SQLite. Users are simulated by threads, each sending its next
message only after it saw the answer to the previous one (so each user's order is fixed).

    .venv/bin/python -m bench.channels [--users 20] [--rounds 25]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import build_app
from bot.runner import Service
from bot.settings import load_settings
from tests.fakes import FakeTelegram, FakeWhatsApp, sign, text_message_payload

APP_SECRET = "bench-app-secret"
SECRET_KEY = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


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


def drive(
    users: list[int], rounds: int, send: Callable[[int, int], None], wait: Callable[[int, int], float]
) -> tuple[float, list[float]]:
    """Each user sends `rounds` messages, one after the other's answer; returns (seconds, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def user(uid: int) -> None:
        mine = []
        for n in range(1, rounds + 1):
            start = time.time()
            send(uid, n)
            mine.append(wait(uid, n) - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(uid,)) for uid in users]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


def telegram_driver(tg: FakeTelegram) -> tuple[Callable[[int, int], None], Callable[[int, int], float]]:
    def send(uid: int, n: int) -> None:
        tg.push_update(tg.text_update(uid, "menu"))

    def wait(uid: int, n: int) -> float:
        tg.wait_for_messages(n, chat_id=uid, timeout=30)
        return max(c.time for c in tg._rec.sent if str(c.params.get("chat_id")) == str(uid))

    return send, wait


async def run_ours_telegram(tg: FakeTelegram, data: Path, users: list[int], rounds: int) -> Result:
    settings = load_settings(
        data_dir=data / "tg",
        secret_key=SECRET_KEY,
        telegram_bot_token=tg.token,
        telegram_api_base_url=tg.api_base_url,
        log_level="WARNING",
        _env_file=None,
    )
    app = await build_app(settings)
    service = Service(app, sock=socket.create_server(("127.0.0.1", 0)))
    await service.start()
    try:
        seconds, latencies = await asyncio.to_thread(drive, users, rounds, *telegram_driver(tg))
    finally:
        await service.stop()
        await app.close()
    return Result("telegram (ours)", seconds, latencies)


async def run_bare_telegram(tg: FakeTelegram, users: list[int], rounds: int) -> Result:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = (
        ApplicationBuilder().token(tg.token).base_url(tg.api_base_url).base_file_url(tg.file_base_url).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=30)
        try:
            seconds, latencies = await asyncio.to_thread(drive, users, rounds, *telegram_driver(tg))
        finally:
            await application.updater.stop()
            await application.stop()
    return Result("telegram (bare PTB echo)", seconds, latencies)


async def run_ours_whatsapp(wa: FakeWhatsApp, data: Path, users: list[int], rounds: int) -> Result:
    sock = socket.create_server(("127.0.0.1", 0))
    settings = load_settings(
        data_dir=data / "wa",
        secret_key=SECRET_KEY,
        whatsapp_access_token=wa.access_token,
        whatsapp_phone_number_id=wa.phone_number_id,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token="bench",
        whatsapp_api_base_url=wa.api_base_url,
        whatsapp_api_version=wa.api_version,
        log_level="WARNING",
        _env_file=None,
    )
    app = await build_app(settings)
    service = Service(app, sock=sock)
    await service.start()
    url = f"{service.url}/webhooks/whatsapp"
    local = threading.local()

    def send(uid: int, n: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(trust_env=False)
        body = json.dumps(text_message_payload(str(uid), "menu")).encode()
        response = local.client.post(
            url, content=body, headers={"X-Hub-Signature-256": sign(body, APP_SECRET)}
        )
        response.raise_for_status()

    def wait(uid: int, n: int) -> float:
        wa.wait_for_messages(n, to=str(uid), timeout=30)
        return max(c.time for c in wa._rec.sent if c.params.get("to") == str(uid))

    try:
        seconds, latencies = await asyncio.to_thread(drive, users, rounds, send, wait)
    finally:
        await service.stop()
        await app.close()
    return Result("whatsapp (ours)", seconds, latencies)


async def main(users: int, rounds: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as tg, FakeWhatsApp() as wa:
        data = Path(tmp)
        # Distinct user ids per run, so per-chat counts start at zero on the one shared fake.
        ours = await run_ours_telegram(tg, data, list(range(1000, 1000 + users)), rounds)
        bare = await run_bare_telegram(tg, list(range(2000, 2000 + users)), rounds)
        whatsapp = await run_ours_whatsapp(wa, data, [628110000000 + i for i in range(users)], rounds)
    print(f"{users} users x {rounds} menu exchanges each, SQLite, fakes on 127.0.0.1")
    for result in (ours, bare, whatsapp):
        print(result.line())
    print(f"ratio telegram ours/bare: {ours.rate / bare.rate:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.rounds))
