"""The outbox dispatcher: one sweep claims due rows of a channel and sends them within its limits.

A sweep
1. takes (or renews) the channel's sender lease: exactly one process sends per channel;
2. stops at once while the channel is paused (429 / 130429 / 131056 / bad token);
3. in quiet hours moves announcements and reminders to the end of them (checked again for
   every batch and every row, so a long broadcast stops at the start of quiet hours);
4. gives expired row leases back (their process died), then claims batches until none is due,
   paced by the channel's token bucket and per-recipient spacing, a few sends in flight at once.
   The sends flow across batches: the next batch is claimed while the last sends of the one
   before are still on their way, and a batch is at least a quarter of a second's sending.

Each result is committed by one writer right after its send returns (several results that
finish together share a commit); a send slot is only freed after its result is committed, so
a process killed at any moment leaves at most `max_in_flight` messages sent but not recorded.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.channels.base import OutsideWindow, PermanentFailure, Sender
from bot.outbox.outcomes import Action, Outcome, RetryPolicy, describe, outcome_of
from bot.outbox.quiet import in_quiet_hours, quiet_end
from bot.outbox.ratelimit import ChannelLimits
from handlers.agency import AgencyProfile
from handlers.payload import reply_from_payload
from handlers.types import utcnow
from messages import RenderedReply, Renderer, to_whatsapp
from storage.database import Database
from storage.models.outbox import FAILED, SEND_AS_TEMPLATE, SENT, UNREACHABLE, OutboxMessage
from storage.repositories.outbox import ClaimedMessage, Recipient

log = logging.getLogger(__name__)

OPTED_OUT = "opted_out"

# A WhatsApp template body parameter may hold no newline or tab and at most four spaces in a
# row, and a template body is at most 1,024 characters: the text is cut at 1,000, leaving a
# little room for the template's own words.
TEMPLATE_PARAMETER_MAX = 1000
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_SPACES = re.compile(r"\s+")


def template_parameter(text: str) -> str:
    """A rendered message as one template body parameter: WhatsApp markup on one line, cut short."""
    flat = _SPACES.sub(" ", _LINE_BREAKS.sub(" · ", to_whatsapp(text).strip()))
    if len(flat) <= TEMPLATE_PARAMETER_MAX:
        return flat
    return flat[: TEMPLATE_PARAMETER_MAX - 1].rstrip() + "…"


def process_name() -> str:
    """How this process signs its leases: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    batch: int = 100
    row_lease: timedelta = timedelta(seconds=60)
    sender_lease: timedelta = timedelta(seconds=30)
    max_in_flight: int = 8
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Outbox kinds that wait out quiet hours (the app's declared kinds say which).
    quiet_kinds: frozenset[str] = frozenset()


@dataclass(slots=True)
class SweepResult:
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    retried: int = 0
    held: bool = False  # another process holds the sender lease, or the channel is paused


@dataclass(slots=True)
class _Done:
    """A finished send (or give-up) waiting for the writer."""

    message: ClaimedMessage
    status: str  # sent | retry | failed | unreachable | pause
    detail: str = ""
    at: datetime | None = None
    committed: asyncio.Future[None] | None = None
    as_template: bool = False  # sent as the approved template (WhatsApp 131047)


class _Pipeline:
    """The sends of one sweep: at most `in_flight` at once, across batches; one writer records
    their results as they come (results that finish together share a commit)."""

    def __init__(
        self, writer: Callable[[asyncio.Queue[_Done]], Coroutine[Any, Any, None]], in_flight: int
    ) -> None:
        self.slots = asyncio.Semaphore(in_flight)
        self.errors: list[BaseException] = []
        self._queue: asyncio.Queue[_Done] = asyncio.Queue()
        self._running: set[asyncio.Task[None]] = set()
        self._writer = asyncio.create_task(writer(self._queue))

    async def record(self, done: _Done) -> None:
        await self._queue.put(done)

    def start(self, send: Coroutine[Any, Any, None]) -> None:
        # Finished tasks are dropped at once: a long broadcast keeps only the ones in flight.
        task = asyncio.create_task(send)
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            self.errors.append(error)

    async def drain(self) -> None:
        """Wait for every send started and for its result to be recorded; then stop the writer."""
        try:
            while self._running:
                await asyncio.wait(set(self._running))
            await self._queue.join()
        finally:
            self._writer.cancel()


class ChannelDispatcher:
    """Sends one channel's outbox rows through its `Sender`."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        renderer: Renderer,
        agency: AgencyProfile,
        *,
        limits: ChannelLimits,
        config: DispatchConfig | None = None,
        templates: Mapping[str, str] | None = None,
        owner: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.sender = sender
        self.channel = sender.channel
        self.renderer = renderer
        self.agency = agency
        self.config = config or DispatchConfig()
        self.templates = dict(templates or {})
        self.owner = owner or process_name()
        self._clock = clock
        self._bucket = limits.bucket()
        self._spacing = limits.spacing()
        self._limits = limits
        self._paused_until: datetime | None = None
        self._write_lock = asyncio.Lock()
        self._lease_renewed = float("-inf")
        self._released = float("-inf")
        self._rendered: dict[tuple[int, str], RenderedReply] = {}
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    # The sweep ---------------------------------------------------------------

    async def sweep(self, *, max_seconds: float | None = None) -> SweepResult:
        """Send what is due now; return when nothing more is, or the lease or a pause stops it."""
        if self._stopping:
            return SweepResult(held=True)
        self._idle.clear()
        try:
            return await self._sweep(max_seconds)
        finally:
            self._rendered.clear()
            self._idle.set()

    async def stop(self, grace: float = 15.0) -> None:
        """Finish the batch in hand (its results are recorded), then give the sender lease up."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("outbox.stop_timeout", extra={"channel": self.channel})
        await self.release()

    async def _sweep(self, max_seconds: float | None) -> SweepResult:
        result = SweepResult()
        started = time.monotonic()
        if not await self._hold_lease():
            result.held = True
            return result
        if self._paused():
            result.held = True
            return result
        pipeline = _Pipeline(lambda queue: self._write_results(queue, result), self.config.max_in_flight)
        try:
            first = True
            while not self._stopping and (max_seconds is None or time.monotonic() - started < max_seconds):
                # Every batch: a long sweep may run into quiet hours.
                await self._prepare(release_every=0.0 if first else 1.0)
                first = False
                now = self._clock()
                batch = self._claim_size()
                # Long enough for a whole batch at the channel's rate, whatever the setting says.
                lease = max(self.config.row_lease, timedelta(seconds=2 * batch / self._limits.per_second))
                async with self.db.transaction() as tx:
                    claimed = await tx.outbox.claim(
                        self.channel, self.owner, batch=batch, lease_until=now + lease, now=now
                    )
                    recipients = await tx.outbox.recipients(
                        m.user_id for m in claimed if m.user_id is not None
                    )
                if not claimed:
                    break
                # Returns once every row of the batch is started, not finished: the next batch is
                # claimed while this one's last sends are still on their way.
                await self._start_batch(claimed, recipients, pipeline)
                if pipeline.errors or self._paused() or not await self._hold_lease(renew_every=1.0):
                    break
        finally:
            # Every send is waited for and recorded (none left running unrecorded).
            await pipeline.drain()
        if pipeline.errors:
            raise pipeline.errors[0]
        return result

    def _claim_size(self) -> int:
        """The configured batch, or a quarter of a second's sending if that is more: at a high rate
        the claim, lease and housekeeping statements are shared by more messages."""
        return max(self.config.batch, math.ceil(self._limits.per_second / 4))

    async def release(self) -> None:
        """Give the sender lease up (on shutdown), so another process takes over at once."""
        async with self.db.transaction() as tx:
            await tx.sender_leases.release(self.channel, self.owner)

    async def _hold_lease(self, *, renew_every: float = 0.0) -> bool:
        """Take or renew the sender lease; within a sweep, at most once per `renew_every` seconds
        (the lease lasts far longer), so a fast broadcast does not renew it for every batch."""
        if renew_every and time.monotonic() - self._lease_renewed < renew_every:
            return True
        now = self._clock()
        async with self.db.transaction() as tx:
            held = await tx.sender_leases.acquire(
                self.channel, self.owner, until=now + self.config.sender_lease, now=now
            )
            if held:
                paused = await tx.sender_leases.paused_until(self.channel, now)
                if paused is not None and (self._paused_until is None or paused > self._paused_until):
                    self._pause_locally(paused)
        self._lease_renewed = time.monotonic() if held else float("-inf")
        return held

    def _paused(self) -> bool:
        return self._paused_until is not None and self._paused_until > self._clock()

    def _pause_locally(self, until: datetime) -> None:
        self._paused_until = until
        wait = (until - self._clock()).total_seconds()
        self._bucket.pause_until(time.monotonic() + max(0.0, wait))

    async def _prepare(self, *, release_every: float = 0.0) -> None:
        """Defer quiet-hour rows (checked every batch) and take expired row leases back (within a
        sweep at most once per `release_every` seconds: leases run out in minutes, not batches)."""
        now = self._clock()
        agency = self.agency
        quiet = in_quiet_hours(now, agency.time_zone, agency.quiet_start, agency.quiet_end)
        release = not release_every or time.monotonic() - self._released >= release_every
        if not quiet and not release:
            return
        released = 0
        async with self.db.transaction() as tx:
            if quiet:
                until = quiet_end(now, agency.time_zone, agency.quiet_start, agency.quiet_end)
                deferred = await tx.outbox.defer(self.channel, sorted(self.config.quiet_kinds), until)
                if deferred:
                    log.info("outbox.quiet_hours", extra={"channel": self.channel, "deferred": deferred})
            if release:
                released = await tx.outbox.release_expired(self.channel, now)
        if release:
            self._released = time.monotonic()
        if released:
            log.warning("outbox.leases_expired", extra={"channel": self.channel, "released": released})

    def _quiet_until(self, kind: str) -> datetime | None:
        """The end of the quiet hours a row of `kind` must wait for now, or None to send it."""
        if kind not in self.config.quiet_kinds:
            return None
        now, agency = self._clock(), self.agency
        if not in_quiet_hours(now, agency.time_zone, agency.quiet_start, agency.quiet_end):
            return None
        return quiet_end(now, agency.time_zone, agency.quiet_start, agency.quiet_end)

    # Sending a batch ---------------------------------------------------------

    async def _start_batch(
        self, claimed: list[ClaimedMessage], recipients: Mapping[int, Recipient], pipeline: _Pipeline
    ) -> None:
        later: list[tuple[ClaimedMessage, datetime]] = []
        try:
            for index, message in enumerate(claimed):
                if self._paused():
                    assert self._paused_until is not None
                    later.extend((m, self._paused_until) for m in claimed[index:])
                    break
                recipient = recipients.get(message.user_id) if message.user_id is not None else None
                if recipient is not None and recipient.opted_out:
                    await pipeline.record(_Done(message, OPTED_OUT, "opted out (berhenti)"))
                    continue
                mono = time.monotonic()
                ready = self._spacing.ready_at(message.external_id, mono)
                if ready > mono:
                    later.append((message, self._clock() + timedelta(seconds=ready - mono)))
                    continue
                await pipeline.slots.acquire()
                wait = self._bucket.reserve(time.monotonic())
                if wait > 0:
                    await asyncio.sleep(wait)
                if self._paused():
                    pipeline.slots.release()
                    assert self._paused_until is not None
                    later.extend((m, self._paused_until) for m in claimed[index:])
                    break
                # Checked at the moment of sending: the sends before it may have run past 21:00.
                quiet_until = self._quiet_until(message.kind)
                if quiet_until is not None:
                    pipeline.slots.release()
                    later.append((message, quiet_until))
                    continue
                self._spacing.take(message.external_id, time.monotonic())
                locale = recipient.locale if recipient is not None else "id"
                pipeline.start(self._send_one(message, locale, pipeline))
        finally:
            await self._put_back(later)

    async def _send_one(self, message: ClaimedMessage, locale: str, pipeline: _Pipeline) -> None:
        try:
            done = await self._attempt(message, locale)
            done.committed = asyncio.get_running_loop().create_future()
            await pipeline.record(done)
            await done.committed
        finally:
            pipeline.slots.release()

    async def _attempt(self, message: ClaimedMessage, locale: str) -> _Done:
        if message.payload.get(SEND_AS_TEMPLATE):
            # Meta reported 131047 for the free-form send after accepting it (a status webhook).
            return await self._attempt_template(message, locale, None)
        try:
            provider_id = await self.sender.send(message.external_id, self._render(message, locale))
            return _Done(message, SENT, provider_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            outcome = outcome_of(exc, attempts=message.attempts, now=self._clock(), policy=self.config.retry)
            if outcome.action is Action.TEMPLATE:
                return await self._attempt_template(message, locale, exc)
            return self._done_for(message, outcome)

    def _render(self, message: ClaimedMessage, locale: str) -> RenderedReply:
        """A broadcast's rows share one payload: each locale is rendered once per sweep."""
        if message.broadcast_id is None:
            return self.renderer.render_reply(reply_from_payload(message.payload), locale)
        key = (message.broadcast_id, locale)
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self.renderer.render_reply(reply_from_payload(message.payload), locale)
            self._rendered[key] = rendered
        return rendered

    async def _attempt_template(
        self, message: ClaimedMessage, locale: str, cause: BaseException | None
    ) -> _Done:
        """WhatsApp 131047: outside the 24-hour window, only an approved template may go.

        Its one body parameter is the row's own message, rendered in the recipient's locale."""
        name = self.templates.get(message.kind)
        if not name:
            why = describe(cause) if cause is not None else "outside the 24-hour window (code 131047)"
            return _Done(message, FAILED, f"{why}; no approved template for {message.kind!r}")
        try:
            rendered = self.renderer.render_reply(reply_from_payload(message.payload), locale)
            parameters = [template_parameter(rendered.text)]
            provider_id = await self.sender.send_template(message.external_id, name, locale, parameters)
            return _Done(message, SENT, provider_id, as_template=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if isinstance(exc, OutsideWindow):
                exc = PermanentFailure(str(exc), code=exc.code)
            outcome = outcome_of(exc, attempts=message.attempts, now=self._clock(), policy=self.config.retry)
            return self._done_for(message, outcome)

    def _done_for(self, message: ClaimedMessage, outcome: Outcome) -> _Done:
        if outcome.action is Action.PAUSE:
            assert outcome.at is not None
            if self._paused_until is None or outcome.at > self._paused_until:
                self._pause_locally(outcome.at)
            log.warning(
                "outbox.channel_paused",
                extra={"channel": self.channel, "until": outcome.at.isoformat(), "reason": outcome.reason},
            )
            return _Done(message, "pause", outcome.reason, outcome.at)
        if outcome.action is Action.UNREACHABLE:
            return _Done(message, UNREACHABLE, outcome.reason)
        if outcome.action is Action.RETRY:
            return _Done(message, "retry", outcome.reason, outcome.at)
        return _Done(message, FAILED, outcome.reason)

    # Recording results -------------------------------------------------------

    async def _write_results(self, queue: asyncio.Queue[_Done], result: SweepResult) -> None:
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

    async def _record_with_retry(self, items: list[_Done], result: SweepResult) -> None:
        """Record, retrying a failed write while the rows' leases last: these messages went out,
        and a row left leased is sent again once its lease runs out."""
        deadline = time.monotonic() + self.config.row_lease.total_seconds()
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

    async def _record(self, items: list[_Done], result: SweepResult) -> None:
        now = self._clock()
        sent = [i for i in items if i.status == SENT]
        async with self._write_lock, self.db.transaction() as tx:
            if sent:
                await tx.session.execute(
                    update(OutboxMessage),
                    [
                        {
                            "id": i.message.id,
                            "status": SENT,
                            "provider_message_id": i.detail[:128],
                            "sent_at": now,
                            "lease_owner": None,
                            "lease_until": None,
                            "last_error": None,
                        }
                        for i in sent
                    ],
                )
                result.sent += len(sent)
            for item in sent:
                if item.as_template and not item.message.payload.get(SEND_AS_TEMPLATE):
                    # Remembered, so a later 131047 for the template's own id ends the row.
                    await tx.session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == item.message.id)
                        .values(payload={**item.message.payload, SEND_AS_TEMPLATE: True})
                    )
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

    async def _put_back(self, later: list[tuple[ClaimedMessage, datetime]]) -> None:
        """Rows claimed but not tried (paused channel, recipient spacing) wait, without losing an attempt."""
        if not later:
            return
        by_time: dict[datetime, list[int]] = {}
        for message, at in later:
            by_time.setdefault(at, []).append(message.id)
        async with self._write_lock, self.db.transaction() as tx:
            for at, ids in by_time.items():
                await tx.outbox.reschedule(ids, at, error=None, refund=True)
