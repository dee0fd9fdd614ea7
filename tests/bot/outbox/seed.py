"""Registered owners in bulk, for broadcasts: users, identities, owners and businesses by executemany."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from storage.database import Database
from storage.models import Business, ChannelIdentity, Owner, User

CHAT_BASE = 700_000_000


async def seed_owners(
    db: Database,
    n: int,
    *,
    channel: str = "telegram",
    first: int = 0,
    district_code: str = "63.72.01",
    sector: str = "kuliner",
    size_class: str = "micro",
    status: str = "active",
    chunk: int = 5000,
) -> list[str]:
    """`n` registered owners on `channel`; returns their external ids (chat ids)."""
    now = datetime(2026, 1, 5, tzinfo=UTC)
    external = [str(CHAT_BASE + first + i) for i in range(n)]
    for start in range(0, n, chunk):
        part = external[start : start + chunk]
        async with db.transaction() as tx:
            session = tx.session
            user_ids = list(
                (
                    await session.execute(
                        insert(User).returning(User.id),
                        [{"locale": "id", "opted_out": False, "created_at": now} for _ in part],
                    )
                ).scalars()
            )
            await session.execute(
                insert(ChannelIdentity),
                [
                    {"user_id": uid, "channel": channel, "external_id": ext, "created_at": now}
                    for uid, ext in zip(user_ids, part, strict=True)
                ],
            )
            owner_ids = list(
                (
                    await session.execute(
                        insert(Owner).returning(Owner.id),
                        [
                            {"user_id": uid, "full_name": f"Pemilik {uid}", "registered_at": now}
                            for uid in user_ids
                        ],
                    )
                ).scalars()
            )
            await session.execute(
                insert(Business),
                [
                    {
                        "owner_id": oid,
                        "name": f"Usaha {oid}",
                        "district_code": district_code,
                        "sector": sector,
                        "size_class": size_class,
                        "status": status,
                    }
                    for oid in owner_ids
                ],
            )
    return external


async def user_id_of(db: Database, channel: str, external_id: str) -> int:
    async with db.transaction() as tx:
        value = await tx.session.scalar(
            select(ChannelIdentity.user_id).where(
                ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
            )
        )
    assert value is not None
    return int(value)
