"""Every channel error becomes one outcome for its outbox row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.channels.base import (
    AuthenticationFailed,
    OutsideWindow,
    PermanentFailure,
    RateLimited,
    RecipientBlocked,
    TemporaryFailure,
    Undeliverable,
)
from bot.outbox.outcomes import Action, RetryPolicy, outcome_of

NOW = datetime(2026, 3, 2, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base=timedelta(seconds=10), cap=timedelta(seconds=60))


def test_rate_limits_pause_the_channel_for_retry_after() -> None:
    outcome = outcome_of(RateLimited("429", retry_after=7, code=429), attempts=1, now=NOW, policy=POLICY)
    assert outcome.action is Action.PAUSE and outcome.at == NOW + timedelta(seconds=7)
    outcome = outcome_of(RateLimited("pair", retry_after=0, code=131056), attempts=1, now=NOW, policy=POLICY)
    assert outcome.action is Action.PAUSE and outcome.at == NOW + timedelta(seconds=1)


def test_blocked_and_undeliverable_recipients_are_unreachable() -> None:
    for exc in (RecipientBlocked("Forbidden: bot was blocked", code=403), Undeliverable("x", code=131026)):
        assert outcome_of(exc, attempts=1, now=NOW, policy=POLICY).action is Action.UNREACHABLE


def test_outside_the_window_falls_back_to_a_template() -> None:
    outcome = outcome_of(OutsideWindow("re-engage", code=131047), attempts=1, now=NOW, policy=POLICY)
    assert outcome.action is Action.TEMPLATE


def test_temporary_failures_back_off_exponentially_then_fail() -> None:
    delays = [outcome_of(TemporaryFailure("502"), attempts=n, now=NOW, policy=POLICY).at for n in (1, 2, 3)]
    assert delays == [NOW + timedelta(seconds=s) for s in (10, 20, 40)]
    last = outcome_of(TemporaryFailure("502", code=502), attempts=4, now=NOW, policy=POLICY)
    assert last.action is Action.FAIL and "gave up after 4 attempts" in last.reason and "502" in last.reason
    assert POLICY.delay(10) == timedelta(seconds=60)


def test_permanent_failures_bad_tokens_and_bugs() -> None:
    assert (
        outcome_of(PermanentFailure("bad request"), attempts=1, now=NOW, policy=POLICY).action is Action.FAIL
    )
    assert outcome_of(ValueError("bug"), attempts=1, now=NOW, policy=POLICY).action is Action.FAIL
    auth = outcome_of(AuthenticationFailed("401"), attempts=1, now=NOW, policy=POLICY)
    assert auth.action is Action.PAUSE and auth.at is not None and auth.at > NOW
