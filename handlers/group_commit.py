"""Group commit: units of work that queue up meanwhile share one transaction.

SQLite has one writer, and every statement through aiosqlite is a hop to a thread
and back, during which the event loop runs other tasks: a transaction per message
holds the write lock far longer than its work takes. Here one committer task runs
everything queued so far in one transaction, each unit inside its own SAVEPOINT
(a failing unit rolls back alone, and its fallback runs instead), commits once,
and only then answers the callers. Units run in the order they were queued, so
one user's messages stay in order. PostgreSQL gets the same batching; the
advisory locks of every unit in a batch are taken up front, in sorted order.
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
MAX_BATCH = 64


@dataclass(slots=True)
class _Unit(Generic[T]):
    locks: Sequence[str]
    work: Callable[[Transaction], Awaitable[T]]
    fallback: Callable[[Transaction, Exception], Awaitable[T]]
    done: asyncio.Future[T]


class GroupCommitter:
    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: deque[_Unit[Any]] = deque()
        self._committer: asyncio.Task[None] | None = None
        self.batches = 0

    async def run(
        self,
        work: Callable[[Transaction], Awaitable[T]],
        *,
        fallback: Callable[[Transaction, Exception], Awaitable[T]],
        locks: Sequence[str] = (),
    ) -> T:
        """Run `work` in a shared transaction; its result is returned once that has committed.

        If `work` raises, its savepoint is rolled back and `fallback` runs in the same
        transaction. If the whole transaction fails to commit, this raises.
        """
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Unit(locks, work, fallback, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all(), name="group-commit")
        return await done

    async def _commit_all(self) -> None:
        while self._queue:
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
            await self._commit(batch)

    async def _commit(self, batch: list[_Unit[Any]]) -> None:
        results: list[Any] = []
        locks = sorted({name for unit in batch for name in unit.locks})
        try:
            async with self.db.transaction(*locks) as tx:
                for unit in batch:
                    results.append(await self._run_one(tx, unit))
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

    async def _run_one(self, tx: Transaction, unit: _Unit[Any]) -> Any:
        try:
            async with tx.session.begin_nested():
                return await unit.work(tx)
        except Exception as exc:
            return await unit.fallback(tx, exc)
