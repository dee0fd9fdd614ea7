"""The limits that must hold under concurrency, on SQLite and PostgreSQL: the quota is exact,
one owner's limit holds across channels, and a code is redeemed exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.app import App
from handlers.vouchers.issuing import Issued, Refusal, Refused, request_voucher
from handlers.vouchers.redeeming import Redeemed, RedeemRefusal, redeem
from handlers.vouchers.redeeming import Refused as RedeemRefused
from storage.models import ChannelIdentity, Owner, Voucher, VoucherProgram
from storage.models.registration import Business
from tests.bot.outbox.seed import seed_owners
from tests.handlers.vouchers.helpers import program

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def _ask(app: App, program_id: int, owner_id: int) -> Issued | Refused:
    async with app.db.transaction() as tx:
        owner = await tx.session.get(Owner, owner_id)
        chosen = await tx.vouchers.program(program_id)
        business = await tx.session.scalar(select(Business).where(Business.owner_id == owner_id))
        assert owner is not None and chosen is not None and business is not None
        return await request_voucher(
            tx, chosen, owner, business, actor=f"user:{owner.user_id}", now=NOW, zone=app.agency.time_zone
        )


async def test_200_owners_asking_at_once_get_exactly_the_quota_of_50(app: App) -> None:
    await seed_owners(app.db, 200)
    chosen = await program(app, now=NOW, quota=50)
    async with app.db.transaction() as tx:
        owners = (await tx.session.execute(select(Owner.id))).scalars().all()
    outcomes = await asyncio.gather(*(_ask(app, chosen.id, o) for o in owners))
    issued = [o for o in outcomes if isinstance(o, Issued)]
    refused = [o for o in outcomes if isinstance(o, Refused)]
    assert len(issued) == 50 and len(refused) == 150
    assert {r.reason for r in refused} == {Refusal.QUOTA}
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Voucher)) == 50
        assert await tx.session.scalar(select(VoucherProgram.issued)) == 50
        codes = (await tx.session.execute(select(Voucher.code))).scalars().all()
    assert len(set(codes)) == 50


async def test_one_owner_on_telegram_and_whatsapp_at_once_gets_one_voucher(app: App) -> None:
    await seed_owners(app.db, 1)
    async with app.db.transaction() as tx:
        owner = (await tx.session.execute(select(Owner))).scalar_one()
        # The same person, linked: their WhatsApp identity belongs to the same user.
        tx.session.add(
            ChannelIdentity(user_id=owner.user_id, channel="whatsapp", external_id="6281200000001")
        )
    chosen = await program(app, now=NOW, quota=100, per_owner=2)
    outcomes = await asyncio.gather(*(_ask(app, chosen.id, owner.id) for _ in range(12)))
    assert sum(isinstance(o, Issued) for o in outcomes) == 2
    assert {o.reason for o in outcomes if isinstance(o, Refused)} == {Refusal.LIMIT}
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(select(VoucherProgram.issued)) == 2


async def test_twenty_redemptions_of_one_code_at_once_redeem_it_once(app: App) -> None:
    await seed_owners(app.db, 1)
    chosen = await program(app, now=NOW, quota=10)
    async with app.db.transaction() as tx:
        owner_id = await tx.session.scalar(select(Owner.id))
    assert owner_id is not None
    issued = await _ask(app, chosen.id, owner_id)
    assert isinstance(issued, Issued)
    code = issued.voucher.code

    async def counter(n: int) -> Redeemed | RedeemRefused:
        async with app.db.transaction() as tx:
            return await redeem(
                tx, code, resi=f"JNE{n:08d}", ongkir=18_000, courier=None, actor=f"counter:{n}", now=NOW
            )

    outcomes = await asyncio.gather(*(counter(n) for n in range(20)))
    winners = [o for o in outcomes if isinstance(o, Redeemed)]
    losers = [o for o in outcomes if isinstance(o, RedeemRefused)]
    assert len(winners) == 1 and len(losers) == 19
    assert {o.reason for o in losers} == {RedeemRefusal.REDEEMED}
    resi = winners[0].view.voucher.resi
    assert all(o.values["resi"] == resi and o.values["at"] == NOW for o in losers)
    async with app.db.transaction() as tx:
        voucher = (await tx.session.execute(select(Voucher))).scalar_one()
    assert (voucher.resi, voucher.ongkir, voucher.paid) == (resi, 18_000, 18_000)
