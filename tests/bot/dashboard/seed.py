"""Registered owners in bulk with varied data (kecamatan and kelurahan, sector, size, status,
dates, NIK, phone), for the dashboard's tests and benchmark: executemany, no conversation; and
vouchers issued to some of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from handlers.rules import villages_of
from handlers.vouchers import codes
from handlers.vouchers.issuing import Issued, request_voucher
from storage.database import Database
from storage.models import Business, ChannelIdentity, NibHelpRequest, Owner, User

DISTRICTS = ("63.72.02", "63.72.03", "63.72.04", "63.72.05", "63.72.06")
SECTORS = ("kuliner", "fesyen", "kriya", "perdagangan", "jasa", "pertanian")
SIZES = ("micro", "micro", "micro", "small", "medium")
STATUSES = ("active", "active", "active", "inactive", "closed", "unknown")
FIRST_NAMES = ("Siti", "Ahmad", "Rina", "Budi", "Dewi", "Yusuf", "Nur", "Agus")
KINDS = ("Warung", "Toko", "Sasirangan", "Bengkel", "Kue", "Kerajinan")


async def seed_varied_owners(
    db: Database, n: int, *, now: datetime | None = None, first: int = 0, chunk: int = 5000
) -> None:
    """`n` registered owners on Telegram and WhatsApp, spread over 12 weeks before `now`;
    every tenth owner asked for NIB help."""
    now = now or datetime.now(UTC)
    assert db.cipher is not None
    cipher = db.cipher
    # A kelurahan of the kecamatan, as every registration by chat has one.
    villages = {district: [v.code for v in villages_of(district)] for district in DISTRICTS}
    for start in range(first, first + n, chunk):
        numbers = range(start, min(start + chunk, first + n))
        async with db.transaction() as tx:
            session = tx.session
            user_ids = list(
                (
                    await session.execute(
                        insert(User).returning(User.id),
                        [{"locale": "id", "opted_out": False, "created_at": now} for _ in numbers],
                    )
                ).scalars()
            )
            await session.execute(
                insert(ChannelIdentity),
                [
                    {
                        "user_id": uid,
                        "channel": "whatsapp" if i % 3 else "telegram",
                        "external_id": f"62812{i:08d}" if i % 3 else str(900_000_000 + i),
                        "created_at": now,
                    }
                    for uid, i in zip(user_ids, numbers, strict=True)
                ],
            )
            owners = []
            for uid, i in zip(user_ids, numbers, strict=True):
                nik = f"6372{i:012d}"
                owners.append(
                    {
                        "user_id": uid,
                        "full_name": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} Pemilik {i}",
                        "nik_ciphertext": cipher.encrypt(nik),
                        "nik_index": f"bench-{i}",
                        "phone": f"+62812{i:08d}",
                        "registered_at": now - timedelta(hours=(i * 7) % (12 * 7 * 24)),
                        "consent_at": now,
                        "consent_version": "1",
                        "reg_no": f"BJB-2026-{i:06d}",
                        "updated_at": now,
                    }
                )
            owner_ids = list((await session.execute(insert(Owner).returning(Owner.id), owners)).scalars())
            await session.execute(
                insert(Business),
                [
                    {
                        "owner_id": oid,
                        "name": f"{KINDS[i % len(KINDS)]} {FIRST_NAMES[(i // 8) % len(FIRST_NAMES)]} {i}",
                        "district_code": DISTRICTS[i % len(DISTRICTS)],
                        "village_code": _village(villages[DISTRICTS[i % len(DISTRICTS)]], i),
                        "sector": SECTORS[i % len(SECTORS)],
                        "size_class": SIZES[i % len(SIZES)],
                        "status": STATUSES[i % len(STATUSES)],
                        "street": f"Jl. A. Yani km {i % 40}",
                        "workers": i % 9,
                        "annual_sales": 50_000_000 + (i % 50) * 1_000_000,
                        "capital": 10_000_000,
                        "nib": f"{i:013d}" if i % 2 else None,
                        "nib_verified": False,
                    }
                    for oid, i in zip(owner_ids, numbers, strict=True)
                ],
            )
            requests = [
                {"owner_id": oid, "created_at": now}
                for oid, i in zip(owner_ids, numbers, strict=True)
                if i % 10 == 0
            ]
            if requests:
                await session.execute(insert(NibHelpRequest), requests)


def _village(villages: list[str], i: int) -> str:
    return villages[(i // len(DISTRICTS)) % len(villages)]


async def issue_vouchers(db: Database, program_id: int, n: int, *, zone: ZoneInfo) -> list[str]:
    """Vouchers of the program for the first `n` seeded owners whose business is active, through
    the domain's `request_voucher` (as if each had asked by chat); their codes, as printed."""
    now = datetime.now(UTC)
    issued = []
    async with db.transaction() as tx:
        program = await tx.vouchers.program(program_id)
        assert program is not None
        owner_ids = (
            await tx.session.execute(
                select(Owner.id)
                .join(Business, Business.owner_id == Owner.id)
                .where(Business.status == "active")
                .order_by(Owner.id)
                .limit(n)
            )
        ).scalars()
        for owner_id in list(owner_ids):
            found = await tx.owners.get(owner_id)
            assert found is not None
            outcome = await request_voucher(tx, program, *found, actor="test", now=now, zone=zone)
            assert isinstance(outcome, Issued), outcome
            issued.append(codes.display(outcome.voucher.code))
    assert len(issued) == n
    return issued
