"""Agency profiles for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

from bot.settings import DEFAULT_PROFILE

SHIPPED_QUIET_HOURS = 'quiet_hours = ["21:00", "07:00"]'


def profile_without_quiet_hours(directory: Path) -> Path:
    """The shipped profile with an empty quiet-hours window, so outbox sends happen at any hour."""
    text = DEFAULT_PROFILE.read_text(encoding="utf-8")
    if SHIPPED_QUIET_HOURS not in text:
        raise AssertionError("the shipped profile's quiet hours changed; update tests/profiles.py")
    path = directory / "profile.toml"
    path.write_text(text.replace(SHIPPED_QUIET_HOURS, 'quiet_hours = ["00:00", "00:00"]'), encoding="utf-8")
    return path
