"""Group commit: units of work that queue up meanwhile share one transaction.

SQLite has one writer, and every transaction has fixed costs (BEGIN IMMEDIATE, the commit, the
session around them): a transaction per message would pay them for each of a message's few
small statements' worth of work, holding the writer meanwhile. Here one
committer task runs everything queued so far in one transaction, commits once, and only then
answers the callers. Units run in the order they were queued, so one user's messages stay
in order. PostgreSQL gets the same batching; the advisory locks of every unit in a
batch are taken up front, in sorted order: first the chats' (`locks`), then the users' behind
them (`chats`, see `user_lock`). A user's lock is also taken by the unit that acts for them;
taken there alone, two processes' batches could lock two linked users (one chat on Telegram,
one on WhatsApp) in opposite orders and deadlock.

A channel's own small writes (`run_alone`: storing a delivery before it is acknowledged,
recording what a reply sent) do not queue behind the conversation: while any wait, the next
transaction is theirs alone, so a webhook's acknowledgement waits for at most the batch in
progress, which `max_batch` keeps short (16 menu answers: about 10 ms, at the 0.63 ms of CPU a
menu answer's router work measured when this was set).

A failing unit rolls back alone, and its fallback runs instead. Units seldom fail
(a bug), so a batch first runs without SAVEPOINTs (two statements fewer per unit);
if a unit raises, that transaction is rolled back whole and the batch runs again
with each unit inside its own SAVEPOINT. A unit's work therefore may run twice: it
must act only through the transaction (the router's handlers do: replies are sent
after the commit).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from storage.database import Database
from storage.repositories import Transaction

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 16


def user_lock(user_id: int) -> str:
    """Held while one user's conversation and data change (a linked user writes from two chats)."""
    return f"user:{user_id}"


@dataclass(slots=True)
class _Unit(Generic[T]):
    locks: Sequence[str]
    chats: Sequence[tuple[str, str]]
    work: Callable[[Transaction], Awaitable[T]]
    fallback: Callable[[Transaction, Exception], Awaitable[T]]
    done: asyncio.Future[T]


@dataclass(frozen=True, slots=True)
class _Raised:
    """What `run_alone`'s work raised, handed back to its caller instead of a result."""

    error: Exception


class _UnitFailed(Exception):
    """A unit raised in a batch run without SAVEPOINTs: run the batch again, isolated."""


class GroupCommitter:
    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: deque[_Unit[Any]] = deque()
        # `run_alone`'s units: committed before the conversation's queue, in their own order.
        self._writes: deque[_Unit[Any]] = deque()
        self._committer: asyncio.Task[None] | None = None
        self.batches = 0

    async def run(
        self,
        work: Callable[[Transaction], Awaitable[T]],
        *,
        fallback: Callable[[Transaction, Exception], Awaitable[T]],
        locks: Sequence[str] = (),
        chats: Sequence[tuple[str, str]] = (),
    ) -> T:
        """Run `work` in a shared transaction; its result is returned once that has committed.
        `locks` are taken before any unit runs, and then the `user_lock` of each user behind
        `chats` ((channel, external id) pairs).

        If `work` raises, its savepoint is rolled back and `fallback` runs in the same
        transaction. If the whole transaction fails to commit, this raises.
        """
        return await self._queued(self._queue, _Unit(locks, chats, work, fallback, self._future()))

    def _future(self) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().create_future()

    async def _queued(self, queue: deque[_Unit[Any]], unit: _Unit[T]) -> T:
        queue.append(unit)
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all(), name="group-commit")
        return await unit.done

    async def run_alone(self, work: Callable[[Transaction], Awaitable[T]], *, locks: Sequence[str] = ()) -> T:
        """Run `work` in a shared transaction, for a caller that handles its own failure: if
        `work` raises, only this caller gets the exception (the batch's other units commit)."""

        async def attempt(tx: Transaction) -> T | _Raised:
            return await work(tx)

        async def keep(tx: Transaction, exc: Exception) -> T | _Raised:
            return _Raised(exc)

        unit: _Unit[T | _Raised] = _Unit(locks, (), attempt, keep, self._future())
        result = await self._queued(self._writes, unit)
        if isinstance(result, _Raised):
            raise result.error
        return result

    async def _commit_all(self) -> None:
        while self._writes or self._queue:
            queue = self._writes or self._queue
            batch = [queue.popleft() for _ in range(min(self.max_batch, len(queue)))]
            await self._commit(batch)

    async def _commit(self, batch: list[_Unit[Any]]) -> None:
        locks = sorted({name for unit in batch for name in unit.locks})
        try:
            try:
                results = await self._transaction(batch, locks, isolated=False)
            except _UnitFailed as failed:
                # Logged with its traceback by the unit's fallback if it fails again below.
                log.warning("group_commit.unit_failed", extra={"error": repr(failed.__cause__)[:200]})
                results = await self._transaction(batch, locks, isolated=True)
        except BaseException as exc:
            for unit in batch:
                if not unit.done.done():
                    unit.done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
            if not isinstance(exc, Exception):
                raise
            return
        self.batches += 1
        for unit, result in zip(batch, results, strict=True):
            if not unit.done.done():
                unit.done.set_result(result)

    async def _transaction(self, batch: list[_Unit[Any]], locks: list[str], *, isolated: bool) -> list[Any]:
        """Run the batch in one transaction; `isolated`: each unit in a SAVEPOINT, with its
        fallback on failure. Not isolated: the first failure aborts the whole transaction."""
        results: list[Any] = []
        async with self.db.transaction(*locks) as tx:
            chats = [chat for unit in batch for chat in unit.chats]
            if chats and not self.db.is_sqlite:  # SQLite's one writer needs no named lock
                await self.db.lock_all(tx, [user_lock(user_id) for user_id in await tx.users.ids_of(chats)])
            for unit in batch:
                if isolated:
                    results.append(await self._run_one(tx, unit))
                    continue
                try:
                    results.append(await unit.work(tx))
                except Exception as exc:
                    raise _UnitFailed from exc
        return results

    async def _run_one(self, tx: Transaction, unit: _Unit[Any]) -> Any:
        try:
            async with tx.session.begin_nested():
                return await unit.work(tx)
        except Exception as exc:
            return await unit.fallback(tx, exc)
