"""The inbound processor: stored platform messages in, conversation replies out.

Webhooks and the Telegram poller store each delivery (`tx.inbound.store`, unique per
provider message id, so a replay is dropped) and hand the new row to `submit`. The
processor handles different users concurrently and each user's messages strictly in
order (one FIFO queue and worker per user), answers through the channel's sender, and
marks the row processed in the router's own transaction (so a crash can never apply one
message twice), then sends the replies, recording any send failure on the row.
At start, `recover()` processes what was stored but not processed before a crash.

    stored row ─> submit ─> per-user queue ─> channel.parse ─> Router.handle_claimed ─> channel.send
                                                  (claim, new state and "processed" commit together)

Order, with several processes on one PostgreSQL database. A chat's messages are handled in
stored order: the order of their rows' ids. Two things make that hold when a chat's deliveries
reach different processes:
- storing a webhook takes the chat's store lock (`store_lock`) in the storing transaction, so of
  two deliveries of one chat the one with the higher id is committed after the other: once a row
  is visible, every earlier row of its chat is too (Telegram's long polling needs no lock: only
  one process at a time can poll a bot);
- a row is claimed (marked processed, in the transaction that applies it, under the chat's
  lock) only while no earlier row of its chat waits for its first attempt. When one does, this
  process handles that earlier row first, then its own; the other process's attempt at the
  earlier row then finds it processed and does nothing ("inbound.already_processed").
Both processes recovering the same rows at start end the same way: each row is claimed once.
A row whose attempt failed (a bug, the database) no longer holds its chat's later rows back; it
is tried again at the next start, as with one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from bot.channels.base import ChannelError
from handlers.outbox import REPLY, Recipient, queue_messages
from handlers.payload import reply_to_payload
from handlers.router import DEFAULT_LOCALE, Router, identity_lock
from handlers.types import Incoming, Reply, utcnow
from messages import RenderedReply
from storage.database import Database
from storage.repositories import Transaction
from storage.repositories.channels import StoredInbound

log = logging.getLogger(__name__)

T = TypeVar("T")

UNSUPPORTED_TEMPLATE = "channels/unsupported_media"
# How often a row waits for earlier rows of its chat before it is left stored (each turn handles
# every earlier row it finds, so one turn is the rule; more only if the database failed meanwhile).
TURNS = 3
# Sent message ids are kept for their delivery statuses; written together every so often
# instead of one statement each (a tenth of a WhatsApp reply's CPU). A crash loses at most
# this much of them: a status for an id not kept adds its own row (`record_status`).
SENT_RECORD_DELAY = 0.05


def store_lock(channel: str, external_user_id: str) -> str:
    """Held while a chat's delivery is stored: its rows are numbered in the order they commit."""
    return f"inbound:{channel}:{external_user_id}"


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A message the bot does not understand (image, audio, sticker, location, …)."""

    channel: str
    external_user_id: str
    kind: str
    received_at: datetime


class InboundChannel(Protocol):
    """What the processor needs from a channel: read a stored delivery, render and send replies."""

    name: str
    # Whether sent message ids are kept, so the platform's delivery statuses can be stored.
    tracks_delivery: bool

    async def parse(self, stored: StoredInbound) -> Incoming | Unsupported | None:
        """The delivery as `Incoming`, `Unsupported`, or None to ignore it (after any platform
        acknowledgement, such as answering a Telegram callback query)."""
        ...

    def render(self, reply: Reply, locale: str) -> RenderedReply: ...

    async def send_all(self, external_id: str, reply: RenderedReply, locale: str) -> list[str]:
        """Send one reply; return the provider ids of every message sent. Raises `ChannelError`."""
        ...


@dataclass
class _UserQueue:
    rows: deque[StoredInbound] = field(default_factory=deque)
    worker: asyncio.Task[None] | None = None


class InboundProcessor:
    def __init__(self, db: Database, router: Router, channels: Mapping[str, InboundChannel]) -> None:
        self.db = db
        self.router = router
        self.channels = dict(channels)
        self._queues: dict[str, _UserQueue] = {}
        self._queued: set[int] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._sent: list[tuple[str, str, str]] = []  # (channel, provider id, external user id)
        self._sent_writer: asyncio.Task[None] | None = None
        self.processed = 0
        self.failed = 0

    # -- intake ----------------------------------------------------------------------------

    def submit(self, rows: Sequence[StoredInbound]) -> None:
        """Queue newly stored rows; each user's rows are processed in id order."""
        for row in sorted(rows, key=lambda r: r.id):
            if row.id in self._queued:
                continue
            self._queued.add(row.id)
            key = f"{row.channel}:{row.external_user_id}"
            queue = self._queues.get(key)
            if queue is None:
                queue = self._queues[key] = _UserQueue()
            queue.rows.append(row)
            if queue.worker is None:
                self._idle.clear()
                queue.worker = asyncio.create_task(self._work(key, queue), name=f"inbound:{key}")

    async def recover(self, *, stored_before: datetime | None = None) -> int:
        """Queue every stored but unprocessed row (after a crash or restart); return how many.

        With `stored_before` (several processes), only rows received before it that no process
        ever attempted: those of a process that died meanwhile, while the others run on."""
        total = 0
        last_id = 0
        while True:
            async with self.db.transaction() as tx:
                rows = await tx.inbound.pending(after_id=last_id, stored_before=stored_before)
            if not rows:
                break
            self.submit(rows)
            total += len(rows)
            last_id = rows[-1].id
        if total:
            log.info("inbound.recovered", extra={"rows": total, "left_behind": stored_before is not None})
        return total

    async def drain(self) -> None:
        """Wait until every queued row is processed and what it sent is recorded."""
        await self._idle.wait()
        if self._sent_writer is not None:
            await asyncio.shield(self._sent_writer)

    async def close(self, grace: float = 10.0) -> None:
        """Let in-flight rows finish; anything left stays stored for the next start, and replies
        still unsent when `grace` runs out are queued in the outbox."""
        workers = [q.worker for q in self._queues.values() if q.worker is not None]
        if workers:
            await asyncio.wait(workers, timeout=grace)
        pending = [worker for worker in workers if not worker.done()]
        for worker in pending:
            worker.cancel()
        if pending:
            # They queue their unsent replies on the way out: wait for that, briefly.
            await asyncio.wait(pending, timeout=5)
        if self._sent_writer is not None:
            await asyncio.shield(self._sent_writer)  # its short wait, then its write
        await self._write_sent(wait=False)

    async def write(
        self, work: Callable[[Transaction], Awaitable[T]], *, senders: Iterable[tuple[str, str]] = ()
    ) -> T:
        """Run a channel's own small write (storing a delivery) in the transaction the
        conversation work shares (group commit), committed before this returns; if `work`
        raises, only this caller gets the exception. On SQLite each write in a transaction of
        its own would queue for the one writer behind the conversation's batches.

        `senders`: the (channel, external user id) of each chat whose deliveries `work` stores;
        their store locks are held (PostgreSQL), see "Order" above."""
        locks = sorted({store_lock(channel, user) for channel, user in senders})
        return await self.router.committer.run_alone(work, locks=locks)

    @property
    def queued(self) -> int:
        return len(self._queued)

    # -- work ------------------------------------------------------------------------------

    async def _work(self, key: str, queue: _UserQueue) -> None:
        try:
            while queue.rows:
                row = queue.rows[0]
                try:
                    await self._process(row)
                finally:
                    queue.rows.popleft()
                    self._queued.discard(row.id)
        finally:
            queue.worker = None
            if not queue.rows:
                self._queues.pop(key, None)
            if not self._queues:
                self._idle.set()

    async def _process(self, row: StoredInbound) -> None:
        """Process `row` in its chat's turn: if an earlier delivery of the same chat waits (stored
        by another process, or left by one that stopped), that one is processed here first."""
        extra = {"channel": row.channel, "inbound_id": row.id}
        for _ in range(TURNS):
            if await self._attempt(row):
                return
            async with self.db.transaction() as tx:
                ahead = await tx.inbound.ahead_of(row)
            if ahead is None:
                log.info("inbound.already_processed", extra=extra)
                return
            # Not its turn: these were stored earlier and nobody has claimed them (yet).
            log.info("inbound.waits_turn", extra={**extra, "earlier": len(ahead)})
            for earlier in ahead:
                await self._attempt(earlier)
        log.error("inbound.turn_never_came", extra=extra)
        await self._record_attempt(row, "earlier messages of this chat could not be processed")

    async def _attempt(self, row: StoredInbound) -> bool:
        """Claim and process `row`; False if it could not be claimed (processed already, or not
        its turn), True once it is done with (processed here, or failed and left stored)."""
        extra = {"channel": row.channel, "inbound_id": row.id}
        channel = self.channels.get(row.channel)
        if channel is None:
            log.error("inbound.no_channel", extra=extra)
            await self._record_attempt(row, "channel not configured")
            return True

        async def claim(tx: Transaction) -> bool:
            return await tx.inbound.claim(row.id)

        try:
            message = await channel.parse(row)
            if message is None:
                async with self.db.transaction(identity_lock(row.channel, row.external_user_id)) as tx:
                    if not await claim(tx):
                        return False
                self.processed += 1
                return True
            user_id: int | None = None
            if isinstance(message, Unsupported):
                found = await self._locale_of(message, claim)
                if found is None:
                    return False
                locale, replies = found, [Reply(UNSUPPORTED_TEMPLATE)]
            else:
                handling = asyncio.ensure_future(self.router.handle_claimed(message, claim))
                try:
                    response = await asyncio.shield(handling)
                except asyncio.CancelledError:
                    # Stopped while the router works: the message is committed all the same (or
                    # not at all), a database round trip away. Wait for it, and queue the answer
                    # in the outbox if it is this attempt that marked the message processed.
                    response = await handling
                    if response is not None and await self._processed(row):
                        await self._queue_unsent(row, response.user_id, response.replies)
                    raise
                if response is None:
                    return False
                locale, replies, user_id = response.locale, response.replies, response.user_id
        except Exception as exc:  # a bug or the database: keep the row for a later start
            log.exception("inbound.failed", extra=extra)
            self.failed += 1
            await self._record_attempt(row, f"{type(exc).__name__}: {exc}"[:500])
            return True
        self.processed += 1
        unsent = deque(replies)
        try:
            sent, error = await self._send(row, channel, unsent, locale)
        except asyncio.CancelledError:
            # Stopped while answering (close() gave up waiting): the message is processed, so
            # what it did not send yet is queued in the outbox and goes out after the restart.
            await asyncio.shield(self._queue_unsent(row, user_id, list(unsent)))
            raise
        if error is not None:
            await self._record_outcome(row, channel, sent, error)
        elif sent and channel.tracks_delivery:
            self._sent.extend((channel.name, provider_id, row.external_user_id) for provider_id in sent)
            if self._sent_writer is None:
                self._sent_writer = asyncio.create_task(self._write_sent(), name="inbound:sent")
        return True

    async def _processed(self, row: StoredInbound) -> bool:
        """Whether the stored row is marked processed."""
        async with self.db.transaction() as tx:
            stored = await tx.inbound.get(row.id)
            return stored is not None and stored.processed_at is not None

    async def _send(
        self, row: StoredInbound, channel: InboundChannel, unsent: deque[Reply], locale: str
    ) -> tuple[list[str], str | None]:
        """Send the replies in order, taking each from `unsent` once it went; stop at the first
        failure and describe it."""
        extra = {"channel": row.channel, "inbound_id": row.id}
        sent: list[str] = []
        while unsent:
            reply = unsent[0]
            try:
                sent.extend(
                    await channel.send_all(row.external_user_id, channel.render(reply, locale), locale)
                )
                unsent.popleft()
            except ChannelError as exc:
                error = f"{type(exc).__name__} (code {exc.code}): {exc}"[:500]
                log.error("inbound.reply_failed", extra={**extra, "error": error, "code": exc.code})
                self.failed += 1
                return sent, error
            except Exception as exc:
                log.exception("inbound.reply_failed", extra=extra)
                self.failed += 1
                return sent, f"{type(exc).__name__}: {exc}"[:500]
        return sent, None

    async def _queue_unsent(self, row: StoredInbound, user_id: int | None, replies: list[Reply]) -> None:
        """Replies a shutdown stopped, as outbox rows (kind "reply": quiet hours never hold them).
        The one being sent when it stopped is queued too: it may arrive twice, not never."""
        extra = {"channel": row.channel, "inbound_id": row.id}
        to = Recipient(row.channel, row.external_user_id, user_id)
        messages: list[tuple[Recipient, Reply, str]] = []
        for index, reply in enumerate(replies):
            try:
                reply_to_payload(reply)
            except TypeError:
                log.error("inbound.reply_not_queued", extra={**extra, "template": reply.template})
                continue
            messages.append((to, reply, f"reply:{row.channel}:{row.id}:{index}"))
        if not messages:
            return
        try:
            async with self.db.transaction() as tx:
                await queue_messages(tx, REPLY, messages, due_at=utcnow())
            log.warning("inbound.replies_queued", extra={**extra, "replies": len(messages)})
        except Exception:
            log.exception("inbound.replies_not_queued", extra=extra)

    async def _record_outcome(
        self, row: StoredInbound, channel: InboundChannel, sent: list[str], error: str | None
    ) -> None:
        """Keep what was sent (for delivery statuses) and any send failure, on the processed row."""

        async def record(tx: Transaction) -> None:
            if error is not None:
                await tx.inbound.note_reply_error(row.id, error)
            if channel.tracks_delivery:
                await tx.outbound.record_sent([(channel.name, s, row.external_user_id) for s in sent])

        try:
            await self.write(record)
        except Exception:
            log.exception("inbound.record_failed", extra={"channel": row.channel, "inbound_id": row.id})

    async def _write_sent(self, *, wait: bool = True) -> None:
        """Record the sent message ids gathered meanwhile, in one statement; `wait` first lets
        more replies join (none at shutdown)."""
        try:
            if wait:
                await asyncio.sleep(SENT_RECORD_DELAY)
            while self._sent:
                sent, self._sent = self._sent, []

                async def record(tx: Transaction, sent: list[tuple[str, str, str]] = sent) -> None:
                    await tx.outbound.record_sent(sent)

                try:
                    await self.write(record)
                except Exception:
                    log.exception("inbound.sent_not_recorded", extra={"messages": len(sent)})
        finally:
            if wait:
                self._sent_writer = None

    async def _record_attempt(self, row: StoredInbound, error: str) -> None:
        try:
            async with self.db.transaction() as tx:
                await tx.inbound.record_attempt(row.id, error)
        except Exception:
            log.exception("inbound.record_failed", extra={"channel": row.channel, "inbound_id": row.id})

    async def _locale_of(
        self, message: Unsupported, claim: Callable[[Transaction], Awaitable[bool]]
    ) -> str | None:
        """Find (or create) the user so the polite answer is in their language; note they wrote.
        None if the delivery could not be claimed."""
        async with self.db.transaction(identity_lock(message.channel, message.external_user_id)) as tx:
            if not await claim(tx):
                return None
            user, identity = await tx.users.find_or_create(message.channel, message.external_user_id)
            await tx.users.mark_inbound(identity, message.received_at)
            return user.locale or DEFAULT_LOCALE
