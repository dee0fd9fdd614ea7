"""Capacity under a burst: many owners answer within the same minute (after a broadcast, say).

Telegram: the platform holds N queued updates from U users (each user's messages interleaved
with the others') and each contender drains them: our bot (`umkm-bot run`, SQLite), a bare
python-telegram-bot echo bot (bench/echo_ptb.py) and a bare aiogram echo bot
(bench/echo_aiogram.py, in the benchmark's own environment .venv-bench). Each contender runs
in its own process against the same fake Bot API, one after the other; the figure is N over
the time from the updates' queueing to the fake's receipt of the last answer.

WhatsApp, where every message is its own webhook: K senders post N signed webhooks from U
users (one user's messages from one sender, in order) to our bot; the figures are the
acknowledgement's median and p99 and the answers a second, measured the same way.

Each line gives the contender's CPU a message over the burst and, in brackets, the platform
process's (the fake, and for WhatsApp the senders): a check that the bot, not the fake, is
what the rate measures.

Before each burst every user makes one unmeasured exchange (the owners exist: they got the
broadcast). The platform runs in a child process of its own, as in bench.channels.

With `--owners N` our bots' databases first hold an agency's records: N owners registered by
chat on WhatsApp (a user, the number the platform vouches for, the record) and N imported records
no one has confirmed yet. Every message asks whether someone else holds the writer's number, so
this shows what the lookups by number cost once the tables are full (an empty database hides it).

    .venv/bin/python -m bench.channels --burst [--messages 1000] [--users 50] [--senders 8] [--runs 3]
                                               [--owners 0]
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, insert

from storage.models import ChannelIdentity, Owner, User
from storage.models.registration import OwnerSource
from tests.fakes import FakeTelegram, FakeWhatsApp, sign, text_message_payload

APP_SECRET = "bench-app-secret"
SECRET_KEY = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
TEXT = "menu"
ROOT = Path(__file__).resolve().parent.parent
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
WAIT = 120.0  # seconds a burst may take before the run is called failed
SETTLE = 0.5  # seconds to wait after the last answer for any duplicate


# -- the platform side (child process) -----------------------------------------------------


def _count(fake: FakeTelegram | FakeWhatsApp, key: str, users: set[str]) -> list[float]:
    """Times of the answers the fake accepted for `users`."""
    return [c.time for c in fake._rec.sent if str(c.params.get(key)) in users]


def _wait_answers(
    fake: FakeTelegram | FakeWhatsApp, key: str, users: set[str], n: int, timeout: float = WAIT
) -> list[float]:
    deadline = time.monotonic() + timeout
    while len(times := _count(fake, key, users)) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(times)} of {n} answers after {timeout:.0f} s")
        time.sleep(0.01)
    time.sleep(SETTLE)
    return _count(fake, key, users)


def _telegram_burst(tg: FakeTelegram, users: list[int], per_user: int) -> dict[str, Any]:
    ids = {str(uid) for uid in users}
    for uid in users:
        tg.push_update(tg.text_update(uid, TEXT))
    _wait_answers(tg, "chat_id", ids, len(users))
    began = time.time()
    cpu = time.process_time()
    for _ in range(per_user):
        for uid in users:
            tg.push_update(tg.text_update(uid, TEXT))
    times = _wait_answers(tg, "chat_id", ids, len(users) * (per_user + 1))
    return {
        "began": began,
        "times": sorted(times)[len(users) :],
        "answers": len(times) - len(users),
        "platform_cpu": time.process_time() - cpu,
    }


def _signed(users: list[int], per_user: int) -> list[tuple[bytes, str]]:
    """The webhooks `users` send, `per_user` rounds, signed as Meta signs them (ahead of time:
    Meta's servers do that work, not the bot's machine)."""
    bodies = []
    for _ in range(per_user):
        for uid in users:
            body = json.dumps(text_message_payload(str(uid), TEXT)).encode()
            bodies.append((body, sign(body, APP_SECRET)))
    return bodies


def _post_all(url: str, bodies: list[tuple[bytes, str]], acks: list[float]) -> None:
    """Post the webhooks one after the other on one kept-alive connection (http.client: the
    lightest client, so the platform's own CPU does not decide the figures)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        for body, signature in bodies:
            start = time.perf_counter()
            connection.request(
                "POST",
                parts.path,
                body=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
            )
            response = connection.getresponse()
            response.read()
            acks.append(time.perf_counter() - start)
            if response.status != 200:
                raise RuntimeError(f"webhook answered {response.status}")
    finally:
        connection.close()


def _whatsapp_burst(
    wa: FakeWhatsApp, url: str, users: list[int], per_user: int, senders: int
) -> dict[str, Any]:
    ids = {str(uid) for uid in users}
    _post_all(url, _signed(users, 1), [])
    _wait_answers(wa, "to", ids, len(users))
    acks: list[float] = []
    threads = [
        threading.Thread(target=_post_all, args=(url, _signed(users[k::senders], per_user), acks))
        for k in range(senders)
    ]
    began = time.time()
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = _wait_answers(wa, "to", ids, len(users) * (per_user + 1))
    return {
        "platform_cpu": time.process_time() - cpu,
        "began": began,
        "times": sorted(times)[len(users) :],
        "answers": len(times) - len(users),
        "acks": acks,
    }


def _wait_polling(tg: FakeTelegram) -> None:
    """Until the bot asks for updates (it started polling)."""
    seen = len(tg.calls_to("getUpdates"))
    tg.wait_for(lambda calls: sum(c.method == "getUpdates" for c in calls) > seen, 60)


def _platform(conn: Connection) -> None:
    with FakeTelegram() as tg, FakeWhatsApp() as wa:
        conn.send(
            {
                "tg_token": tg.token,
                "tg_server": tg.base_url,
                "tg_api": tg.api_base_url,
                "tg_files": tg.file_base_url,
                "wa_token": wa.access_token,
                "wa_phone": wa.phone_number_id,
                "wa_api": wa.api_base_url,
                "wa_version": wa.api_version,
            }
        )
        while (command := conn.recv()) is not None:
            name, args = command
            try:
                if name == "polling":
                    _wait_polling(tg)
                    conn.send({})
                elif name == "telegram":
                    conn.send(_telegram_burst(tg, *args))
                else:
                    conn.send(_whatsapp_burst(wa, *args))
            except Exception as exc:  # the bench reports it and stops the contender
                conn.send({"error": f"{type(exc).__name__}: {exc}"})


class Platform:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_platform, args=(child,), daemon=True)
        self.process.start()
        self.info: dict[str, str] = self.conn.recv()

    def ask(self, name: str, *args: Any) -> dict[str, Any]:
        self.conn.send((name, args))
        answer: dict[str, Any] = self.conn.recv()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(timeout=10)


# -- the contenders (a process each) -------------------------------------------------------


@dataclass
class Burst:
    name: str
    messages: int
    seconds: float
    answers: int
    acks: list[float]
    cpu: float
    platform_cpu: float  # the fake's side (its CPU over the burst): if it were the limit, not the bot

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def line(self) -> str:
        extra = "" if self.answers == self.messages else f"  ANSWERS {self.answers} (duplicates or lost)"
        cpu = self.cpu / self.messages * 1000
        platform = self.platform_cpu / self.messages * 1000
        return (
            f"{self.name:<30} {self.messages:>5} in {self.seconds:6.2f} s {self.rate:8.1f} /s"
            f"  cpu {cpu:5.2f} ms/msg  (platform {platform:4.2f}){extra}"
        )


def _burst(name: str, answer: dict[str, Any], messages: int, cpu: list[float]) -> Burst:
    times = answer["times"]
    seconds = times[messages - 1] - answer["began"]
    acks = answer.get("acks", [])
    return Burst(name, messages, seconds, answer["answers"], acks, sum(cpu), answer["platform_cpu"])


@contextmanager
def _cpu(pid: int) -> Iterator[list[float]]:
    """CPU seconds (user + system, every thread) the process spent while the block ran."""
    used: list[float] = []

    def now() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = now()
    yield used
    used.append(now() - before)


@contextmanager
def _process(args: list[str], env: dict[str, str], cwd: Path, ready: str) -> Iterator[tuple[int, str]]:
    """Run a contender until the block ends; yields its pid and the line that said it is ready."""
    process = subprocess.Popen(
        args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if ready in line:
                break
        else:
            raise RuntimeError(f"{args[0]} ended before it was ready (exit {process.wait()})")
        with _profiled(process.pid, Path(args[0]).name):
            yield process.pid, line.strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _profiled(pid: int, name: str) -> Iterator[None]:
    """With BENCH_PROFILE_DIR set, py-spy samples the process while the block runs (the burst,
    not the start-up) and writes its raw stacks (one line per stack, with its count) there."""
    where = os.environ.get("BENCH_PROFILE_DIR")
    if not where:
        yield
        return
    out = Path(where) / f"{name}-{pid}.txt"
    spy = str(Path(sys.executable).parent / "py-spy")
    command = [spy, "record", "--format", "raw", "--rate", "500", "--gil", "--pid", str(pid), "-o", str(out)]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # py-spy attaching
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=30)


def _ours_env(data: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    env.update(
        DATA_DIR=str(data),
        SECRET_KEY=SECRET_KEY,
        HTTP_PORT="0",
        LOG_LEVEL="WARNING",
        **{key.upper(): value for key, value in settings.items()},
    )
    env.pop("DATABASE_URL", None)  # SQLite, the embedded default
    return env


def _seed_agency(database: Path, owners: int) -> None:
    """`owners` registered on WhatsApp and as many imported records waiting to be confirmed."""
    now = datetime.now(UTC)
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        for start in range(0, owners, 5000):
            numbers = range(start, min(start + 5000, owners))
            users = connection.execute(
                insert(User).returning(User.id),
                [{"locale": "id", "opted_out": False, "created_at": now} for _ in numbers],
            ).scalars()
            registered = [(user_id, f"62813{i:08d}") for user_id, i in zip(users, numbers, strict=True)]
            connection.execute(
                insert(ChannelIdentity),
                [
                    {
                        "user_id": u,
                        "channel": "whatsapp",
                        "external_id": wa,
                        "phone": f"+{wa}",
                        "created_at": now,
                    }
                    for u, wa in registered
                ],
            )
            imported = [(None, f"62814{i:08d}") for i in numbers]
            connection.execute(
                insert(Owner),
                [
                    {"user_id": u, "full_name": f"Pemilik {wa}", "phone": f"+{wa}", "registered_at": now}
                    | {"updated_at": now, "source": OwnerSource.IMPORT if u is None else OwnerSource.CHAT}
                    for u, wa in registered + imported
                ],
            )
    engine.dispose()


def _umkm_bot(env: dict[str, str], cwd: Path, owners: int = 0) -> list[str]:
    """`umkm-bot run` after `db upgrade` (and `_seed_agency` with `owners`)."""
    command = str(Path(sys.executable).parent / "umkm-bot")
    subprocess.run([command, "db", "upgrade"], env=env, cwd=cwd, check=True, capture_output=True)
    if owners:
        _seed_agency(Path(env["DATA_DIR"]) / "umkm.sqlite3", owners)
    if where := os.environ.get("BENCH_CPROFILE_DIR"):  # cProfile's stats of the whole run, at exit
        out = Path(where) / f"{cwd.name}.pstats"
        return [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "bot.cli", "run"]
    return [command, "run"]


def telegram_ours(platform: Platform, work: Path, users: list[int], per_user: int, *, owners: int) -> Burst:
    info = platform.info
    env = _ours_env(work / "tg", telegram_bot_token=info["tg_token"], telegram_api_base_url=info["tg_api"])
    (work / "tg").mkdir()
    with _process(_umkm_bot(env, work / "tg", owners), env, work / "tg", "serving on") as (pid, _):
        platform.ask("polling")
        with _cpu(pid) as cpu:
            answer = platform.ask("telegram", users, per_user)
    return _burst("telegram (ours)", answer, len(users) * per_user, cpu)


def telegram_bare(platform: Platform, name: str, args: list[str], users: list[int], per_user: int) -> Burst:
    with _process(args, dict(os.environ), ROOT, "echo: polling") as (pid, _):
        platform.ask("polling")
        with _cpu(pid) as cpu:
            answer = platform.ask("telegram", users, per_user)
    return _burst(name, answer, len(users) * per_user, cpu)


def whatsapp_ours(
    platform: Platform, work: Path, users: list[int], per_user: int, senders: int, *, owners: int
) -> Burst:
    info = platform.info
    env = _ours_env(
        work / "wa",
        whatsapp_access_token=info["wa_token"],
        whatsapp_phone_number_id=info["wa_phone"],
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token="bench",
        whatsapp_api_base_url=info["wa_api"],
        whatsapp_api_version=info["wa_version"],
    )
    (work / "wa").mkdir()
    with _process(_umkm_bot(env, work / "wa", owners), env, work / "wa", "serving on") as (pid, line):
        url = line.rsplit(" ", 1)[-1] + "/webhooks/whatsapp"
        with _cpu(pid) as cpu:
            answer = platform.ask("whatsapp", url, users, per_user, senders)
    return _burst(f"whatsapp (ours, {senders} senders)", answer, len(users) * per_user, cpu)


def _ms(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def run_once(platform: Platform, run: int, messages: int, users: int, senders: int, *, owners: int) -> None:
    per_user = max(1, messages // users)
    info = platform.info
    base = 100_000 * run
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tg_users = list(range(base + 1000, base + 1000 + users))
        ours = telegram_ours(platform, work, tg_users, per_user, owners=owners)
        ptb = telegram_bare(
            platform,
            "telegram (bare PTB echo)",
            [sys.executable, "-m", "bench.echo_ptb", info["tg_token"], info["tg_api"], info["tg_files"]],
            list(range(base + 2000, base + 2000 + users)),
            per_user,
        )
        aiogram: Burst | None = None
        if BENCH_PYTHON.exists():
            aiogram = telegram_bare(
                platform,
                "telegram (bare aiogram echo)",
                [
                    str(BENCH_PYTHON),
                    str(ROOT / "bench" / "echo_aiogram.py"),
                    info["tg_token"],
                    info["tg_server"],
                ],
                list(range(base + 3000, base + 3000 + users)),
                per_user,
            )
        wa_users = [628110000000 + base + i for i in range(users)]
        wa = whatsapp_ours(platform, work, wa_users, per_user, senders, owners=owners)
    held = f"; our databases hold {owners:,} owners and {owners:,} imported records" if owners else ""
    print(
        f"\nrun {run}: {users * per_user} queued messages from {users} users, SQLite, each bot its own process"
        + held
    )
    for burst in (ours, ptb, aiogram, wa):
        if burst is not None:
            print(burst.line())
    print(f"ratio telegram ours/PTB:     {ours.rate / ptb.rate:5.2f}x  (target >= 1.0)")
    if aiogram is not None:
        print(f"ratio telegram ours/aiogram: {ours.rate / aiogram.rate:5.2f}x  (target >= 0.6)")
    else:
        print("ratio telegram ours/aiogram: not measured (no .venv-bench: run `make bench-env`)")
    print(
        f"whatsapp acknowledgement: p50 {statistics.median(wa.acks) * 1000:6.1f} ms  "
        f"p99 {_ms(wa.acks, 99):6.1f} ms  (target p50 <= 20 ms with {senders} in flight)"
    )
    print(f"ratio whatsapp/telegram replies: {wa.rate / ours.rate:5.2f}x  (target >= 1.0)")


def main(messages: int, users: int, senders: int, runs: int, owners: int = 0) -> None:
    platform = Platform()
    try:
        for run in range(1, runs + 1):
            run_once(platform, run, messages, users, senders, owners=owners)
    finally:
        platform.close()
