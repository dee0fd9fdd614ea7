"""Registered owners, courier partners and programs for the voucher tests, through the real domain."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.channels.console import CHANNEL, ConsoleChannel, render_console
from handlers.types import Incoming, utcnow
from handlers.vouchers.programs import NewProgram, add_courier, add_program
from handlers.vouchers.redeeming import Redeemed, redeem
from storage.database import Database
from storage.models.vouchers import VoucherProgram
from tests.handlers.registration.conversation import NIK, router_sender, to_summary

COURIER = "JNE Banjarbaru"


class OwnerChat(ConsoleChannel):
    """A chat user as the console shows them what they read (choices numbered), on any channel:
    a Telegram or WhatsApp user is one the outbox can reach."""

    def __init__(self, app: App, user: str, channel: str = CHANNEL) -> None:
        super().__init__(app.router, app.renderer, user)
        self.channel = channel

    async def send(self, text: str) -> list[str]:
        response = await self.router.handle(Incoming(self.channel, self.user, text=text))
        return [render_console(self.renderer.render_reply(r, response.locale)) for r in response.replies]


async def register(app: App, user: str, nik: str = NIK, channel: str = CHANNEL) -> ConsoleChannel:
    """A user who registered by chat (Landasan Ulin, micro), ready to ask for vouchers: on the
    console, or on `channel`."""
    send = router_sender(app.router, app.renderer, channel, user)
    await to_summary(send, nik)
    done = await send("1")
    assert any("Nomor pendaftaran" in r for r in done), done
    return OwnerChat(app, user, channel)


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


async def redeem_at_counter(
    db: Database, code: str, *, resi: str = "JNE123456", ongkir: int = 18_000
) -> None:
    """The program's own courier redeems the code now (as `umkm-bot voucher redeem` does)."""
    async with db.transaction() as tx:
        done = await redeem(tx, code, resi=resi, ongkir=ongkir, courier=None, actor="test", now=utcnow())
    assert isinstance(done, Redeemed), done
