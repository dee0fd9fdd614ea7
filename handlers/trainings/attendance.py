"""At the venue and after: check-in with the code of the day, feedback, certificates.

A participant sends `HADIR 4821` (or picks Hadir and types the code) from an hour before the
start until the end; an officer can check anyone confirmed in by registration number or phone.
After the end, those who attended are asked for a rating (1-5, and a comment if they like) and
get their PDF certificate, built when it is sent; an officer can send it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from handlers.agency import AgencyProfile
from handlers.attachments import Deferred
from handlers.outbox import queue_audience
from handlers.result import Invalid
from handlers.rules import parse_mobile
from handlers.trainings.kinds import CERTIFICATE, CERTIFICATE_BUILDER, FEEDBACK, key, training_values
from handlers.trainings.rules import (
    CHECKIN_OPENS,
    MAX_CHECKIN_FAILURES,
    RATINGS,
    can_check_in,
    certificate_number,
    checkin_code,
    checkin_open,
    training_days,
)
from handlers.trainings.seats import RATE, subject
from handlers.types import Choice, Reply
from storage.models.trainings import CONFIRMED, SCHEDULED, Enrolment, Training
from storage.repositories import Transaction

# Check-in outcomes.
CHECKED_IN, WRONG_CODE, LOCKED, CLOSED, ALREADY, NOT_CONFIRMED, NONE_OPEN = (
    "checked_in",
    "wrong_code",
    "locked",
    "closed",
    "already",
    "not_confirmed",
    "none_open",
)
SELF = "self"


@dataclass(frozen=True, slots=True)
class CheckIn:
    outcome: str
    training: Training | None = None
    tries_left: int = 0


def code_of_the_day(training: Training, agency: AgencyProfile, now: datetime) -> str:
    return checkin_code(training.secret, now.astimezone(agency.time_zone).date())


async def _attend(tx: Transaction, enrolment: Enrolment, *, by: str, actor: str, now: datetime) -> bool:
    if not await tx.trainings.mark_attended(enrolment.id, by=by, now=now):
        return False
    await tx.audit.record(
        actor=actor,
        action="training.checked_in",
        subject=subject(enrolment.training_id),
        details={"enrolment": enrolment.id, "by": by},
    )
    return True


async def check_in(
    tx: Transaction, agency: AgencyProfile, enrolment: Enrolment, code: str, *, actor: str, now: datetime
) -> CheckIn:
    """A participant's own check-in with the code of the day."""
    training = await tx.trainings.get(enrolment.training_id)
    assert training is not None
    if enrolment.attended_at is not None:
        return CheckIn(ALREADY, training)
    if not checkin_open(training, now):
        return CheckIn(CLOSED, training)
    if enrolment.status != CONFIRMED:
        return CheckIn(NOT_CONFIRMED, training)
    if enrolment.checkin_failures >= MAX_CHECKIN_FAILURES:
        return CheckIn(LOCKED, training)
    if code != code_of_the_day(training, agency, now):
        failures = await tx.trainings.checkin_failed(enrolment.id)
        left = MAX_CHECKIN_FAILURES - failures
        return CheckIn(WRONG_CODE if left > 0 else LOCKED, training, max(0, left))
    await _attend(tx, enrolment, by=SELF, actor=actor, now=now)
    return CheckIn(CHECKED_IN, training)


async def check_in_by_code(
    tx: Transaction, agency: AgencyProfile, user_id: int, code: str, *, actor: str, now: datetime
) -> CheckIn:
    """`HADIR 4821`: the code names the training among those open for this person now."""
    confirmed = await tx.trainings.of_user(user_id, statuses=(CONFIRMED,))
    open_now = [(e, t) for e, t in confirmed if checkin_open(t, now)]
    candidates = [(e, t) for e, t in open_now if can_check_in(e, t, now)]
    if not candidates:
        return CheckIn(ALREADY, open_now[0][1]) if open_now else CheckIn(NONE_OPEN)
    for enrolment, training in candidates:
        if code == code_of_the_day(training, agency, now):
            return await check_in(tx, agency, enrolment, code, actor=actor, now=now)
    enrolment, _training = candidates[0]
    return await check_in(tx, agency, enrolment, code, actor=actor, now=now)


class CheckInRefused(ValueError):
    """An officer's check-in (or certificate) that cannot be done; `code` and `values` name the
    officer's words (the dashboard's training_error, the command's officer/trainings/refused); the
    message is for logs and tests."""

    def __init__(self, message: str, code: str, **values: Any) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


def person_key(text: str) -> str:
    """How an officer names a participant: a registration number as typed, or a mobile number
    (any way of writing it) as E.164."""
    phone = parse_mobile(text)
    return text.strip() if isinstance(phone, Invalid) else phone


class NotATrainingDay(ValueError):
    """The training does not run that day: it runs `days[0]` to `days[-1]`."""

    def __init__(self, day: date, days: list[date]) -> None:
        super().__init__(day)
        self.day = day
        self.days = days


def day_code(training: Training, agency: AgencyProfile, day: date) -> str:
    """The check-in code of one day of the training (to show at the venue); `NotATrainingDay`."""
    days = training_days(training, agency.time_zone)
    if day not in days:
        raise NotATrainingDay(day, days)
    return checkin_code(training.secret, day)


async def check_in_by_officer(
    tx: Transaction, agency: AgencyProfile, *, officer: str, training_id: int, who: str, now: datetime
) -> Enrolment:
    """An officer checks a confirmed participant in by registration number or phone (E.164), from
    an hour before the start on (a paper list can be entered after the end)."""
    training = await tx.trainings.get(training_id)
    if training is None or training.status != SCHEDULED:
        code = "cancelled" if training is not None else "no_training"
        raise CheckInRefused(f"no scheduled training {training_id}", code, id=training_id)
    if now < training.starts_at - CHECKIN_OPENS:
        raise CheckInRefused(
            "check-in opens an hour before the start", "too_early", opens=training.starts_at - CHECKIN_OPENS
        )
    enrolment = await tx.trainings.participant(training_id, who)
    if enrolment is None:
        raise CheckInRefused(f"{who} is not signed up for training {training_id}", "not_signed_up", who=who)
    if enrolment.attended_at is not None:
        raise CheckInRefused(f"{who} is checked in already", "already", who=who)
    if enrolment.status != CONFIRMED:
        raise CheckInRefused(
            f"{who} has no confirmed seat ({enrolment.status})",
            "not_confirmed",
            who=who,
            status=enrolment.status,
        )
    await _attend(tx, enrolment, by=officer, actor=officer, now=now)
    if now >= training.ends_at:
        await follow_up(tx, agency, training, now)
    refreshed = await tx.trainings.enrolment(enrolment.id)
    assert refreshed is not None
    return refreshed


async def rate(
    tx: Transaction, enrolment: Enrolment, rating: int, comment: str | None, *, actor: str, now: datetime
) -> bool:
    """Feedback from someone who attended, after the end; False when it is not theirs to give."""
    training = await tx.trainings.get(enrolment.training_id)
    if training is None or enrolment.attended_at is None or now < training.ends_at or rating not in RATINGS:
        return False
    await tx.trainings.rate(enrolment.id, rating=rating, comment=comment, now=now)
    await tx.audit.record(
        actor=actor,
        action="training.rated",
        subject=subject(enrolment.training_id),
        details={"enrolment": enrolment.id, "rating": rating, "comment": comment is not None},
    )
    return True


def feedback_request(training: Training, agency: AgencyProfile) -> Reply:
    choices = [
        Choice(f"{RATE}{training.id}:{n}", template="trainings/choice_rating", values={"rating": n})
        for n in RATINGS
    ]
    return Reply(
        "trainings/feedback_request", {"training": training_values(training, agency)}, choices=choices
    )


def certificate_message(training: Training, agency: AgencyProfile) -> tuple[Reply, Deferred]:
    """The certificate's covering text, and the PDF named for the builder."""
    reply = Reply("trainings/certificate_sent", {"training": training_values(training, agency)})
    return reply, Deferred(CERTIFICATE_BUILDER, {"training": training.id})


async def number_certificates(tx: Transaction, agency: AgencyProfile, training: Training) -> None:
    for enrolment_id in await tx.trainings.attendees_without_certificate(training.id):
        await tx.trainings.set_certificate_no(
            enrolment_id, certificate_number(agency.code, training, enrolment_id)
        )


async def follow_up(tx: Transaction, agency: AgencyProfile, training: Training, now: datetime) -> int:
    """After the end: a feedback request and the certificate to each person who attended (once:
    dedupe keys). Returns how many messages were queued."""
    await number_certificates(tx, agency, training)
    attendees = tx.trainings.enrolled_audience(training.id, (CONFIRMED,), attended=True)
    queued = await queue_audience(
        tx,
        FEEDBACK,
        feedback_request(training, agency),
        attendees,
        key_prefix=key(training.id, "feedback:user:"),
        due_at=now,
        now=now,
    )
    reply, pdf = certificate_message(training, agency)
    queued += await queue_audience(
        tx,
        CERTIFICATE,
        reply,
        attendees,
        key_prefix=key(training.id, "certificate:user:"),
        due_at=now,
        now=now,
        attachment=pdf,
    )
    return queued


async def resend_certificate(
    tx: Transaction, agency: AgencyProfile, *, officer: str, training_id: int, who: str, now: datetime
) -> Enrolment:
    """Send a participant's certificate again, by chat."""
    training = await tx.trainings.get(training_id)
    if training is None:
        raise CheckInRefused(f"no training {training_id}", "no_training", id=training_id)
    enrolment = await tx.trainings.participant(training_id, who)
    if enrolment is None:
        raise CheckInRefused(f"{who} is not signed up for training {training_id}", "not_signed_up", who=who)
    if enrolment.attended_at is None:
        raise CheckInRefused(f"{who} did not attend training {training_id}", "not_attended", who=who)
    if now < training.ends_at:
        raise CheckInRefused(f"training {training_id} has not ended yet", "not_ended", id=training_id)
    if enrolment.user_id is None:
        raise CheckInRefused(f"{who} cannot be reached by chat", "unreachable", who=who)
    await number_certificates(tx, agency, training)
    reply, pdf = certificate_message(training, agency)
    queued = await queue_audience(
        tx,
        CERTIFICATE,
        reply,
        tx.trainings.people_audience([enrolment.user_id]),
        key_prefix=key(training_id, "certificate:user:"),
        key_suffix=f":r{int(now.timestamp())}",
        due_at=now,
        now=now,
        attachment=pdf,
    )
    if not queued:
        raise CheckInRefused(f"{who} cannot be reached by chat", "unreachable", who=who)
    await tx.audit.record(
        actor=officer,
        action="training.certificate_resent",
        subject=subject(training_id),
        details={"enrolment": enrolment.id},
    )
    return enrolment
