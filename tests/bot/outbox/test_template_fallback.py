"""The template fallback when the WhatsApp channel has no approved template for a row's kind:
the row fails, and its last error says why a template was wanted and which kind had none."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from bot.channels.base import OutsideWindow
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.outbox.flags import as_template
from handlers.agency import AgencyProfile
from messages import Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.models.outbox import FAILED
from tests.bot.outbox.helpers import broadcast_text, dispatcher, shifted_clock, sweep_until_done
from tests.bot.outbox.seed import seed_owners


class OutsideWindowClient:
    """A Graph client for owners who have not written in 24 hours: every free-form send is refused."""

    def __init__(self) -> None:
        self.templates: list[str] = []

    async def send_text(self, to: str, body: str) -> str:
        raise OutsideWindow("Re-engagement message", code=131047)

    async def send_template(self, to: str, name: str, language: str, parameters: Sequence[str]) -> str:
        self.templates.append(name)
        return f"wamid.{len(self.templates)}"


def whatsapp(renderer: Renderer, client: OutsideWindowClient) -> WhatsAppChannel:
    # Only reminders have a template: announcements have none.
    return WhatsAppChannel(client, renderer, templates={"reminder": "pengingat_dinas"})  # type: ignore[arg-type]


async def _last_errors(db: Database) -> list[tuple[str, str | None]]:
    async with db.transaction() as tx:
        rows = (await tx.session.execute(select(OutboxMessage))).scalars().all()
    return [(r.status, r.last_error) for r in rows]


async def test_refused_at_once_and_no_template_for_the_kind(
    db: Database, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, 1, channel="whatsapp")
    await broadcast_text(db, "Pengumuman", now=clock())
    client = OutsideWindowClient()
    result = await sweep_until_done(dispatcher(db, whatsapp(renderer, client), renderer, agency, clock=clock))
    assert result.failed == 1 and client.templates == []
    assert await _last_errors(db) == [
        (
            FAILED,
            "OutsideWindow: Re-engagement message (code 131047); no approved template for 'announcement'",
        )
    ]


async def test_flagged_by_a_status_webhook_and_no_template_for_the_kind(
    db: Database, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, 1, channel="whatsapp")
    await broadcast_text(db, "Pengumuman", now=clock())
    async with db.transaction() as tx:
        [row] = (await tx.session.execute(select(OutboxMessage))).scalars().all()
        await tx.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row.id).values(payload=as_template(row.payload))
        )
    client = OutsideWindowClient()
    result = await sweep_until_done(dispatcher(db, whatsapp(renderer, client), renderer, agency, clock=clock))
    assert result.failed == 1 and client.templates == []
    assert await _last_errors(db) == [
        (FAILED, "outside the 24-hour window (code 131047); no approved template for 'announcement'")
    ]
