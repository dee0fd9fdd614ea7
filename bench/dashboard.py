"""Dashboard benchmark (not a test): prints its figures.

    .venv/bin/python -m bench.dashboard [--owners 100000] [--trainings 24] [--requests 40]
        [--database-url postgresql+asyncpg://…]

With N registered owners (varied kecamatan and kelurahan, sector, size, status, dates; one in
ten waiting for NIB help) and a year's trainings (`--trainings`, each announced to one sector's
owners, every announcement sent: the outbox holds them as it does after a year), signed in as an
admin, through the dashboard's own routes (session lookup, the queries, the templates) in process:

1. p50 / p95 / max of the overview (Ringkasan), the owners list's first page, a deep page (the
   last one, by keyset), a search by name, the trainings list and the trainings' statistics;
2. the owners XLSX export of all N rows through the Unduh page of a real `umkm-bot run`
   process: its time, and the server's peak memory (VmHWM) while it runs; then the same export
   while an owner writes on WhatsApp every 50 ms, and `umkm-bot owners export` (a process of its
   own) the same way: the webhooks' acknowledgement times (each delivery is stored before it is
   acknowledged) show whether an export holds the bot back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from bench.outbox import drop_created, fresh_database, peak_rss_mb
from bot.app import App, build_app
from bot.settings import load_settings
from handlers.dashboard.accounts import add_account
from handlers.trainings.schedule import TrainingPlan, announce, create_training
from handlers.trainings.seats import Seating
from storage.models import Owner
from storage.models.outbox import SENT, OutboxMessage
from tests.bot.conftest import free_port
from tests.bot.dashboard.seed import SECTORS, seed_varied_owners
from tests.conftest import TEST_SECRET_KEY
from tests.fakes import SIGNATURE_HEADER, FakeWhatsApp, sign, text_message_payload

PASSWORD = "bench-password-123"
WHATSAPP_SECRET = "bench-app-secret"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def open_app(url: str, workdir: Path) -> App:
    settings = load_settings(
        database_url=url, data_dir=workdir / "data", secret_key=TEST_SECRET_KEY, _env_file=None
    )
    return await build_app(settings)


async def signed_in(app: App) -> httpx.AsyncClient:
    web = Starlette(routes=app.dashboard().routes())
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://127.0.0.1", timeout=600
    )
    form = await client.get("/dashboard/login")
    token = CSRF.search(form.text)
    assert token
    response = await client.post(
        "/dashboard/login", data={"csrf": token.group(1), "username": "bench", "password": PASSWORD}
    )
    assert response.status_code == 303, response.text
    return client


async def timings(client: httpx.AsyncClient, path: str, n: int) -> list[float]:
    await client.get(path)  # the first request compiles statements and templates
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


async def seed_trainings(app: App, n: int) -> int:
    """`n` trainings over the coming weeks, each announced to one sector's owners, every
    announcement marked sent. Returns the announcement messages queued."""
    seating = Seating(app.agency, app.router.config.training_offer)
    now = datetime.now(UTC)
    for i in range(n):
        starts = now + timedelta(days=3 + i % 28, hours=i % 5)
        plan = TrainingPlan(
            title=f"Pelatihan {i + 1}",
            topic="kemasan",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            capacity=50,
            venue="Aula Dinas",
            district_code="63.72.02",
            target_sectors=(SECTORS[i % len(SECTORS)],),
        )
        async with app.db.transaction() as tx:
            training = await create_training(tx, officer="bench", plan=plan, now=now)
        async with app.db.transaction() as tx:
            await announce(tx, seating, officer="bench", training_id=training.id, now=now)
    async with app.db.transaction() as tx:
        sent = await tx.session.execute(update(OutboxMessage).values(status=SENT))
    return int(sent.rowcount or 0)


async def seed(url: str, workdir: Path, owners: int, trainings: int) -> None:
    app = await open_app(url, workdir)
    try:
        started = time.perf_counter()
        await seed_varied_owners(app.db, owners, now=datetime.now(UTC))
        announced = await seed_trainings(app, trainings)
        async with app.db.transaction() as tx:
            await add_account(
                tx,
                "bench",
                role="admin",
                password=PASSWORD,
                courier_name=None,
                officer="bench",
                now=datetime.now(UTC),
            )
        print(
            f"seeded {owners:,} owners and {trainings} trainings announced to {announced:,} in "
            f"{time.perf_counter() - started:.1f} s"
        )
    finally:
        await app.close()


async def pages(url: str, workdir: Path, n: int) -> None:
    app = await open_app(url, workdir)
    try:
        async with app.db.transaction() as tx:
            lowest = await tx.session.scalar(select(func.min(Owner.id)))
        client = await signed_in(app)
        searches = await client.get("/dashboard/owners")
        token = CSRF.search(searches.text)
        assert token
        found = await client.post(
            "/dashboard/owners/search", data={"csrf": token.group(1), "search": "Dewi Pemilik 9"}
        )
        search_path = found.headers["location"]
        print(f"\n{'page':<44}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for label, path in (
            ("overview (Ringkasan)", "/dashboard"),
            ("owners list, first page", "/dashboard/owners"),
            ("owners list, deep page (the last)", f"/dashboard/owners?before={(lowest or 0) + 50}"),
            ("owners list, kecamatan + size filter", "/dashboard/owners?kecamatan=63.72.03&size=small"),
            ("owners search by name (first page)", search_path),
            ("owner detail (audited)", f"/dashboard/owners/{lowest}"),
            ("trainings list", "/dashboard/trainings"),
            ("trainings' statistics", "/dashboard/trainings/stats"),
        ):
            values = await timings(client, path, n)
            print(f"{label:<44}{statistics.median(values):>9.1f}{p95(values):>9.1f}{max(values):>9.1f}")
        await client.aclose()
    finally:
        await app.close()


def export_run(url: str, workdir: Path) -> None:
    """The owners export through a real `umkm-bot run` (uvicorn streaming the file): the server
    process's peak memory (VmHWM) from the moment the export is asked for, and its own."""
    with FakeWhatsApp() as whatsapp:  # where the answers to the owner who writes meanwhile go
        _export_run(url, workdir, whatsapp)


def _export_run(url: str, workdir: Path, whatsapp: FakeWhatsApp) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "DATABASE_"))},
        "DATABASE_URL": url,
        "DATA_DIR": str(workdir / "data"),
        "SECRET_KEY": TEST_SECRET_KEY,
        "HTTP_PORT": str(port),
        "WHATSAPP_ACCESS_TOKEN": whatsapp.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": whatsapp.phone_number_id,
        "WHATSAPP_APP_SECRET": WHATSAPP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "bench",
        "WHATSAPP_API_BASE_URL": whatsapp.api_base_url,
        "WHATSAPP_API_VERSION": whatsapp.api_version,
    }
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600, trust_env=False) as client:
            for _ in range(300):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            form = client.get("/dashboard/login")
            token = CSRF.search(form.text)
            assert token
            client.post(
                "/dashboard/login", data={"csrf": token.group(1), "username": "bench", "password": PASSWORD}
            )
            page = client.get("/dashboard/downloads")
            token = CSRF.search(page.text)
            assert token, page.status_code
            before = peak_rss_mb(server.pid)
            # Signing in checked an argon2 hash (64 MiB by design): measure from here on.
            Path(f"/proc/{server.pid}/clear_refs").write_text("5")
            resident = peak_rss_mb(server.pid)
            elapsed, size = _download(client, token.group(1), workdir / "owners.xlsx")
            peak = peak_rss_mb(server.pid)
            rows = sum(1 for _ in load_workbook(workdir / "owners.xlsx", read_only=True).active.iter_rows())
            print(
                f"\nexport of every owner through `umkm-bot run`: {rows - 1:,} rows, {elapsed:.1f} s, "
                f"{size / 1e6:.1f} MB file\n  server's peak memory (VmHWM) during the export: {peak:.0f} MB "
                f"(resident when it was asked for: {resident:.0f} MB, so the export's own: "
                f"{peak - resident:.0f} MB; the peak before, signing in included: {before:.0f} MB)"
            )
            chatting = Chatter(f"{base}/webhooks/whatsapp")
            chatting.start()
            elapsed, size = _download(client, token.group(1), workdir / "owners.xlsx")
            acks = chatting.stop()
            print(
                f"the same export while an owner writes on WhatsApp every 50 ms: {elapsed:.1f} s; {_acks(acks)}"
            )
            chatting = Chatter(f"{base}/webhooks/whatsapp")
            chatting.start()
            started = time.perf_counter()
            command = [sys.executable, "-m", "bot.cli", "owners", "export", "--format", "xlsx"]
            subprocess.run(
                [*command, "-o", str(workdir / "cli.xlsx")], env=env, check=True, capture_output=True
            )
            elapsed = time.perf_counter() - started
            acks = chatting.stop()
            print(f"`umkm-bot owners export` (its own process) meanwhile: {elapsed:.1f} s; {_acks(acks)}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _acks(acks: list[float]) -> str:
    return (
        f"{len(acks)} messages acknowledged meanwhile, median {statistics.median(acks) * 1000:.1f} ms, "
        f"slowest {max(acks) * 1000:.1f} ms"
    )


def _download(client: httpx.Client, csrf: str, out: Path) -> tuple[float, int]:
    """The owners export from the Unduh page into `out`: seconds, bytes."""
    started = time.perf_counter()
    size = 0
    with client.stream("POST", "/dashboard/downloads/owners", data={"csrf": csrf}) as response:
        assert response.status_code == 200
        with out.open("wb") as handle:
            for chunk in response.iter_bytes():
                handle.write(chunk)
                size += len(chunk)
    return time.perf_counter() - started, size


class Chatter(threading.Thread):
    """An owner who writes on WhatsApp every 50 ms: each webhook's acknowledgement time."""

    def __init__(self, url: str) -> None:
        super().__init__(name="chatter", daemon=True)
        self.url = url
        self.acks: list[float] = []
        self._done = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=120, trust_env=False) as client:
            while not self._done.wait(0.05):
                body = json.dumps(text_message_payload("6281200000001", "menu")).encode()
                headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, WHATSAPP_SECRET)}
                started = time.perf_counter()
                response = client.post(self.url, content=body, headers=headers)
                response.raise_for_status()
                self.acks.append(time.perf_counter() - started)

    def stop(self) -> list[float]:
        self._done.set()
        self.join()
        return self.acks


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--trainings", type=int, default=24, help="a year's, two a month")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", help="PostgreSQL base URL (default: an SQLite file)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="umkm-bench-"))
    try:
        url = await fresh_database(args.database_url, workdir)
        await seed(url, workdir, args.owners, args.trainings)
        await pages(url, workdir, args.requests)
        await asyncio.to_thread(export_run, url, workdir)
    finally:
        await drop_created(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
