"""The agency's records, invited and confirmed over the real platforms: the invitation reaches the
recorded WhatsApp number through the outbox as the approved template (never free text first), the
owner's reply starts the confirmation there; on Telegram a shared contact does."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.runner import Service
from handlers.registration.invitation import invite_imported
from handlers.types import utcnow
from storage.models import ChannelIdentity, Owner
from tests.bot.channels.conftest import (
    StartService,
    post_whatsapp,
    settle,
    telegram_settings,
    whatsapp_settings,
)
from tests.bot.channels.test_registration_over_platforms import TELEGRAM_USER, _telegram_exchange
from tests.bot.channels.test_update_round_over_platforms import _settings
from tests.fakes import FakeTelegram, FakeWhatsApp, text_message_payload
from tests.handlers.registration.imports import BUDI, SITI, write_xlsx
from tests.handlers.registration.test_import import run_import

SITI_WA = "6281234567890"


async def _import(service: Service, tmp_path: Path) -> None:
    summary, _ = await run_import(
        service.app.db, service.app.agency, write_xlsx(tmp_path / "u.xlsx", [SITI, BUDI])
    )
    assert summary.added == 2


async def _siti(service: Service) -> tuple[Owner, ChannelIdentity | None]:
    async with service.app.db.transaction() as tx:
        owner = (
            await tx.session.execute(select(Owner).where(Owner.reg_no == "BJB-2026-000001"))
        ).scalar_one()
        identity = None
        if owner.user_id is not None:
            identity = (
                await tx.session.execute(
                    select(ChannelIdentity).where(ChannelIdentity.user_id == owner.user_id)
                )
            ).scalar_one()
        return owner, identity


def _sends(wa: FakeWhatsApp, to: str) -> list[dict[str, Any]]:
    """Every send WhatsApp received for `to`, refused ones too."""
    return [c.params for c in wa.calls if c.method == "send" and c.params.get("to") == to]


async def test_invited_on_whatsapp_and_confirmed_there(
    start_service: StartService, wa: FakeWhatsApp, tmp_path: Path
) -> None:
    service = await start_service(**_settings(tmp_path, whatsapp_settings(wa)))
    await _import(service, tmp_path)
    async with service.app.db.transaction() as tx:
        invited = await invite_imported(
            tx,
            district_code=None,
            only_unconfirmed=True,
            dry_run=False,
            officer="officer:test",
            now=utcnow(),
            today=date.today(),
        )
    assert invited.queued == 2

    [invitation] = await wa.wait_for_messages_async(1, to=SITI_WA, timeout=15)
    assert invitation["type"] == "template"
    assert invitation["template"]["name"] == "undangan_konfirmasi_dinas"
    assert invitation["template"]["language"] == {"code": "id"}
    [body] = invitation["template"]["components"]
    [parameter] = body["parameters"]
    assert "data usaha Anda sudah tercatat" in parameter["text"] and "Siti" not in parameter["text"]
    assert [s["type"] for s in _sends(wa, SITI_WA)] == ["template"], "never free-form text first"

    async def say(text: str) -> str:
        before = len(wa.sent_messages(to=SITI_WA))
        assert (await post_whatsapp(service, text_message_payload(SITI_WA, text))).status_code == 200
        await settle(service)
        return "\n".join(str(m) for m in wa.sent_messages(to=SITI_WA)[before:])

    greeting = await say("halo")
    assert "Halo, *Siti Aminah*!" in greeting and "Pemberitahuan data pribadi" in greeting
    assert "Setuju" in greeting and "Bukan data saya" in greeting
    assert "NIB" in await say("Setuju")
    await say("belum punya")
    assert "Ringkasan pendaftaran" in await say("Tidak")
    assert "sudah dikonfirmasi" in await say("Simpan")
    owner, identity = await _siti(service)
    assert owner.confirmed_at is not None
    assert identity is not None and (identity.channel, identity.external_id) == ("whatsapp", SITI_WA)


async def test_a_telegram_contact_with_the_recorded_number_confirms(
    start_service: StartService, tg: FakeTelegram, tmp_path: Path
) -> None:
    service = await start_service(**telegram_settings(tg))
    await _import(service, tmp_path)
    menu = await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "halo"))
    assert "Siti" not in menu
    keyboard = tg.sent_messages(TELEGRAM_USER)[-1]["reply_markup"]["inline_keyboard"]
    assert any("Sudah terdata di Dinas?" in b["text"] for row in keyboard for b in row)
    asked = await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Sudah terdata di Dinas?"))
    assert "Bagikan nomor saya" in asked
    assert "request_contact" in str(tg.sent_messages(TELEGRAM_USER)[-1]["reply_markup"])
    # Someone else's contact is not theirs to share: it opens nothing.
    other = await _telegram_exchange(
        service, tg, tg.contact_update(TELEGRAM_USER, "+6281234567890", contact_user_id=99)
    )
    assert "Siti" not in other
    greeting = await _telegram_exchange(service, tg, tg.contact_update(TELEGRAM_USER, "+6281234567890"))
    assert "Siti Aminah" in greeting and "Pemberitahuan data pribadi" in greeting
    assert "NIB" in await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Setuju"))
    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "belum punya"))
    await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Tidak"))
    done = await _telegram_exchange(service, tg, tg.text_update(TELEGRAM_USER, "Simpan"))
    assert "sudah dikonfirmasi" in done
    owner, identity = await _siti(service)
    assert owner.confirmed_at is not None
    assert identity is not None and (identity.channel, identity.external_id) == (
        "telegram",
        str(TELEGRAM_USER),
    )
