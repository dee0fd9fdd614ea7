"""The sender lease: exactly one process sends a channel's outbox, and whether the channel is paused.

The lease is the channel's row in `outbox_senders`. A sweep takes it (or renews it) before it
claims anything; another process takes it over once it runs out (its holder died) or is given
up on shutdown. The same row holds the channel's pause (429 / 130429 / 131056 / bad token), so
a pause one process ran into stops every process that sends for the channel.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.outbox.ratelimit import TokenBucket
from storage.database import Database


def process_name() -> str:
    """How this process signs its leases: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SenderLease:
    """This process's hold on one channel's sender lease, and the channel's pause as last seen.

    A pause also pauses the channel's token bucket, so no send starts before it ends."""

    def __init__(
        self,
        db: Database,
        channel: str,
        owner: str,
        *,
        duration: timedelta,
        bucket: TokenBucket,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.channel = channel
        self.owner = owner
        self.duration = duration
        self.paused_until: datetime | None = None
        self._bucket = bucket
        self._clock = clock
        self._renewed = float("-inf")

    async def hold(self, *, renew_every: float = 0.0) -> bool:
        """Take or renew the sender lease; within a sweep, at most once per `renew_every` seconds
        (the lease lasts far longer), so a fast broadcast does not renew it for every batch."""
        if renew_every and time.monotonic() - self._renewed < renew_every:
            return True
        now = self._clock()
        async with self.db.transaction() as tx:
            held = await tx.sender_leases.acquire(
                self.channel, self.owner, until=now + self.duration, now=now
            )
            if held:
                paused = await tx.sender_leases.paused_until(self.channel, now)
                if paused is not None:
                    self.pause(paused)
        self._renewed = time.monotonic() if held else float("-inf")
        return held

    async def release(self) -> None:
        """Give the sender lease up (on shutdown), so another process takes over at once."""
        async with self.db.transaction() as tx:
            await tx.sender_leases.release(self.channel, self.owner)

    def paused(self) -> bool:
        return self.paused_until is not None and self.paused_until > self._clock()

    def pause(self, until: datetime) -> None:
        """Pause sending here until `until`, unless a pause already known lasts longer."""
        if self.paused_until is not None and until <= self.paused_until:
            return
        self.paused_until = until
        wait = (until - self._clock()).total_seconds()
        self._bucket.pause_until(time.monotonic() + max(0.0, wait))
