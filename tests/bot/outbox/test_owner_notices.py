"""Officer corrections (owners set-status, owners verify-nib): audited, and the owner is told by chat."""

from __future__ import annotations

import argparse
import io
from dataclasses import replace

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from handlers.officer import OfficerError
from handlers.registration.commands import run_owners
from storage.models import AuditEntry, Business, Owner
from tests.bot.outbox.helpers import dispatcher, shifted_clock, sweep_until_done
from tests.bot.outbox.seed import seed_owners
from tests.fakes import FakeTelegram


async def _two_owners(app: App) -> list[str]:
    chats = await seed_owners(app.db, 2)
    async with app.db.transaction() as tx:
        owners = (await tx.session.execute(select(Owner.id).order_by(Owner.id))).scalars().all()
        for n, owner_id in enumerate(owners, start=1):
            await tx.session.execute(
                update(Owner).where(Owner.id == owner_id).values(reg_no=f"BJB-2026-00000{n}")
            )
        await tx.session.execute(
            update(Business).where(Business.owner_id == owners[0]).values(nib="1234567890123")
        )
    return chats


async def _owners(app: App, *argv: str) -> str:
    """Run `owners set-status|verify-nib` at 10:00 agency time (outside quiet hours)."""
    out = io.StringIO()
    args = argparse.Namespace(owners_command=argv[0], reg_no=argv[1])
    if argv[0] == "set-status":
        args.status, args.reason = argv[2], argv[3]
    clock = shifted_clock(app.agency.time_zone, 10)
    await run_owners(args, replace(app.officer_context(out=out), clock=clock))
    return out.getvalue()


async def test_a_status_set_by_an_officer_is_audited_and_told_to_that_owner_only(
    app: App, tg: FakeTelegram, telegram: TelegramChannel
) -> None:
    chats = await _two_owners(app)
    printed = await _owners(app, "set-status", "bjb-2026-000001", "closed", "Sudah pindah ke Banjar")
    assert "BJB-2026-000001: status Tutup" in printed
    async with app.db.transaction() as tx:
        statuses = (await tx.session.execute(select(Business.status).order_by(Business.id))).scalars().all()
        audit = (
            await tx.session.execute(select(AuditEntry).where(AuditEntry.action == "owner.status_set"))
        ).scalar_one()
    assert statuses == ["closed", "active"]
    assert audit.details == {"from": "active", "to": "closed", "reason": "Sudah pindah ke Banjar"}

    clock = shifted_clock(app.agency.time_zone, 10)
    await sweep_until_done(dispatcher(app.db, telegram, app.renderer, app.agency, clock=clock))
    sent = tg.sent_messages()
    assert [str(m["chat_id"]) for m in sent] == [chats[0]]
    assert "tutup" in sent[0]["text"] and "Sudah pindah ke Banjar" in sent[0]["text"]

    # The same status again changes nothing the owner needs to hear.
    await _owners(app, "set-status", "BJB-2026-000001", "closed", "Cek ulang")
    await sweep_until_done(dispatcher(app.db, telegram, app.renderer, app.agency, clock=clock))
    assert len(tg.sent_messages()) == 1


async def test_verify_nib_marks_it_once_and_refuses_a_business_without_one(
    app: App, tg: FakeTelegram, telegram: TelegramChannel
) -> None:
    chats = await _two_owners(app)
    assert "NIB terverifikasi" in await _owners(app, "verify-nib", "BJB-2026-000001")
    await _owners(app, "verify-nib", "BJB-2026-000001")
    with pytest.raises(OfficerError, match=r"^BJB-2026-000002 belum punya NIB untuk diverifikasi$"):
        await _owners(app, "verify-nib", "BJB-2026-000002")
    with pytest.raises(OfficerError, match=r"^nomor pendaftaran BJB-2026-999999 tidak ditemukan$"):
        await _owners(app, "set-status", "BJB-2026-999999", "inactive", "x")
    clock = shifted_clock(app.agency.time_zone, 10)
    await sweep_until_done(dispatcher(app.db, telegram, app.renderer, app.agency, clock=clock))
    sent = tg.sent_messages()
    assert [str(m["chat_id"]) for m in sent] == [chats[0]]
    assert "1234567890123" in sent[0]["text"] and "terverifikasi" in sent[0]["text"]
    async with app.db.transaction() as tx:
        actions = (await tx.session.execute(select(AuditEntry.action))).scalars().all()
    assert actions.count("owner.nib_verified") == 1
