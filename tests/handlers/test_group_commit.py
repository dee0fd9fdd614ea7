"""GroupCommitter.run_alone: a channel's own writes share the conversation's transactions, and
a failing one fails only its caller."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import insert

from handlers.group_commit import GroupCommitter, user_lock
from handlers.router import identity_lock
from storage.crypto import Cipher
from storage.database import Database
from storage.models import ChannelIdentity
from storage.repositories import Transaction
from tests.conftest import TEST_SECRET_KEY


@contextlib.asynccontextmanager
async def db_at(url: str) -> AsyncIterator[Database]:
    """A database of its own, as another process has."""
    database = Database(url, cipher=Cipher(TEST_SECRET_KEY))
    try:
        yield database
    finally:
        await database.close()


def audit(subject: str, *, fail: bool = False) -> Callable[[Transaction], Awaitable[str]]:
    async def work(tx: Transaction) -> str:
        await tx.audit.record(actor="test", action="write", subject=subject)
        await tx.session.flush()
        if fail:
            raise ValueError(f"{subject} failed after writing")
        return subject

    return work


async def test_a_failing_write_fails_alone_and_the_batch_commits(db: Database) -> None:
    committer = GroupCommitter(db)
    results = await asyncio.gather(
        committer.run_alone(audit("a")),
        committer.run_alone(audit("b", fail=True)),
        committer.run_alone(audit("c")),
        return_exceptions=True,
    )
    assert results[0] == "a" and results[2] == "c"
    assert isinstance(results[1], ValueError) and "b failed" in str(results[1])
    assert committer.batches == 1, "the three shared one transaction"
    async with db.transaction() as tx:
        subjects = sorted([e.subject for s in "abc" for e in await tx.audit.for_subject(s)])
    assert subjects == ["a", "c"], "b's write was rolled back, a's and c's committed"


async def test_run_alone_returns_after_the_commit(db: Database) -> None:
    committer = GroupCommitter(db)
    assert await committer.run_alone(audit("d")) == "d"
    async with db.transaction() as tx:
        assert [e.subject for e in await tx.audit.for_subject("d")] == ["d"]
    with pytest.raises(ValueError):
        await committer.run_alone(audit("e", fail=True))


async def test_a_channel_write_waits_for_the_batch_in_progress_not_the_whole_queue(db: Database) -> None:
    committer = GroupCommitter(db, max_batch=4)
    ran: list[str] = []
    started = asyncio.Event()

    def answer(name: str) -> Callable[[Transaction], Awaitable[str]]:
        async def work(tx: Transaction) -> str:
            ran.append(name)
            started.set()
            await asyncio.sleep(0.002)  # a menu answer's statements
            return name

        return work

    async def fallback(tx: Transaction, exc: Exception) -> str:
        raise exc

    answers = [asyncio.ensure_future(committer.run(answer(f"m{i}"), fallback=fallback)) for i in range(12)]
    await started.wait()  # the first batch (m0-m3) is under way

    async def store(tx: Transaction) -> str:
        ran.append("webhook")
        return await audit("webhook")(tx)

    assert await committer.run_alone(store) == "webhook"
    assert await asyncio.gather(*answers) == [f"m{i}" for i in range(12)]
    assert ran.index("webhook") == 4, "only the batch in progress went first"
    ran.remove("webhook")
    assert ran == [f"m{i}" for i in range(12)], "the conversation's queue kept its order"


@pytest.mark.postgresql
async def test_two_processes_lock_linked_users_in_one_order(database_url: str) -> None:
    """Two users, each on Telegram and WhatsApp. Process one's batch answers both on Telegram
    (second user first), process two's both on WhatsApp (first user first). Each unit takes its
    user's lock, as the router does, then waits (up to a second) for the other process's first
    unit to have done the same: with each user's lock taken only inside the units, the batches
    would hold one lock each and wait for the other's: PostgreSQL aborts one (after its
    deadlock_timeout, a second) and that batch runs again."""
    async with db_at(database_url) as setup, setup.transaction() as tx:
        users = [(await tx.users.find_or_create("telegram", f"t{n}"))[0].id for n in (1, 2)]
        for n, user_id in zip((1, 2), users, strict=True):
            await tx.session.execute(
                insert(ChannelIdentity).values(user_id=user_id, channel="whatsapp", external_id=f"w{n}")
            )
    first_locked = {"one": asyncio.Event(), "two": asyncio.Event()}
    failures: list[Exception] = []
    runs: list[tuple[str, int]] = []

    def answer(
        process: str, other: str, user_id: int, first: bool
    ) -> Callable[[Transaction], Awaitable[int]]:
        async def work(tx: Transaction) -> int:
            runs.append((process, user_id))
            await (one if process == "one" else two).lock(tx, user_lock(user_id))
            if first:
                first_locked[process].set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(first_locked[other].wait(), 1.0)
            return user_id

        return work

    async def fallback(tx: Transaction, exc: Exception) -> int:
        failures.append(exc)
        raise exc

    async with db_at(database_url) as one, db_at(database_url) as two:
        committers = {"one": GroupCommitter(one), "two": GroupCommitter(two)}
        plans = {
            "one": [("telegram", "t2", users[1]), ("telegram", "t1", users[0])],
            "two": [("whatsapp", "w1", users[0]), ("whatsapp", "w2", users[1])],
        }
        units = [
            committers[process].run(
                answer(process, "two" if process == "one" else "one", user_id, index == 0),
                fallback=fallback,
                locks=[identity_lock(channel, external_id)],
                chats=[(channel, external_id)],
            )
            for process, plan in plans.items()
            for index, (channel, external_id, user_id) in enumerate(plan)
        ]
        results = await asyncio.wait_for(asyncio.gather(*units, return_exceptions=True), 30)
    assert failures == [] and results == [users[1], users[0], users[0], users[1]]
    assert len(runs) == 4, f"a batch ran again (deadlocked): {runs}"
    assert committers["one"].batches == 1 and committers["two"].batches == 1
