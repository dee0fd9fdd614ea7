"""A send that went out is recorded even when the first write of its result fails."""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import select

from bot.outbox.results import ResultWriter
from handlers.agency import AgencyProfile
from messages import RenderedReply, Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.models.outbox import SENT
from tests.bot.outbox.helpers import broadcast_text, dispatcher, shifted_clock
from tests.bot.outbox.seed import seed_owners


class CountingSender:
    channel = "telegram"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        self.sent.append(external_id)
        return f"{external_id}:{len(self.sent)}"

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise AssertionError("no templates on Telegram")


async def test_a_failed_sent_write_is_retried_not_left_for_a_resend(
    db: Database, renderer: Renderer, agency: AgencyProfile, monkeypatch: Any
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, 3)
    await broadcast_text(db, "Pengumuman", now=clock())
    sender = CountingSender()
    d = dispatcher(db, sender, renderer, agency, clock=clock, in_flight=1)
    original = ResultWriter._record
    failures = [ConnectionError("database went away for a moment")]

    async def flaky(self: ResultWriter, items: Any, result: Any) -> None:
        if failures:
            raise failures.pop()
        await original(self, items, result)

    monkeypatch.setattr(ResultWriter, "_record", flaky)
    with contextlib.suppress(Exception):
        await d.sweep()
    async with db.transaction() as tx:
        rows = (await tx.session.execute(select(OutboxMessage))).scalars().all()
    assert len(sender.sent) == 3
    assert [r.status for r in rows] == [SENT] * 3, "a message that went out must not be sent again"
