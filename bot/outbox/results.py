"""Recording results: what each send came to, written back to its outbox row.

One writer commits results right after their sends return (several results that finish
together share a commit). A failed write is retried while the rows' leases last, because those
messages went out and a row left leased is sent again once its lease runs out. Rows claimed but
not tried (a paused channel, recipient spacing, quiet hours) are put back without losing an attempt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.outbox.flags import as_template, sends_as_template
from storage.database import Database
from storage.models.outbox import FAILED, SENT, UNREACHABLE
from storage.repositories.outbox import ClaimedMessage

log = logging.getLogger(__name__)

# Sends waiting to hear whether their rows are still theirs, by (row id, lease owner).
Looks = Mapping[tuple[int, str], list[asyncio.Future[bool]]]


def _waiting(looks: Looks) -> Iterator[tuple[tuple[int, str], asyncio.Future[bool]]]:
    for key, futures in looks.items():
        yield from ((key, future) for future in futures if not future.done())


OPTED_OUT = "opted_out"


@dataclass(slots=True)
class SweepResult:
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    retried: int = 0
    held: bool = False  # another process holds the sender lease, or the channel is paused


@dataclass(slots=True)
class Done:
    """A finished send (or give-up) waiting for the writer."""

    message: ClaimedMessage
    status: str  # sent | retry | failed | unreachable | pause | opted_out
    detail: str = ""
    at: datetime | None = None
    committed: asyncio.Future[None] | None = None
    as_template: bool = False  # sent as the approved template (WhatsApp 131047)


class ResultWriter:
    """Writes one channel's results; its lock keeps the results and the rows put back in order."""

    def __init__(
        self, db: Database, channel: str, *, retry_for: timedelta, clock: Callable[[], datetime]
    ) -> None:
        self.db = db
        self.channel = channel
        self.retry_for = retry_for
        self._clock = clock
        self._write_lock = asyncio.Lock()
        # Rows waiting to be looked at before their sends, by (row id, lease owner).
        self._looks: dict[tuple[int, str], list[asyncio.Future[bool]]] = {}
        self._looker: asyncio.Task[None] | None = None

    async def write(self, queue: asyncio.Queue[Done], result: SweepResult) -> None:
        """The writer of a sweep: records what comes through `queue` until cancelled."""
        while True:
            items = [await queue.get()]
            while not queue.empty():
                items.append(queue.get_nowait())
            try:
                await self._record_with_retry(items, result)
            except Exception as exc:
                log.exception("outbox.record_failed", extra={"channel": self.channel})
                for item in items:
                    if item.committed is not None and not item.committed.done():
                        item.committed.set_exception(exc)
            else:
                for item in items:
                    if item.committed is not None and not item.committed.done():
                        item.committed.set_result(None)
            finally:
                for _ in items:
                    queue.task_done()

    async def _record_with_retry(self, items: list[Done], result: SweepResult) -> None:
        """Record, retrying a failed write while the rows' leases last: these messages went out,
        and a row left leased is sent again once its lease runs out."""
        deadline = time.monotonic() + self.retry_for.total_seconds()
        delay = 0.1
        while True:
            try:
                await self._record(items, result)
                return
            except Exception:
                if time.monotonic() + delay >= deadline:
                    raise
                log.warning("outbox.record_retry", extra={"channel": self.channel}, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _record(self, items: list[Done], result: SweepResult) -> None:
        now = self._clock()
        sent = [i for i in items if i.status == SENT]
        async with self._write_lock, self.db.transaction() as tx:
            if sent:
                await tx.outbox.mark_sent_many([(i.message.id, i.detail) for i in sent], now)
                result.sent += len(sent)
            for item in sent:
                if item.as_template and not sends_as_template(item.message.payload):
                    # Remembered, so a later 131047 for the template's own id ends the row.
                    await tx.outbox.set_payload(item.message.id, as_template(item.message.payload))
            for item in items:
                if item.status == SENT:
                    continue
                message = item.message
                if item.status == OPTED_OUT:
                    await tx.outbox.end(message.id, UNREACHABLE, item.detail)
                    result.unreachable += 1
                elif item.status == UNREACHABLE:
                    await tx.outbox.mark_unreachable(message.channel, message.external_id, item.detail, now)
                    result.unreachable += 1
                elif item.status == "pause":
                    assert item.at is not None
                    await tx.sender_leases.pause(self.channel, item.at, item.detail)
                    await tx.outbox.reschedule([message.id], item.at, error=item.detail, refund=True)
                    result.retried += 1
                elif item.status == "retry":
                    assert item.at is not None
                    await tx.outbox.reschedule([message.id], item.at, error=item.detail, refund=False)
                    result.retried += 1
                else:
                    await tx.outbox.end(message.id, FAILED, item.detail)
                    result.failed += 1
                    log.warning(
                        "outbox.failed",
                        extra={"channel": self.channel, "outbox_id": message.id, "reason": item.detail},
                    )

    async def still_ours(self, message: ClaimedMessage, owner: str) -> bool:
        """Whether the row is still leased to `owner` (this process): not cancelled meanwhile.

        Asked right before each send; the sends in flight that ask at the same time are answered
        by one read-only statement (on SQLite it does not queue for the one writer behind the
        results being recorded; on PostgreSQL 64 sends in flight asking one by one each took a
        connection of their own, opening new ones past the pool's)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._looks.setdefault((message.id, owner), []).append(future)
        if self._looker is None:
            self._looker = asyncio.create_task(self._look(), name=f"outbox:{self.channel}:look")
        return await future

    async def _look(self) -> None:
        looks: dict[tuple[int, str], list[asyncio.Future[bool]]] = {}
        try:
            while self._looks:
                await asyncio.sleep(0)  # the sends started in the same turn of the loop join in
                looks, self._looks = self._looks, {}
                try:
                    ours = await self._leased(looks)
                except Exception as exc:
                    for _, future in _waiting(looks):
                        future.set_exception(exc)
                    continue
                for key, future in _waiting(looks):
                    future.set_result(key in ours)
        finally:
            self._looker = None
            # Cancelled (the sender stops): nobody waits for an answer that will not come.
            for _, future in [*_waiting(looks), *_waiting(self._looks)]:
                future.cancel()

    async def _leased(self, looks: Looks) -> set[tuple[int, str]]:
        ours: set[tuple[int, str]] = set()
        async with self.db.snapshot() as tx:
            for owner in {owner for _, owner in looks}:
                ids = [row for row, of in looks if of == owner]
                ours.update((row, owner) for row in await tx.outbox.leased_to(ids, owner))
        return ours

    async def put_back(self, later: list[tuple[ClaimedMessage, datetime]]) -> None:
        """Rows claimed but not tried (paused channel, recipient spacing) wait, without losing an attempt."""
        if not later:
            return
        by_time: dict[datetime, list[int]] = {}
        for message, at in later:
            by_time.setdefault(at, []).append(message.id)
        async with self._write_lock, self.db.transaction() as tx:
            for at, ids in by_time.items():
                await tx.outbox.reschedule(ids, at, error=None, refund=True)
