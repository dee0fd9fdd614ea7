"""GroupCommitter.run_alone: a channel's own writes share the conversation's transactions, and
a failing one fails only its caller."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from handlers.group_commit import GroupCommitter
from storage.database import Database
from storage.repositories import Transaction


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
