"""Rate-limit arithmetic, pure: the caller passes the time, nothing here sleeps or reads a clock.

`TokenBucket` paces a channel overall (Telegram about 25 msg/s); `KeyedInterval`
spaces messages to one chat (Telegram 1/s, WhatsApp 1 per 6 s per user).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up. `reserve` books a token and says how long
    to wait for it, so a caller that sleeps that long and then sends never exceeds the rate."""

    rate: float
    burst: float = 1.0
    tokens: float = field(default=0.0)
    updated: float = field(default=0.0)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.tokens = min(self.tokens, self.burst)

    def reserve(self, now: float) -> float:
        """Take one token; return the seconds to wait before using it (0 when one is ready)."""
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        self.tokens -= 1.0
        ready = self.updated + max(0.0, -self.tokens) / self.rate
        return max(0.0, ready - now)

    def pause_until(self, until: float) -> None:
        """Nothing before `until`, and no saved-up burst after it."""
        self.tokens = 0.0
        self.updated = max(self.updated, until)


@dataclass(slots=True)
class KeyedInterval:
    """At most one message per `interval` seconds per key (a chat, a WhatsApp user).

    Keys whose interval has run out are forgotten once per interval, so what is kept is bounded
    by the recipients of the last interval or two (a broadcast to 100,000 owners keeps a few
    thousand keys at 2,000 messages a second, not 100,000)."""

    interval: float
    _next: dict[str, float] = field(default_factory=dict)
    _pruned: float = float("-inf")

    def ready_at(self, key: str, now: float) -> float:
        """When the next message to `key` may go (`now` or later)."""
        return max(now, self._next.get(key, now))

    def take(self, key: str, now: float) -> None:
        """Record a message to `key` sent at `now`."""
        if now - self._pruned >= self.interval:
            self._next = {k: t for k, t in self._next.items() if t > now}
            self._pruned = now
        self._next[key] = max(now, self._next.get(key, now)) + self.interval


#: The channel's bucket saves up this much sending time. A sender that sleeps until its next token
#: wakes a little late whenever the event loop was busy; with room for one token only, that lateness
#: is lost for good (at 2,000/s a wake-up 1 ms late loses two messages' slots). Twenty milliseconds
#: is less than two messages at the default caps (one is always allowed; 1.2 at 60/s) and 40 at
#: 2,000/s: the long-run rate stays the cap, and any second holds at most the cap plus that burst.
CATCH_UP_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """Configured limits of one channel."""

    per_second: float
    per_recipient_interval: float
    burst: float = 1.0

    def bucket(self) -> TokenBucket:
        return TokenBucket(self.per_second, max(1.0, self.burst, self.per_second * CATCH_UP_SECONDS))

    def spacing(self) -> KeyedInterval:
        return KeyedInterval(self.per_recipient_interval)


DEFAULT_LIMITS = {
    "telegram": ChannelLimits(per_second=25.0, per_recipient_interval=1.0),
    "whatsapp": ChannelLimits(per_second=60.0, per_recipient_interval=6.0),
}
