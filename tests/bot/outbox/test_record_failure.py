"""A send that went out is recorded even when the first write of its result fails."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from handlers.agency import AgencyProfile
from messages import RenderedReply, Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.models.outbox import SENT
from tests.bot.outbox.helpers import broadcast_text, dispatcher, shifted_clock
from tests.bot.outbox.seed import seed_owners


class DatabaseGoingAway:
    """The test database, except that after `go_away()` the next transaction fails to start,
    once: a connection lost for a moment."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._failures: list[Exception] = []

    def go_away(self) -> None:
        self._failures.append(ConnectionError("database went away for a moment"))

    def transaction(self, *locks: str) -> Any:
        if self._failures:
            raise self._failures.pop()
        return self._db.transaction(*locks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


class CountingSender:
    channel = "telegram"

    def __init__(self, after_first_send: Callable[[], None]) -> None:
        self.sent: list[str] = []
        self.after_first_send = after_first_send

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        self.sent.append(external_id)
        if len(self.sent) == 1:
            self.after_first_send()
        return f"{external_id}:{len(self.sent)}"

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise AssertionError("no templates on Telegram")


async def test_a_failed_sent_write_is_retried_not_left_for_a_resend(
    db: Database, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, 3)
    await broadcast_text(db, "Pengumuman", now=clock())
    flaky = DatabaseGoingAway(db)
    # The database goes away just as the first message has gone out: recording it fails once.
    sender = CountingSender(after_first_send=flaky.go_away)
    d = dispatcher(flaky, sender, renderer, agency, clock=clock, in_flight=1)  # type: ignore[arg-type]
    with contextlib.suppress(Exception):
        await d.sweep()
    async with db.transaction() as tx:
        rows = (await tx.session.execute(select(OutboxMessage))).scalars().all()
    assert len(sender.sent) == 3
    assert [r.status for r in rows] == [SENT] * 3, "a message that went out must not be sent again"
