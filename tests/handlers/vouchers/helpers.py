"""Registered owners, courier partners and programs for the voucher tests, through the real domain."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.channels.console import ConsoleChannel
from handlers.types import utcnow
from handlers.vouchers.programs import NewProgram, add_courier, add_program
from storage.models.vouchers import VoucherProgram
from tests.handlers.registration.conversation import NIK, router_sender, to_summary

COURIER = "JNE Banjarbaru"


async def register(app: App, user: str, nik: str = NIK) -> ConsoleChannel:
    """A console user who registered by chat (Landasan Ulin, micro), ready to ask for vouchers."""
    send = router_sender(app.router, app.renderer, "console", user)
    await to_summary(send, nik)
    done = await send("1")
    assert any("Nomor pendaftaran" in r for r in done), done
    return ConsoleChannel(app.router, app.renderer, user)


async def courier_code(app: App, name: str = COURIER, now: datetime | None = None) -> str:
    async with app.db.transaction() as tx:
        _courier, code = await add_courier(tx, name, officer="officer:test", now=now or utcnow())
    return code


async def program(app: App, now: datetime | None = None, **options: object) -> VoucherProgram:
    """A program of the courier partner (added if new); options as `NewProgram`'s fields."""
    async with app.db.transaction() as tx:
        if await tx.couriers.by_name(str(options.get("courier", COURIER))) is None:
            await add_courier(
                tx, str(options.get("courier", COURIER)), officer="officer:test", now=now or utcnow()
            )
        fields: dict[str, object] = {
            "name": "Gratis Ongkir UMKM",
            "courier": COURIER,
            "quota": 500,
            **options,
        }
        return await add_program(tx, NewProgram(**fields), officer="officer:test", now=now or utcnow())  # type: ignore[arg-type]
