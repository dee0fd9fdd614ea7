"""Pacing: how fast, and when, a channel's outbox rows may go.

The channel's token bucket keeps its overall rate (OUTBOX_TELEGRAM_PER_SECOND, 25 by default;
OUTBOX_WHATSAPP_PER_SECOND, 60 by default, under Meta's 80 a number), per-recipient spacing
keeps to one chat's limit (Telegram 1 msg/s, WhatsApp about one per 6 s per user), quiet hours
hold the kinds declared to wait (announcements, reminders) back (checked again at the moment of
sending), and the claim size keeps a batch at least a quarter of a second's sending.
The arithmetic is pure (`ratelimit`, `quiet`); this module reads the clocks and sleeps.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from bot.outbox.ratelimit import ChannelLimits
from handlers.agency import AgencyProfile
from handlers.quiet import in_quiet_hours, quiet_end


class Pacing:
    """One channel's limits: its token bucket, per-recipient spacing and the agency's quiet hours."""

    def __init__(
        self,
        limits: ChannelLimits,
        agency: AgencyProfile,
        clock: Callable[[], datetime],
        quiet_kinds: Collection[str] = (),
    ) -> None:
        self.limits = limits
        self.agency = agency
        # The outbox kinds declared to wait out quiet hours (announcements, reminders).
        self.quiet_kinds = frozenset(quiet_kinds)
        self.bucket = limits.bucket()
        self._spacing = limits.spacing()
        self._clock = clock

    def claim_size(self, batch: int) -> int:
        """The configured batch, or a quarter of a second's sending if that is more: at a high rate
        the claim, lease and housekeeping statements are shared by more messages."""
        return max(batch, math.ceil(self.limits.per_second / 4))

    def row_lease(self, batch: int, configured: timedelta) -> timedelta:
        """Long enough for a whole batch at the channel's rate, whatever the setting says."""
        return max(configured, timedelta(seconds=2 * batch / self.limits.per_second))

    def quiet_end(self, now: datetime) -> datetime | None:
        """The end of the quiet hours `now` falls in, or None outside them."""
        agency = self.agency
        if not in_quiet_hours(now, agency.time_zone, agency.quiet_start, agency.quiet_end):
            return None
        return quiet_end(now, agency.time_zone, agency.quiet_start, agency.quiet_end)

    def quiet_until(self, kind: str) -> datetime | None:
        """The end of the quiet hours a row of `kind` must wait for now, or None to send it."""
        if kind not in self.quiet_kinds:
            return None
        return self.quiet_end(self._clock())

    def recipient_ready(self, external_id: str) -> datetime | None:
        """When the next message to this recipient may go, or None when it may go now."""
        mono = time.monotonic()
        ready = self._spacing.ready_at(external_id, mono)
        if ready > mono:
            return self._clock() + timedelta(seconds=ready - mono)
        return None

    async def wait_turn(self) -> None:
        """Book the channel's next token and sleep until it is due."""
        wait = self.bucket.reserve(time.monotonic())
        if wait > 0:
            await asyncio.sleep(wait)

    def sent_to(self, external_id: str) -> None:
        """A message to this recipient goes now: the next one waits its spacing."""
        self._spacing.take(external_id, time.monotonic())
