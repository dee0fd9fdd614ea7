"""What reads in a snapshot: an observer of the transactions that begin on a database, and a
database with something of every kind for the pages and commands that read it to show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from bot.app import App
from handlers.broadcasts.service import announcement, queue_broadcast
from handlers.trainings.seats import applicant_of, sign_up
from handlers.update_round.planner import open_round
from storage.database import Database
from storage.engine import READ_ONLY
from storage.models import Business
from storage.repositories.audience import AudienceFilter
from tests.bot.dashboard.seed import issue_vouchers, seed_varied_owners
from tests.handlers.trainings.helpers import add_training
from tests.handlers.vouchers.helpers import program


@contextmanager
def writers(db: Database) -> Iterator[list[bool]]:
    """For each transaction begun meanwhile, in order: True when it may write (a `transaction()`,
    holding SQLite's writer), False for a `snapshot()`."""
    began: list[bool] = []

    def on_begin(connection: Any) -> None:
        began.append(not connection.get_execution_options().get(READ_ONLY))

    event.listen(db.engine.sync_engine, "begin", on_begin)
    try:
        yield began
    finally:
        event.remove(db.engine.sync_engine, "begin", on_begin)


async def seeded(app: App, now: datetime) -> dict[str, str]:
    """Something for every page to show: owners with their businesses (some asking for NIB help),
    a training with someone signed up, a voucher program of a courier partner with a voucher
    issued, a broadcast and an update round. The values of the pages' path parameters."""
    await seed_varied_owners(app.db, 12, now=now)
    starts = now + timedelta(days=10)
    training = await add_training(app.db, now=now, starts_at=starts, ends_at=starts + timedelta(hours=6))
    shown = await program(app, now=now)
    code = (await issue_vouchers(app.db, shown.id, 1, zone=app.agency.time_zone))[0]
    async with app.db.transaction() as tx:
        owner_id = await tx.session.scalar(select(Business.owner_id).order_by(Business.owner_id))
        found = await tx.owners.get(owner_id or 0)
        assert found is not None and found[0].user_id is not None
        applicant, person = await applicant_of(tx, found[0].user_id)
        assert person is not None
        await sign_up(tx, training.id, person, applicant, actor="test", now=now)
        broadcast = await queue_broadcast(
            tx,
            officer="officer:test",
            reply=announcement(text="Pasar murah hari Minggu."),
            filters=AudienceFilter(),
            now=now,
        )
        await open_round(
            tx,
            officer="officer:test",
            deadline=(now + timedelta(days=10)).date(),
            note=None,
            now=now,
        )
    return {
        "owner_id": str(owner_id),
        "training_id": str(training.id),
        "program_id": str(shown.id),
        "broadcast_id": str(broadcast.id),
        "code": code,
    }
