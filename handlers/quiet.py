"""Quiet hours, pure: rows of the kinds declared `quiet_hours` (announcements, reminders)
wait from 21:00 to 07:00 agency time; replies never do.

The outbox's pacing holds rows back with these; a capability uses them too where a deadline
must not run while its message waits (a training's seat offer counts from the end of them)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(now: datetime, zone: ZoneInfo, start: time, end: time) -> bool:
    """Whether `now` (aware) falls in [start, end) local time; the window may wrap midnight."""
    if start == end:
        return False
    local = now.astimezone(zone).time().replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_end(now: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """When the quiet hours that contain `now` end (UTC); `now` itself when it is not quiet."""
    if not in_quiet_hours(now, zone, start, end):
        return now
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), end, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return candidate.astimezone(UTC)
