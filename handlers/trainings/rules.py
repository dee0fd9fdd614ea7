"""The rules of a training, pure: who it is open to, when sign-ups close, when reminders go,
how long a freed seat is held, the check-in window and code, the certificate's number."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models.trainings import CONFIRMED, SCHEDULED, Enrolment, Training

#: Reminders: the day before at 09:00 agency time, and two hours before the start.
DAY_BEFORE, TWO_HOURS = "1d", "2h"
REMINDER_TIME = time(9, 0)
#: Check-in opens this long before the start and closes at the end.
CHECKIN_OPENS = timedelta(hours=1)
#: Wrong check-in codes a participant may send for one training before only an officer can check
#: them in (a code has 10,000 values).
MAX_CHECKIN_FAILURES = 5
RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class Applicant:
    """What decides whether a training is open to someone: a registered owner's business, or
    nothing for a person who is not registered (public trainings only)."""

    registered: bool
    sector: str | None = None
    size_class: str | None = None
    district_code: str | None = None


def open_to(training: Training, applicant: Applicant) -> bool:
    """Public trainings are open to everybody; the others to registered owners its targeting
    selects (an empty list selects everyone)."""
    if training.open_to_public:
        return True
    if not applicant.registered:
        return False
    return all(
        not wanted or value in wanted
        for wanted, value in (
            (training.target_sectors, applicant.sector),
            (training.target_size_classes, applicant.size_class),
            (training.target_districts, applicant.district_code),
        )
    )


def signups_close(training: Training) -> datetime:
    """Sign-ups close at the deadline, and at the start at the latest."""
    deadline = training.signup_deadline
    return min(deadline, training.starts_at) if deadline is not None else training.starts_at


def signups_open(training: Training, now: datetime) -> bool:
    return training.status == SCHEDULED and now < signups_close(training)


def reminder_times(starts_at: datetime, zone: ZoneInfo) -> list[tuple[str, datetime]]:
    """(slot, UTC time) of each reminder, in order."""
    local_day = starts_at.astimezone(zone).date()
    day_before = datetime.combine(local_day - timedelta(days=1), REMINDER_TIME, tzinfo=zone).astimezone(UTC)
    return sorted([(DAY_BEFORE, day_before), (TWO_HOURS, starts_at - timedelta(hours=2))], key=lambda r: r[1])


def due_reminder(starts_at: datetime, zone: ZoneInfo, now: datetime) -> tuple[str, datetime] | None:
    """The latest reminder whose time has come, before the start (a bot that was down sends only
    that one, never two at once); None before the first and from the start on."""
    if now >= starts_at:
        return None
    due = [(slot, at) for slot, at in reminder_times(starts_at, zone) if at <= now]
    return due[-1] if due else None


def offer_until(
    now: datetime, starts_at: datetime, hours: timedelta, sendable_from: datetime
) -> datetime | None:
    """Until when a freed seat is held: `hours` from when the offer can reach the person (the end of
    quiet hours, `sendable_from`), never past the start. None when no time is left to offer it."""
    until = min(max(now, sendable_from) + hours, starts_at)
    return until if until > now else None


def checkin_open(training: Training, now: datetime) -> bool:
    """From an hour before the start until the end."""
    return training.status == SCHEDULED and training.starts_at - CHECKIN_OPENS <= now <= training.ends_at


def can_check_in(enrolment: Enrolment, training: Training, now: datetime) -> bool:
    """A confirmed participant not checked in yet, while check-in is open."""
    return enrolment.status == CONFIRMED and enrolment.attended_at is None and checkin_open(training, now)


def _mac(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def checkin_code(secret: str, day: date) -> str:
    """The four-digit code of the day, from the training's secret: nobody can work it out beforehand."""
    return f"{int.from_bytes(_mac(secret, f'checkin:{day.isoformat()}')[:8], 'big') % 10_000:04d}"


def certificate_number(agency_code: str, training: Training, enrolment_id: int) -> str:
    """`BJB-PLT12-57-K7QF`: agency, training, enrolment, and four characters keyed by the training's
    secret, so a number cannot be made up."""
    check = base64.b32encode(_mac(training.secret, f"certificate:{enrolment_id}")).decode()[:4]
    return f"{agency_code}-PLT{training.id}-{enrolment_id}-{check}"


def training_days(training: Training, zone: ZoneInfo) -> list[date]:
    first = training.starts_at.astimezone(zone).date()
    last = training.ends_at.astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
