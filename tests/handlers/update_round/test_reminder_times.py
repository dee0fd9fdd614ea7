"""Reminders belong to the round: none whose time came before the round was opened."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from handlers.agency import AgencyProfile
from handlers.update_round import UpdateRoundPlanner, open_round
from handlers.update_round.planner import INVITATION, REMINDER
from storage.database import Database
from storage.models import OutboxMessage
from tests.bot.outbox.seed import seed_owners


async def test_a_round_opened_after_the_h7_time_sends_no_h7_reminder_with_the_invitation(
    db: Database, agency: AgencyProfile
) -> None:
    deadline = date(2026, 3, 31)
    await seed_owners(db, 3)
    opened = datetime(2026, 3, 26, 2, tzinfo=UTC)  # 10:00 WITA, five days before the deadline
    async with db.transaction() as tx:
        _round, invited = await open_round(
            tx, officer="officer:test", deadline=deadline, note=None, now=opened
        )
    assert invited == 3
    planner = UpdateRoundPlanner(db, agency)
    assert await planner.plan(opened) == 0, "the invitation has just gone; h-7 was before the round"
    h3 = datetime(2026, 3, 28, 1, 0, tzinfo=UTC)  # 09:00 WITA on 28 March
    assert await planner.plan(h3) == 3
    assert await planner.plan(h3 + timedelta(hours=1)) == 0
    h1 = datetime(2026, 3, 30, 1, 0, tzinfo=UTC)  # 09:00 WITA on 30 March
    assert await planner.plan(h1) == 3
    async with db.transaction() as tx:
        columns = select(OutboxMessage.user_id, OutboxMessage.kind, OutboxMessage.due_at)
        rows = (await tx.session.execute(columns)).all()
    # Each owner: the invitation as the round opens, then the reminders of h-3 and h-1, none for h-7.
    owners = {user for user, _, _ in rows}
    assert len(owners) == 3
    for owner in owners:
        assert sorted((kind, due) for user, kind, due in rows if user == owner) == [
            (INVITATION.name, opened),
            (REMINDER.name, h3),
            (REMINDER.name, h1),
        ]
