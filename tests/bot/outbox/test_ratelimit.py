"""Token bucket and per-recipient spacing: plain arithmetic, no clock."""

from __future__ import annotations

import gc
import sys

import pytest

from bot.outbox.ratelimit import DEFAULT_LIMITS, ChannelLimits, KeyedInterval, TokenBucket


def send_times(bucket: TokenBucket, n: int, start: float = 0.0) -> list[float]:
    """When n messages go if the caller sleeps as told after each reservation."""
    now, times = start, []
    for _ in range(n):
        now += bucket.reserve(now)
        times.append(now)
    return times


def test_the_bucket_never_exceeds_its_rate_over_any_second() -> None:
    times = send_times(TokenBucket(25, burst=1), 500)
    for i in range(len(times) - 25):
        assert times[i + 25] - times[i] >= 1.0 - 1e-9
    assert times[-1] == pytest.approx(500 / 25)  # an empty bucket: the first token takes 1/rate


def test_a_burst_is_spent_at_once_then_the_rate_holds() -> None:
    bucket = TokenBucket(10, burst=5)
    bucket.reserve(100.0)  # start: tokens refill from 0 over a long idle time
    bucket.tokens = 5
    times = send_times(bucket, 10, start=100.0)
    assert times[:5] == [100.0] * 5
    assert times[9] == pytest.approx(100.5)


def test_after_a_pause_nothing_goes_before_it_ends_and_no_burst_follows() -> None:
    bucket = TokenBucket(20, burst=10)
    bucket.tokens, bucket.updated = 10, 0.0
    bucket.pause_until(3.0)
    times = send_times(bucket, 5, start=0.5)
    assert times[0] >= 3.0
    assert times[4] - times[0] == pytest.approx(4 / 20)


def test_spacing_per_recipient() -> None:
    spacing = KeyedInterval(6.0)
    assert spacing.ready_at("62811", 0.0) == 0.0
    spacing.take("62811", 0.0)
    assert spacing.ready_at("62811", 1.0) == 6.0
    assert spacing.ready_at("62812", 1.0) == 1.0
    assert spacing.ready_at("62811", 7.0) == 7.0


def retained_bytes(obj: object) -> int:
    """The memory `obj` holds: its own size and that of everything it refers to, each once."""
    seen: set[int] = set()
    stack, total = [obj], 0
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        stack.extend(gc.get_referents(item))
    return total


def broadcast(seconds: int, rate: int = 2000) -> KeyedInterval:
    """The spacing after a broadcast at `rate` a second for `seconds`, each recipient once."""
    spacing = KeyedInterval(1.0)
    for n in range(seconds * rate):
        spacing.take(str(n), n / rate)
    return spacing


def test_spacing_forgets_keys_whose_interval_ran_out() -> None:
    # What it holds is the recipients of the last interval or two: ten times the recipients, the
    # same memory.
    short, long = broadcast(4), broadcast(40)
    held_short, held_long = retained_bytes(short), retained_bytes(long)
    assert held_long < 1.2 * held_short, f"{held_long} bytes after 40 s, {held_short} after 4 s"
    # Only what had run out is forgotten: a forgotten key may be sent to at once, as before.
    assert short.ready_at("0", 4.0) == 4.0
    assert short.ready_at("7999", 4.0) == pytest.approx(4.9995)


def late_send_times(bucket: TokenBucket, n: int, late: float) -> list[float]:
    """Like send_times, but every sleep wakes `late` seconds after it was asked to."""
    now, times = 0.0, []
    for _ in range(n):
        wait = bucket.reserve(now)
        now += wait + (late if wait > 0 else 0.0)
        times.append(now)
    return times


def test_a_sender_that_wakes_late_still_keeps_a_high_cap() -> None:
    # At 2,000/s, a wake-up 1 ms late is two messages' slots; with room for one token they are lost.
    tight = late_send_times(TokenBucket(2000, burst=1), 20_000, late=0.001)
    assert len(tight) / tight[-1] < 0.7 * 2000
    times = late_send_times(ChannelLimits(2000, 1.0).bucket(), 20_000, late=0.001)
    assert len(times) / times[-1] == pytest.approx(2000, rel=0.01)
    # Still a cap: any second holds at most the rate plus the 20 ms saved up.
    for i in range(len(times) - 2040):
        assert times[i + 2040] - times[i] > 1.0


def test_the_default_caps_save_up_one_whole_message_only() -> None:
    for limits in DEFAULT_LIMITS.values():
        assert 1.0 <= limits.bucket().burst < 2.0
    times = send_times(DEFAULT_LIMITS["telegram"].bucket(), 100)
    for i in range(len(times) - 25):
        assert times[i + 25] - times[i] >= 1.0 - 1e-9


def test_defaults_follow_the_platform_limits() -> None:
    assert DEFAULT_LIMITS["telegram"].per_second == 25
    assert DEFAULT_LIMITS["telegram"].per_recipient_interval == 1
    assert DEFAULT_LIMITS["whatsapp"].per_second == 60
    assert DEFAULT_LIMITS["whatsapp"].per_recipient_interval == 6


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0)
