"""One or two `umkm-bot run` processes on one PostgreSQL database behind webhooks (not a test).

    .venv/bin/python -m bench.processes --database-url postgresql+asyncpg://… \
        [--users 50] [--messages 20] [--channel whatsapp|telegram ...] [--processes 1|2 ...]
        [--sticky] [--logs DIR]

`--database-url` is required: a PostgreSQL server's URL (`scripts/postgres.sh` starts one on
127.0.0.1 and prints it); a fresh database is made on it for every run and dropped afterwards.
Nothing is started for you: several processes is a PostgreSQL setup (SQLite takes one `run`).

Each run starts the processes (`umkm-bot run`, real processes, WhatsApp webhooks and Telegram
webhooks) on a fresh database, then the platform side, in a child process of its own (fake
WhatsApp and Telegram servers and their users), sends: every user first says "halo" and waits
for the answer (not measured: first contact creates the user), then sends `--messages` "menu"
messages, each as soon as the previous one was acknowledged, never waiting for the answers;
message k of user n goes to process (n + k) % P, so with two processes every chat's messages
alternate between them. Measured: from the first of those webhooks until the fake platform has
recorded the last answer. Each "menu" has exactly one answer (the main menu), so answers
beyond one per message are duplicates, and fewer are missing; every stored row must end
processed. Printed: messages a second, the acknowledgement's median and p99, duplicates,
missing, the CPU time a message took in the bot processes and on the platform side, how busy
the machine's cores were meanwhile (other work on the machine included), and the ratio of 2
processes to 1. `--sticky` sends each user's messages to one process (n % P), as a proxy that
could route by sender would: the processes then never wait for each other's locks.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from bench.outbox import drop_created, fresh_database
from bot.loop import run_async
from storage.crypto import Cipher
from storage.database import Database
from tests.bot.cli_helpers import cli_env
from tests.bot.conftest import free_port
from tests.conftest import TEST_SECRET_KEY
from tests.fakes import FakeTelegram, FakeWhatsApp, sign, text_message_payload

APP_SECRET = "bench-app-secret"
VERIFY_TOKEN = "bench-verify"
TELEGRAM_SECRET = "bench-telegram-secret"
CHANNELS = ("whatsapp", "telegram")


@dataclass
class Outcome:
    channel: str
    processes: int
    messages: int
    seconds: float
    acks: list[float]
    duplicates: int
    missing: int
    unprocessed: int
    cpu: float  # the bot processes' CPU seconds while the users sent (the first "halo" included)
    platform_cpu: float  # the same for the platform side (fake servers and users)
    busy: float  # the machine's cores busy meanwhile (all processes, others' too), 0..cores

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def ack(self, p: float) -> float:
        ordered = sorted(self.acks)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.channel:<9} {self.processes} process{'es' if self.processes > 1 else '  '}"
            f"  {self.messages:>5} messages in {self.seconds:6.2f} s = {self.rate:7.1f} /s"
            f"  ack p50 {self.ack(50):6.1f} ms p99 {self.ack(99):6.1f} ms"
            f"  duplicates {self.duplicates}  missing {self.missing}  unprocessed {self.unprocessed}"
            f"\n{'':<20}CPU a message: bots {self.cpu / self.messages * 1000:.1f} ms,"
            f" platform side {self.platform_cpu / self.messages * 1000:.1f} ms;"
            f" machine busy {self.busy:.2f} of {os.cpu_count()} cores"
        )


# -- the platform side (child process) -----------------------------------------------------


class Users:
    """The simulated users of one channel: how they post, and the answers the fake recorded."""

    def __init__(self, channel: str, wa: FakeWhatsApp, tg: FakeTelegram, urls: list[str]) -> None:
        self.channel = channel
        self.wa, self.tg = wa, tg
        path = "/webhooks/whatsapp" if channel == "whatsapp" else "/webhooks/telegram"
        self.urls = [url + path for url in urls]
        self._update_ids = itertools.count(int(time.time() * 1000) % 1_000_000_000)
        self._before = 0

    @property
    def _fake(self) -> FakeWhatsApp | FakeTelegram:
        return self.wa if self.channel == "whatsapp" else self.tg

    def start_counting(self) -> None:
        """Answers from here on are this run's (the fakes serve every run)."""
        self._before = self._fake._rec.sent_count

    def ids(self, count: int, offset: int) -> list[str]:
        base = 628110000000 if self.channel == "whatsapp" else 5_000_000
        return [str(base + offset + n) for n in range(count)]

    def webhook(self, user: str, text: str) -> tuple[bytes, dict[str, str]]:
        """One webhook's body and headers, made (and signed) before the clock starts: Meta's and
        Telegram's servers do that work, not the machine the bots run on."""
        if self.channel == "whatsapp":
            body = json.dumps(text_message_payload(user, text)).encode()
            return body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)}
        update = {**self.tg.text_update(int(user), text), "update_id": next(self._update_ids)}
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        return json.dumps(update).encode(), headers

    async def post(
        self, client: aiohttp.ClientSession, process: int, webhook: tuple[bytes, dict[str, str]]
    ) -> float:
        """Post one webhook; the time until it was acknowledged."""
        body, headers = webhook
        started = time.perf_counter()
        async with client.post(self.urls[process], data=body, headers=headers) as response:
            await response.read()
            response.raise_for_status()
        return time.perf_counter() - started

    def answers(self) -> tuple[Counter[str], float]:
        """Answers recorded per user, and the time of the last one."""
        key = "to" if self.channel == "whatsapp" else "chat_id"
        calls = self._fake._rec.sent  # every accepted send, with its time (the public lists have none)
        counts = Counter(str(call.params.get(key)) for call in calls)
        return counts, max((call.time for call in calls), default=0.0)

    async def wait_answers(self, users: list[str], each: int, seconds: float = 120) -> float:
        """Until every user has `each` answers (or the time is up); the last answer's time."""
        deadline = time.monotonic() + seconds
        while True:
            # Counting is cheap; who got what is looked at once the total is there.
            if self._fake._rec.sent_count >= self._before + len(users) * each:
                counts, last = self.answers()
                if all(counts[user] >= each for user in users):
                    return last
            if time.monotonic() > deadline:
                return self.answers()[1]
            await asyncio.sleep(0.02)


async def _drive(
    users: Users, count: int, messages: int, processes: int, *, sticky: bool, offset: int
) -> dict[str, Any]:
    ids = users.ids(count, offset)
    # aiohttp, the lightest client here: the platform's own CPU must not decide the figures.
    connector = aiohttp.TCPConnector(limit=count * 2)
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as client:
        users.start_counting()
        await asyncio.gather(
            *(users.post(client, n % processes, users.webhook(user, "halo")) for n, user in enumerate(ids))
        )
        await users.wait_answers(ids, 1)
        acks: list[float] = []
        webhooks = {user: [users.webhook(user, "menu") for _ in range(messages)] for user in ids}

        async def user(n: int, user_id: str) -> None:
            for k, webhook in enumerate(webhooks[user_id]):
                process = (n + (0 if sticky else k)) % processes
                acks.append(await users.post(client, process, webhook))

        began = time.time()
        await asyncio.gather(*(user(n, user_id) for n, user_id in enumerate(ids)))
        last = await users.wait_answers(ids, 1 + messages)
    await asyncio.sleep(1.0)  # late duplicates arrive now, or never
    counts, _ = users.answers()
    return {
        "seconds": last - began,
        "acks": acks,
        "duplicates": sum(max(0, counts[u] - 1 - messages) for u in ids),
        "missing": sum(max(0, 1 + messages - counts[u]) for u in ids),
    }


def _platform(conn: Connection) -> None:
    with FakeWhatsApp() as wa, FakeTelegram() as tg:
        conn.send(
            {
                "wa_token": wa.access_token,
                "wa_phone": wa.phone_number_id,
                "wa_api": wa.api_base_url,
                "wa_version": wa.api_version,
                "tg_token": tg.token,
                "tg_api": tg.api_base_url,
            }
        )
        runs = 0
        while (command := conn.recv()) is not None:
            channel, urls, count, messages, sticky = command
            runs += 1
            users = Users(channel, wa, tg, urls)
            conn.send(
                asyncio.run(_drive(users, count, messages, len(urls), sticky=sticky, offset=runs * 10_000))
            )


# -- the bot processes (this process starts them) ------------------------------------------


def _cpu(pid: int) -> float:
    """A running process's CPU seconds so far (user and system, /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine() -> tuple[float, float]:
    """Seconds the machine's cores were busy so far (all processes), and the time now."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK"), time.monotonic()


def _start(
    url: str, fakes: dict[str, str], work: Path, name: str, logs: Path | None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = cli_env(
        work / "data",
        DATABASE_URL=url,
        HTTP_PORT=str(port),
        LOG_LEVEL="INFO" if logs else "WARNING",
        WHATSAPP_ACCESS_TOKEN=fakes["wa_token"],
        WHATSAPP_PHONE_NUMBER_ID=fakes["wa_phone"],
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
        WHATSAPP_API_BASE_URL=fakes["wa_api"],
        WHATSAPP_API_VERSION=fakes["wa_version"],
        TELEGRAM_BOT_TOKEN=fakes["tg_token"],
        TELEGRAM_API_BASE_URL=fakes["tg_api"],
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/webhooks/telegram",
        TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
    )
    log = ((logs or work) / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_healthy(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"umkm-bot run exited {process.returncode}")
        try:
            httpx.get(f"{url}/healthz", timeout=2, trust_env=False).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("umkm-bot run never answered /healthz")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _unprocessed(url: str) -> int:
    db = Database(url, cipher=Cipher(TEST_SECRET_KEY))
    try:
        async with db.transaction() as tx:
            return await tx.inbound.count_pending()
    finally:
        await db.close()


@dataclass
class Bench:
    conn: Connection  # to the platform side
    fakes: dict[str, str]  # the fake platforms' addresses and tokens
    base: str  # the PostgreSQL server
    work: Path
    users: int
    messages: int
    sticky: bool
    platform: int  # the platform side's pid
    logs: Path | None  # keep the processes' logs (INFO) here

    async def run(self, channel: str, processes: int) -> Outcome:
        url = await fresh_database(self.base, self.work)
        started = [
            _start(url, self.fakes, self.work, f"{channel}-{processes}-{n}", self.logs)
            for n in range(processes)
        ]
        try:
            for process, address in started:
                _wait_healthy(process, address)
            addresses = [address for _, address in started]
            before = [_cpu(process.pid) for process, _ in started], _cpu(self.platform), _machine()
            self.conn.send((channel, addresses, self.users, self.messages, self.sticky))
            result: dict[str, Any] = await asyncio.to_thread(self.conn.recv)
            cpu = sum(_cpu(process.pid) for process, _ in started) - sum(before[0])
            platform_cpu = _cpu(self.platform) - before[1]
            busy, elapsed = (now - then for now, then in zip(_machine(), before[2], strict=True))
        finally:
            for process, _ in started:
                _stop(process)
        return Outcome(
            channel,
            processes,
            self.users * self.messages,
            result["seconds"],
            result["acks"],
            result["duplicates"],
            result["missing"],
            await _unprocessed(url),
            cpu,
            platform_cpu,
            busy / elapsed,
        )


async def main(args: argparse.Namespace) -> None:
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    platform = context.Process(target=_platform, args=(child,), daemon=True)
    platform.start()
    fakes: dict[str, str] = conn.recv()
    outcomes: list[Outcome] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            assert platform.pid is not None
            bench = Bench(
                conn,
                fakes,
                args.database_url,
                Path(tmp),
                args.users,
                args.messages,
                args.sticky,
                platform.pid,
                args.logs,
            )
            for channel in args.channel or CHANNELS:
                for processes in args.processes or [1, 2]:
                    outcome = await bench.run(channel, processes)
                    print(outcome.line(), flush=True)
                    outcomes.append(outcome)
    finally:
        conn.send(None)
        platform.join(10)
        await drop_created(args.database_url)
    print(
        f"\n{args.users} users x {args.messages} messages each, PostgreSQL, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    for channel in args.channel or CHANNELS:
        rates = {o.processes: o.rate for o in outcomes if o.channel == channel}
        if 1 in rates and 2 in rates:
            print(f"{channel}: 2 processes / 1 process = {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (scripts/postgres.sh)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20, help="measured messages per user")
    parser.add_argument(
        "--channel", action="append", choices=CHANNELS, help="default: both, one after another"
    )
    parser.add_argument(
        "--sticky",
        action="store_true",
        help="each user always to the same process (as a proxy hashing on the sender would), not alternating",
    )
    parser.add_argument(
        "--logs", type=Path, help="keep the processes' logs (LOG_LEVEL=INFO) in this directory"
    )
    parser.add_argument("--processes", action="append", type=int, choices=(1, 2), help="default: 1, then 2")
    run_async(main(parser.parse_args()))
