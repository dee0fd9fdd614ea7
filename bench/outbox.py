"""Outbox benchmark (not a test): prints its figures.

    .venv/bin/python -m bench.outbox [--recipients 100000] [--cap 2000] [--pending 1000000]
                                     [--database-url postgresql+asyncpg://…]

1. a broadcast to N recipients through a real `umkm-bot outbox run` process and the real Telegram
   Sender against the fake Telegram server, at a raised cap, then a short run at the default cap:
   achieved rate / cap, the sender's peak memory (VmHWM), duplicates, losses;
2. an outbox holding M pending rows: the time to claim a batch of 100, to cancel an owner's open
   rows by their keys' prefix (an answer in a data-update round ends that owner's reminders), and
   the app's start-up time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import build_app
from bot.settings import load_settings
from handlers.broadcasts import announcement, queue_broadcast
from handlers.types import utcnow
from storage.database import Database
from storage.migrate import upgrade
from storage.repositories.audience import AudienceFilter
from tests.bot.outbox.seed import seed_owners
from tests.conftest import TEST_SECRET_KEY
from tests.fakes import FakeTelegram
from tests.profiles import profile_without_quiet_hours

TOKEN = "123:TEST"


CREATED: list[str] = []


def args_timeout() -> float:
    """How long a broadcast run may take at most (BENCH_TIMEOUT seconds, default 900)."""
    return float(os.environ.get("BENCH_TIMEOUT", "900"))


async def drop_created(base: str | None) -> None:
    if base is None:
        return
    admin = make_url(base).set(drivername="postgresql", database="postgres").render_as_string(False)
    connection = await asyncpg.connect(admin)
    for name in CREATED:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await connection.close()


async def fresh_database(base: str | None, workdir: Path) -> str:
    if base is None:
        url = f"sqlite+aiosqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.sqlite3'}"
    else:
        name = f"umkm_bench_{uuid.uuid4().hex[:8]}"
        admin = make_url(base).set(drivername="postgresql", database="postgres").render_as_string(False)
        connection = await asyncpg.connect(admin)
        await connection.execute(f"CREATE DATABASE {name}")
        await connection.close()
        CREATED.append(name)
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, url)
    return url


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def busiest_second(times: list[float]) -> int:
    """The most sends in any one-second window of the sorted send times."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def broadcast_run(
    url: str, workdir: Path, *, recipients: int, cap: float, in_flight: int, label: str
) -> None:
    db = Database(url)
    started = time.monotonic()
    chats = await seed_owners(db, recipients, first=10_000_000 * (1 + int(cap)))
    seeded = time.monotonic() - started
    with FakeTelegram(TOKEN) as tg:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "DATABASE_"))
        }
        env.update(
            DATABASE_URL=url,
            DATA_DIR=str(workdir / "data"),
            SECRET_KEY=TEST_SECRET_KEY,
            AGENCY_PROFILE=str(profile_without_quiet_hours(workdir)),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=tg.api_base_url,
            OUTBOX_TELEGRAM_PER_SECOND=str(cap),
            OUTBOX_SWEEP_SECONDS="0.5",
            OUTBOX_IN_FLIGHT=str(in_flight),
            LOG_LEVEL="WARNING",
        )
        log = (workdir / f"sender-{label}.log").open("wb")
        sender = subprocess.Popen(  # noqa: ASYNC220 - a benchmark driver starting its one sender
            [sys.executable, "-m", "bot.cli", "outbox", "run"], env=env, stdout=log, stderr=log
        )
        await asyncio.sleep(2.0)  # start-up, so the rate is measured on sending only
        async with db.transaction() as tx:
            t0 = time.monotonic()
            broadcast = await queue_broadcast(
                tx,
                officer="officer:bench",
                reply=announcement(text="Benchmark"),
                filters=AudienceFilter(),
                now=utcnow(),
            )
        queued_in = time.monotonic() - t0
        peak = 0.0
        deadline = time.monotonic() + max(recipients / cap * 3 + 60, args_timeout())
        while time.monotonic() < deadline:
            peak = max(peak, peak_rss_mb(sender.pid))
            async with db.transaction() as tx:
                counts = await tx.outbox.status_counts(broadcast_id=broadcast.id)
            if counts.get("sent", 0) >= recipients:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
        peak = max(peak, peak_rss_mb(sender.pid))
        sender.send_signal(signal.SIGTERM)
        sender.wait(30)
        calls = [c for c in tg.calls if c.method == "sendMessage"]
        delivered = Counter(str(p["chat_id"]) for p in tg.sent_messages())
    times = sorted(c.time for c in calls)
    elapsed = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / elapsed if len(times) > 1 else 0.0
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    missing = set(chats) - set(delivered)
    async with db.transaction() as tx:
        counts = await tx.outbox.status_counts(broadcast_id=broadcast.id)
    waiting = counts.get("pending", 0) + counts.get("leased", 0)
    # Lost: not delivered and not waiting either (a row recorded as sent or ended without a delivery).
    lost = len(missing) - waiting
    print(f"\n[{label}] broadcast to {recipients:,} recipients, cap {cap:g}/s, {in_flight} in flight")
    print(
        f"  seeding owners: {seeded:.1f} s; queueing the broadcast (one INSERT … SELECT): {queued_in:.2f} s"
    )
    print(f"  sent {len(times):,} in {elapsed:.1f} s: {rate:,.1f} msg/s = {rate / cap:.3f} of the cap")
    print(f"  busiest second (any 1 s window): {busiest_second(times):,} messages")
    print(f"  sender peak memory (VmHWM): {peak:.0f} MB")
    print(f"  duplicates: {duplicates}; lost: {lost}; still queued when the run stopped: {waiting}")
    await db.close()


async def fill_pending(db: Database, pending: int, now: datetime) -> float:
    """`pending` due rows in the outbox, in one statement; the seconds it took."""
    started = time.monotonic()
    async with db.transaction() as tx:
        if db.is_sqlite:
            series = f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {pending}) "
            source = "SELECT n FROM s"
        else:
            series, source = "", f"SELECT n FROM generate_series(1, {pending}) AS n"
        due = (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
        await tx.session.execute(
            text(
                series
                + "INSERT INTO outbox (channel, external_id, user_id, kind, dedupe_key, payload, due_at, status,"
                " attempts, next_attempt_at, created_at) "
                f"SELECT 'telegram', CAST(n AS VARCHAR(20)), NULL, 'announcement', 'bench:' || CAST(n AS VARCHAR(20)),"
                f' \'{{"template": "broadcast/text", "values": {{"text": "x"}}}}\', :due, \'pending\', 0, :due, :due '
                f"FROM ({source}) AS numbers"
            ),
            {"due": due if db.is_sqlite else now - timedelta(hours=1)},
        )
    filled = time.monotonic() - started
    if not db.is_sqlite:
        async with db.engine.connect() as connection:
            await connection.execute(text("COMMIT"))
            await connection.execute(text("ANALYZE outbox"))
    return filled


async def cancel_timings(db: Database, pending: int) -> list[float]:
    """An owner's answer in a data-update round ends their open reminders by key prefix: 20
    prefixes, each the keys of about a dozen rows ("bench:12345" and "bench:123450".."9")."""
    timings = []
    for round_ in range(20):
        t0 = time.perf_counter()
        async with db.transaction() as tx:
            await tx.outbox.cancel(f"bench:{pending // 100 + round_ * 37}", "answered")
        timings.append((time.perf_counter() - t0) * 1000)
    return timings


async def claim_run(url: str, pending: int) -> None:
    db = Database(url)
    now = datetime.now(UTC)
    filled = await fill_pending(db, pending, now)
    timings = []

    async def checkpoints() -> None:
        # The app checkpoints SQLite's WAL in the background every CHECKPOINT_EVERY seconds;
        # here it runs far more often, so claims are measured beside it, not only between.
        while True:
            await db.checkpoint()
            await asyncio.sleep(0.05)

    checkpointing = asyncio.create_task(checkpoints())
    # A process's first claim compiles the statement (and PostgreSQL prepares it): measured apart,
    # on a channel with nothing due, so the 20 claims below are what every later sweep pays.
    t0 = time.perf_counter()
    async with db.transaction() as tx:
        await tx.outbox.claim("whatsapp", "bench", batch=100, lease_until=now + timedelta(minutes=5), now=now)
    compiled = (time.perf_counter() - t0) * 1000
    for round_ in range(20):
        t0 = time.perf_counter()
        async with db.transaction() as tx:
            claimed = await tx.outbox.claim(
                "telegram", f"bench{round_}", batch=100, lease_until=now + timedelta(minutes=5), now=now
            )
        timings.append((time.perf_counter() - t0) * 1000)
        assert len(claimed) == 100
        await asyncio.sleep(0.01)
    cancels = await cancel_timings(db, pending)
    checkpointing.cancel()
    await db.close()
    data = Path(tempfile.mkdtemp())
    startup = []
    for _ in range(3):
        settings = load_settings(database_url=url, data_dir=data, secret_key=TEST_SECRET_KEY, _env_file=None)
        t0 = time.perf_counter()
        app = await build_app(settings)
        startup.append((time.perf_counter() - t0) * 1000)
        await app.close()
    engine = "SQLite" if db.is_sqlite else "PostgreSQL"
    print(f"\n[{engine}] outbox with {pending:,} pending rows (filled in {filled:.1f} s)")
    print(
        f"  the process's first claim (compiles the statement; nothing due on that channel): {compiled:.2f} ms"
    )
    print(
        f"  claim a batch of 100: median {statistics.median(timings):.2f} ms,"
        f" max {max(timings):.2f} ms over {len(timings)} claims"
    )
    print(
        f"  cancel an owner's open rows by key prefix: median {statistics.median(cancels):.2f} ms,"
        f" max {max(cancels):.2f} ms over {len(cancels)}"
    )
    print(f"  app start-up (build_app): median {statistics.median(startup):.0f} ms")


async def empty_startup(url: str) -> float:
    data = Path(tempfile.mkdtemp())
    settings = load_settings(database_url=url, data_dir=data, secret_key=TEST_SECRET_KEY, _env_file=None)
    t0 = time.perf_counter()
    app = await build_app(settings)
    elapsed = (time.perf_counter() - t0) * 1000
    await app.close()
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--cap", type=float, default=2000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--default-cap-recipients", type=int, default=500)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL base URL (default: SQLite files)")
    parser.add_argument("--skip-broadcast", action="store_true")
    parser.add_argument("--skip-claim", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="umkm-bench-"))
    try:
        if not args.skip_broadcast:
            url = await fresh_database(args.database_url, workdir)
            await broadcast_run(
                url,
                workdir,
                recipients=args.recipients,
                cap=args.cap,
                in_flight=args.in_flight,
                label="raised cap",
            )
            url = await fresh_database(args.database_url, workdir)
            await broadcast_run(
                url, workdir, recipients=args.default_cap_recipients, cap=25, in_flight=8, label="default cap"
            )
        if not args.skip_claim:
            url = await fresh_database(args.database_url, workdir)
            print(f"\napp start-up with an empty outbox: {await empty_startup(url):.0f} ms")
            await claim_run(url, args.pending)
    finally:
        await drop_created(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
