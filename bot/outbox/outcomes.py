"""What a failed send means for its row, pure: the one place errors become outcomes.

RateLimited          pause the channel for retry_after; the row waits, the attempt is refunded
RecipientBlocked     the identity is unreachable; all its open rows end
Undeliverable        likewise (the number cannot receive messages)
OutsideWindow        send the approved template for this kind instead (WhatsApp 24-hour window)
AuthenticationFailed pause the channel (settings must be fixed); the row waits, refunded
TemporaryFailure     retry with exponential backoff; after `max_attempts` the row fails
PermanentFailure     the row fails with the reason
anything else        the row fails with the reason (a bug: it would fail again)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels.base import (
    AuthenticationFailed,
    OutsideWindow,
    PermanentFailure,
    RateLimited,
    RecipientBlocked,
    TemporaryFailure,
    Undeliverable,
)

AUTH_PAUSE = timedelta(minutes=5)


class Action(enum.Enum):
    PAUSE = "pause"
    UNREACHABLE = "unreachable"
    TEMPLATE = "template"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Outcome:
    action: Action
    reason: str
    # RETRY: when; PAUSE: until when the channel is paused.
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=2)

    def delay(self, attempts: int) -> timedelta:
        """Backoff after the `attempts`-th failed attempt: base, 2 base, 4 base, … up to cap."""
        delay: timedelta = self.base * (2 ** max(0, attempts - 1))
        return min(self.cap, delay)


def describe(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    text = f"{type(exc).__name__}: {exc}"
    return f"{text} (code {code})" if code is not None else text


def outcome_of(exc: BaseException, *, attempts: int, now: datetime, policy: RetryPolicy) -> Outcome:
    reason = describe(exc)[:500]
    if isinstance(exc, RateLimited):
        return Outcome(Action.PAUSE, reason, now + timedelta(seconds=max(1.0, float(exc.retry_after))))
    if isinstance(exc, RecipientBlocked | Undeliverable):
        return Outcome(Action.UNREACHABLE, reason)
    if isinstance(exc, OutsideWindow):
        return Outcome(Action.TEMPLATE, reason)
    if isinstance(exc, AuthenticationFailed):
        return Outcome(Action.PAUSE, reason, now + AUTH_PAUSE)
    if isinstance(exc, TemporaryFailure):
        if attempts >= policy.max_attempts:
            return Outcome(Action.FAIL, f"gave up after {attempts} attempts: {reason}"[:500])
        return Outcome(Action.RETRY, reason, now + policy.delay(attempts))
    if isinstance(exc, PermanentFailure):
        return Outcome(Action.FAIL, reason)
    return Outcome(Action.FAIL, reason)
