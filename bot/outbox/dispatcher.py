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

The parts live beside this module: `lease` (the sender lease and the channel's pause), `pacing`
(rate, spacing, quiet hours at send time, claim size), `pipeline` (starting a batch, one send
attempt, the template fallback) and `results` (recording what each send came to).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.channels.base import Sender
from bot.outbox.attachments import Attachments
from bot.outbox.lease import SenderLease, process_name
from bot.outbox.outcomes import RetryPolicy
from bot.outbox.pacing import Pacing
from bot.outbox.pipeline import BatchSender, Pipeline
from bot.outbox.ratelimit import ChannelLimits
from bot.outbox.results import ResultWriter, SweepResult
from handlers.agency import AgencyProfile
from handlers.attachments import AttachmentBuilder, AttachmentSources
from handlers.types import utcnow
from messages import Renderer
from storage.database import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    batch: int = 100
    row_lease: timedelta = timedelta(seconds=60)
    sender_lease: timedelta = timedelta(seconds=30)
    max_in_flight: int = 8
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Outbox kinds that wait out quiet hours (the app's declared kinds say which).
    quiet_kinds: frozenset[str] = frozenset()
    # Outbox kinds whose rows always go as the approved template (`OutboxKind.template_only`).
    template_kinds: frozenset[str] = frozenset()


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
        owner: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        attachments: Mapping[str, AttachmentBuilder] | None = None,
    ) -> None:
        """`attachments`: the builders of the files rows may name (the app's capabilities declare them)."""
        self.db = db
        self.sender = sender
        self.channel = sender.channel
        self.renderer = renderer
        self.agency = agency
        self.config = config or DispatchConfig()
        self.owner = owner or process_name()
        self._clock = clock
        self._pacing = Pacing(limits, agency, clock, self.config.quiet_kinds)
        self._lease = SenderLease(
            db,
            self.channel,
            self.owner,
            duration=self.config.sender_lease,
            bucket=self._pacing.bucket,
            clock=clock,
        )
        self._results = ResultWriter(db, self.channel, retry_for=self.config.row_lease, clock=clock)
        self._sends = BatchSender(
            sender,
            renderer,
            lease=self._lease,
            pacing=self._pacing,
            results=self._results,
            retry=self.config.retry,
            clock=clock,
            attachments=Attachments(attachments or {}, AttachmentSources(db, renderer, agency)),
            template_kinds=self.config.template_kinds,
        )
        self._released = float("-inf")
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def sweep(self, *, max_seconds: float | None = None) -> SweepResult:
        """Send what is due now; return when nothing more is, or the lease or a pause stops it."""
        if self._stopping:
            return SweepResult(held=True)
        self._idle.clear()
        try:
            return await self._sweep(max_seconds)
        finally:
            self._sends.forget_rendered()
            self._idle.set()

    async def stop(self, grace: float = 15.0) -> None:
        """Finish the batch in hand (its results are recorded), then give the sender lease up."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("outbox.stop_timeout", extra={"channel": self.channel})
        await self.release()

    async def release(self) -> None:
        """Give the sender lease up (on shutdown), so another process takes over at once."""
        await self._lease.release()

    async def _sweep(self, max_seconds: float | None) -> SweepResult:
        result = SweepResult()
        started = time.monotonic()
        if not await self._lease.hold():
            result.held = True
            return result
        if self._lease.paused():
            result.held = True
            return result
        pipeline = Pipeline(lambda queue: self._results.write(queue, result), self.config.max_in_flight)
        try:
            first = True
            while not self._stopping and (max_seconds is None or time.monotonic() - started < max_seconds):
                # Every batch: a long sweep may run into quiet hours.
                await self._prepare(release_every=0.0 if first else 1.0)
                first = False
                now = self._clock()
                batch = self._pacing.claim_size(self.config.batch)
                lease = self._pacing.row_lease(batch, self.config.row_lease)
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
                await self._sends.start_batch(claimed, recipients, pipeline)
                if pipeline.errors or self._lease.paused() or not await self._lease.hold(renew_every=1.0):
                    break
        finally:
            # Every send is waited for and recorded (none left running unrecorded).
            await pipeline.drain()
        if pipeline.errors:
            raise pipeline.errors[0]
        return result

    async def _prepare(self, *, release_every: float = 0.0) -> None:
        """Defer quiet-hour rows (checked every batch) and take expired row leases back (within a
        sweep at most once per `release_every` seconds: leases run out in minutes, not batches)."""
        now = self._clock()
        quiet_until = self._pacing.quiet_end(now)
        release = not release_every or time.monotonic() - self._released >= release_every
        if quiet_until is None and not release:
            return
        released = 0
        async with self.db.transaction() as tx:
            if quiet_until is not None:
                deferred = await tx.outbox.defer(self.channel, sorted(self._pacing.quiet_kinds), quiet_until)
                if deferred:
                    log.info("outbox.quiet_hours", extra={"channel": self.channel, "deferred": deferred})
            if release:
                released = await tx.outbox.release_expired(self.channel, now)
        if release:
            self._released = time.monotonic()
        if released:
            log.warning("outbox.leases_expired", extra={"channel": self.channel, "released": released})


__all__ = ["ChannelDispatcher", "DispatchConfig", "SweepResult"]
