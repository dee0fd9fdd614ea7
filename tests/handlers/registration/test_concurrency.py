"""Two channels register one NIK at the same moment: exactly one succeeds, the other is refused politely."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import App
from storage.models import Owner
from tests.handlers.registration.conversation import router_sender, to_summary


async def test_one_nik_from_two_channels_at_once_registers_once(app: App) -> None:
    telegram = router_sender(app.router, app.renderer, "telegram", "1001")
    whatsapp = router_sender(app.router, app.renderer, "whatsapp", "6281299990000")
    await to_summary(telegram)
    await to_summary(whatsapp)
    results = await asyncio.gather(telegram("1"), whatsapp("1"))
    texts = ["\n".join(r) for r in results]
    saved = [t for t in texts if "Nomor pendaftaran Anda" in t]
    refused = [t for t in texts if "NIK ini sudah terdaftar" in t]
    assert len(saved) == 1 and len(refused) == 1, texts
    assert not any("gangguan" in t for t in texts)
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Owner)) == 1
