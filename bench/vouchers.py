"""Voucher benchmark (not a test): prints its figures.

    .venv/bin/python -m bench.vouchers [--owners 10000] [--quota 8000] [--concurrency 20]
                                       [--database-url postgresql+asyncpg://…]

1. `--owners` eligible owners all ask for a voucher at once, each request its own transaction
   through the domain function (`request_voucher`), against a program whose quota is smaller:
   vouchers issued per second, and the counts (exactly the quota issued, the rest refused).
2. every issued voucher redeemed at once through `redeem` (each its own transaction):
   redemptions per second; then one code redeemed by 50 at once: exactly one succeeds.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.settings import DEFAULT_PROFILE
from handlers.agency import AgencyProfile, load_profile
from handlers.vouchers.issuing import Issued, request_voucher
from handlers.vouchers.programs import NewProgram, add_courier, add_program
from handlers.vouchers.redeeming import Redeemed, redeem
from storage.crypto import Cipher
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Business, Owner, Voucher, VoucherProgram
from tests.bot.outbox.seed import seed_owners
from tests.conftest import TEST_SECRET_KEY

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def _database(base: str | None, folder: Path) -> tuple[Database, str | None]:
    if base is None:
        url = f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"
        await asyncio.to_thread(upgrade, url)
        return Database(url, cipher=Cipher(TEST_SECRET_KEY)), None
    name = f"bench_vouchers_{uuid.uuid4().hex[:8]}"
    admin = make_url(base).set(drivername="postgresql", database="postgres").render_as_string(False)
    connection = await asyncpg.connect(admin)
    await connection.execute(f"CREATE DATABASE {name}")
    await connection.close()
    url = make_url(base).set(database=name).render_as_string(False)
    await asyncio.to_thread(upgrade, url)
    return Database(url, cipher=Cipher(TEST_SECRET_KEY)), name


async def _drop(base: str | None, name: str | None) -> None:
    if base is None or name is None:
        return
    admin = make_url(base).set(drivername="postgresql", database="postgres").render_as_string(False)
    connection = await asyncpg.connect(admin)
    await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await connection.close()


async def measure(db: Database, agency: AgencyProfile, owners: int, quota: int, concurrency: int) -> None:
    # All requests are started at once; at most `concurrency` hold a database connection at a
    # time, as the pool of a running bot would allow (SQLite serialises the writes anyway).
    pool = asyncio.Semaphore(concurrency)
    await seed_owners(db, owners)
    async with db.transaction() as tx:
        await add_courier(tx, "JNE Banjarbaru", officer="bench", now=NOW)
        program = await add_program(
            tx, NewProgram(name="Bench", courier="JNE Banjarbaru", quota=quota), officer="bench", now=NOW
        )
        rows = (await tx.session.execute(select(Owner.id))).scalars().all()

    async def ask(owner_id: int) -> bool:
        async with pool, db.transaction() as tx:
            owner = await tx.session.get(Owner, owner_id)
            business = await tx.session.scalar(select(Business).where(Business.owner_id == owner_id))
            chosen = await tx.vouchers.program(program.id)
            assert owner is not None and business is not None and chosen is not None
            outcome = await request_voucher(
                tx, chosen, owner, business, actor="bench", now=NOW, zone=agency.time_zone
            )
            return isinstance(outcome, Issued)

    started = time.perf_counter()
    results = await asyncio.gather(*(ask(o) for o in rows))
    seconds = time.perf_counter() - started
    issued = sum(results)
    async with db.transaction() as tx:
        stored = int(await tx.session.scalar(select(func.count()).select_from(Voucher)) or 0)
        counter = await tx.session.scalar(select(VoucherProgram.issued))
        codes = (await tx.session.execute(select(Voucher.code))).scalars().all()
    print(
        f"requests: {owners} owners at once, quota {quota}: {issued} issued, {owners - issued} refused "
        f"in {seconds:.2f} s = {owners / seconds:,.0f} requests/s, {issued / seconds:,.0f} vouchers issued/s"
    )
    print(f"  stored vouchers {stored}, program counter {counter}, distinct codes {len(set(codes))}")
    assert issued == stored == counter == quota, "over- or under-issue"

    async def use(code: str, n: int) -> bool:
        async with pool, db.transaction() as tx:
            outcome = await redeem(
                tx, code, resi=f"JNE{n:08d}", ongkir=18_000, courier=None, actor="bench", now=NOW
            )
            return isinstance(outcome, Redeemed)

    started = time.perf_counter()
    redeemed = await asyncio.gather(*(use(c, n) for n, c in enumerate(codes)))
    seconds = time.perf_counter() - started
    print(
        f"redemptions: {len(codes)} codes at once: {sum(redeemed)} redeemed in {seconds:.2f} s "
        f"= {len(codes) / seconds:,.0f} redemptions/s"
    )
    async with db.transaction() as tx:
        program2 = await add_program(
            tx, NewProgram(name="Race", courier="JNE Banjarbaru", quota=1), officer="bench", now=NOW
        )
        owner = await tx.session.get(Owner, rows[0])
        business = await tx.session.scalar(select(Business).where(Business.owner_id == rows[0]))
        assert owner is not None and business is not None
        outcome = await request_voucher(
            tx, program2, owner, business, actor="bench", now=NOW, zone=agency.time_zone
        )
        assert isinstance(outcome, Issued)
    race = await asyncio.gather(*(use(outcome.voucher.code, n) for n in range(50)))
    print(
        f"one code, 50 redemptions at once: {Counter(race)[True]} succeeded, {Counter(race)[False]} refused"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--owners", type=int, default=10_000)
    parser.add_argument("--quota", type=int, default=8_000)
    parser.add_argument("--concurrency", type=int, default=20, help="requests holding a connection at once")
    parser.add_argument("--database-url", help="PostgreSQL base URL (default: an SQLite file)")
    args = parser.parse_args()
    agency = load_profile(DEFAULT_PROFILE)
    with tempfile.TemporaryDirectory() as folder:
        db, name = await _database(args.database_url, Path(folder))
        try:
            print(f"engine: {'sqlite' if db.is_sqlite else 'postgresql'}")
            await measure(db, agency, args.owners, args.quota, args.concurrency)
        finally:
            await db.close()
            await _drop(args.database_url, name)


if __name__ == "__main__":
    asyncio.run(main())
