"""Quiet hours (21:00-07:00 agency time) hold announcements and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from handlers.quiet import in_quiet_hours, quiet_end

WITA = ZoneInfo("Asia/Makassar")  # UTC+8
START, END = time(21, 0), time(7, 0)


def wita(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=WITA).astimezone(UTC)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (20, 59, False),
        (21, 0, True),
        (23, 30, True),
        (0, 0, True),
        (6, 59, True),
        (7, 0, False),
        (12, 0, False),
    ],
)
def test_the_window_wraps_midnight(hour: int, minute: int, quiet: bool) -> None:
    assert in_quiet_hours(wita(hour, minute), WITA, START, END) is quiet


def test_the_end_is_the_next_seven_oclock() -> None:
    assert quiet_end(wita(22), WITA, START, END) == wita(7, day=3)
    assert quiet_end(wita(3), WITA, START, END) == wita(7)
    assert quiet_end(wita(10), WITA, START, END) == wita(10)


def test_a_window_within_one_day_and_an_empty_one() -> None:
    assert in_quiet_hours(wita(13), WITA, time(12), time(14))
    assert not in_quiet_hours(wita(15), WITA, time(12), time(14))
    assert not in_quiet_hours(wita(23), WITA, time(0), time(0))
