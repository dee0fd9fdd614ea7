"""The outbox table: dedupe keys, atomic claims under a lease, expired leases, sender leases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.models.outbox import FAILED, LEASED, PENDING, SENT, UNREACHABLE
from storage.repositories.outbox import NewMessage
from tests.storage.plans import SCANS, SORTS, dialect, plan_of, statements

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def message(n: int, *, channel: str = "telegram", due: datetime = NOW, key: str | None = None) -> NewMessage:
    return NewMessage(
        channel=channel,
        external_id=str(1000 + n),
        user_id=None,
        kind="announcement",
        dedupe_key=key or f"test:{n}",
        payload={"template": "broadcast/text", "values": {"text": f"pesan {n}"}},
        due_at=due,
    )


async def queue(db: Database, messages: list[NewMessage]) -> int:
    async with db.transaction() as tx:
        return await tx.outbox.enqueue(messages)


async def test_the_same_dedupe_key_is_queued_once(db: Database) -> None:
    assert await queue(db, [message(1), message(2)]) == 2
    assert await queue(db, [message(1), message(2), message(3)]) == 1
    async with db.transaction() as tx:
        assert await tx.outbox.status_counts() == {PENDING: 3}


async def test_a_claim_leases_due_rows_oldest_first_and_counts_an_attempt(db: Database) -> None:
    await queue(db, [message(n, due=NOW - timedelta(minutes=n)) for n in range(5)])
    await queue(db, [message(9, due=NOW + timedelta(hours=1))])
    async with db.transaction() as tx:
        claimed = await tx.outbox.claim(
            "telegram", "p1", batch=3, lease_until=NOW + timedelta(minutes=1), now=NOW
        )
    assert sorted(m.external_id for m in claimed) == ["1002", "1003", "1004"]
    assert all(m.attempts == 1 for m in claimed)
    async with db.transaction() as tx:
        rest = await tx.outbox.claim(
            "telegram", "p2", batch=10, lease_until=NOW + timedelta(minutes=1), now=NOW
        )
        assert sorted(m.external_id for m in rest) == ["1000", "1001"]
        assert await tx.outbox.claim("whatsapp", "p2", batch=10, lease_until=NOW, now=NOW) == []
        assert await tx.outbox.status_counts() == {LEASED: 5, PENDING: 1}


async def test_concurrent_claims_never_hand_out_a_row_twice(db: Database) -> None:
    await queue(db, [message(n) for n in range(300)])

    async def claimer(name: str) -> list[int]:
        got: list[int] = []
        while True:
            async with db.transaction() as tx:
                batch = await tx.outbox.claim(
                    "telegram", name, batch=7, lease_until=NOW + timedelta(minutes=1), now=NOW
                )
            if not batch:
                return got
            got.extend(m.id for m in batch)
            await asyncio.sleep(0)

    results = await asyncio.gather(*(claimer(f"p{i}") for i in range(6)))
    every = [i for got in results for i in got]
    assert len(every) == len(set(every)) == 300


async def test_expired_leases_are_taken_again(db: Database) -> None:
    await queue(db, [message(1)])
    async with db.transaction() as tx:
        first = await tx.outbox.claim(
            "telegram", "dead", batch=5, lease_until=NOW + timedelta(seconds=30), now=NOW
        )
    later = NOW + timedelta(seconds=10)
    async with db.transaction() as tx:
        assert await tx.outbox.release_expired("telegram", later) == 0
        assert await tx.outbox.claim("telegram", "p2", batch=5, lease_until=later, now=later) == []
    later = NOW + timedelta(seconds=31)
    async with db.transaction() as tx:
        assert await tx.outbox.release_expired("telegram", later) == 1
        again = await tx.outbox.claim("telegram", "p2", batch=5, lease_until=later, now=later)
    assert [m.id for m in again] == [m.id for m in first]
    assert again[0].attempts == 2


async def test_outcomes_sent_rescheduled_and_unreachable(db: Database) -> None:
    await queue(db, [message(1), message(2), message(3), message(4, key="other:4")])
    async with db.transaction() as tx:
        claimed = await tx.outbox.claim(
            "telegram", "p", batch=10, lease_until=NOW + timedelta(minutes=1), now=NOW
        )
        one, two, three, _ = claimed
        await tx.outbox.mark_sent(one.id, "tg:77", NOW)
        await tx.outbox.reschedule([two.id], NOW + timedelta(seconds=5), error="429", refund=True)
        await tx.outbox.mark_unreachable("telegram", three.external_id, "blocked", NOW)
    async with db.transaction() as tx:
        row = await tx.outbox.by_key("test:1")
        assert row is not None and row.status == SENT and row.provider_message_id == "tg:77"
        row = await tx.outbox.by_key("test:2")
        assert row is not None and row.status == PENDING and row.attempts == 0 and row.last_error == "429"
        row = await tx.outbox.by_key("test:3")
        assert row is not None and row.status == UNREACHABLE
        assert await tx.outbox.claim("telegram", "p", batch=10, lease_until=NOW, now=NOW) == []


async def test_a_sent_row_is_requeued_or_failed_only_while_it_holds_that_provider_id(db: Database) -> None:
    await queue(db, [message(1), message(2)])
    async with db.transaction() as tx:
        one, two = await tx.outbox.claim(
            "telegram", "p", batch=10, lease_until=NOW + timedelta(minutes=1), now=NOW
        )
        await tx.outbox.mark_sent(one.id, "wamid.1", NOW)
        await tx.outbox.mark_sent(two.id, "wamid.2", NOW)
    later = NOW + timedelta(minutes=5)
    async with db.transaction() as tx:
        assert await tx.outbox.find_sent("telegram", one.external_id, "wamid.2") is None
        sent = await tx.outbox.find_sent("telegram", one.external_id, "wamid.1")
        assert sent is not None and sent.id == one.id and sent.payload == one.payload
        payload = {**sent.payload, "again": True}
        assert await tx.outbox.requeue_sent(one.id, "wamid.1", payload=payload, reason="refused", now=later)
        # The same status again: the row is no longer `sent` with that id.
        assert await tx.outbox.find_sent("telegram", one.external_id, "wamid.1") is None
        assert not await tx.outbox.requeue_sent(one.id, "wamid.1", payload={}, reason="again", now=later)
        assert not await tx.outbox.fail_sent(one.id, "wamid.1", "again")
        assert not await tx.outbox.fail_sent(two.id, "wamid.1", "not its id")
        assert await tx.outbox.fail_sent(two.id, "wamid.2", "refused too")
        assert not await tx.outbox.fail_sent(two.id, "wamid.2", "again")
    async with db.transaction() as tx:
        row = await tx.outbox.by_key("test:1")
        assert row is not None and row.status == PENDING and row.payload == payload
        assert row.last_error == "refused" and row.next_attempt_at == later
        row = await tx.outbox.by_key("test:2")
        assert row is not None and row.status == FAILED and row.last_error == "refused too"


async def test_one_sender_per_channel_until_its_lease_runs_out(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.sender_leases.acquire("telegram", "a", until=NOW + timedelta(seconds=30), now=NOW)
        assert not await tx.sender_leases.acquire("telegram", "b", until=NOW + timedelta(seconds=30), now=NOW)
        assert await tx.sender_leases.acquire("whatsapp", "b", until=NOW + timedelta(seconds=30), now=NOW)
        assert await tx.sender_leases.acquire("telegram", "a", until=NOW + timedelta(seconds=60), now=NOW)
    later = NOW + timedelta(seconds=61)
    async with db.transaction() as tx:
        assert await tx.sender_leases.acquire("telegram", "b", until=later + timedelta(seconds=30), now=later)
        assert await tx.sender_leases.holder("telegram", later) == "b"
        await tx.sender_leases.release("telegram", "b")
        assert await tx.sender_leases.acquire("telegram", "c", until=later + timedelta(seconds=30), now=later)


async def test_a_claim_reads_the_ready_index_in_its_order_without_sorting_the_due_rows(db: Database) -> None:
    # A broadcast queues thousands of rows due at one time; a claim takes them in (due, id)
    # order. Without the id in the index, PostgreSQL sorted every due row to find the first 100.
    await queue(db, [message(n) for n in range(50)])
    with statements(db, "UPDATE outbox") as seen:
        async with db.transaction() as tx:
            assert len(await tx.outbox.claim("telegram", "p1", batch=10, lease_until=NOW, now=NOW)) == 10
            [(statement, parameters)] = seen
            plan = await plan_of(db, tx, statement, parameters)
    assert "ix_outbox_ready" in plan and SORTS[dialect(db)] not in plan, plan


async def test_rows_are_found_by_a_prefix_of_their_keys_exactly_and_through_the_keys_index(
    db: Database,
) -> None:
    # An owner's answer in a data-update round cancels their open reminders by key prefix. As
    # `LIKE 'prefix%'` that read every row of the outbox (every message ever queued).
    keys = [
        "update-round:1:user:4:h-7",
        "update-round:1:user:4:h-1",
        "update-round:1:user:4",  # the prefix without its last character: not under it
        "update-round:1:user:40:h-7",
        "update-round:1:user:4;",  # the range's end itself
        "update-round:1:user:3:h-7",
        "UPDATE-ROUND:1:user:4:h-7",  # keys are compared exactly, case included
    ]
    await queue(db, [message(n, key=key) for n, key in enumerate(keys)])
    with statements(db, "UPDATE outbox") as seen:
        async with db.transaction() as tx:
            assert await tx.outbox.cancel("update-round:1:user:4:", "answered") == 2
            [(statement, parameters)] = seen
            plan = await plan_of(db, tx, statement, parameters)
    assert SCANS[dialect(db)] not in plan, plan
    async with db.transaction() as tx:
        assert await tx.outbox.kind_counts("update-round:1:") == {
            ("announcement", "cancelled"): 2,
            ("announcement", PENDING): 4,
        }
        assert await tx.outbox.cancel("", "everything") == 5
