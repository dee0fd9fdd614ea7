"""The template fallback when the WhatsApp channel has no approved template for a row's kind:
the row fails, and its last error says why a template was wanted and which kind had none."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
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


async def _flag_for_the_template(db: Database) -> None:
    """What a status webhook reporting 131047 for the free-form send leaves on the row."""
    async with db.transaction() as tx:
        [row] = (await tx.session.execute(select(OutboxMessage))).scalars().all()
        await tx.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row.id).values(payload=as_template(row.payload))
        )


@pytest.mark.parametrize(
    ("flagged", "why"),
    [
        (False, "OutsideWindow: Re-engagement message (code 131047)"),  # refused at once
        (True, "outside the 24-hour window (code 131047)"),  # reported by a status webhook
    ],
)
async def test_no_approved_template_for_the_kind_fails_the_row_saying_why(
    db: Database, renderer: Renderer, agency: AgencyProfile, flagged: bool, why: str
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, 1, channel="whatsapp")
    await broadcast_text(db, "Pengumuman", now=clock())
    if flagged:
        await _flag_for_the_template(db)
    client = OutsideWindowClient()
    result = await sweep_until_done(dispatcher(db, whatsapp(renderer, client), renderer, agency, clock=clock))
    assert result.failed == 1 and client.templates == []
    async with db.transaction() as tx:
        [row] = (await tx.session.execute(select(OutboxMessage))).scalars().all()
    assert row.status == FAILED
    assert row.last_error == f"{why}; no approved template for 'announcement'"
