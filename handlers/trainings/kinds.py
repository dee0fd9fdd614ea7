"""What trainings send on their own (outbox kinds), the dedupe keys of those rows, and the values
every training message shows.

Keys: `training:12:announce:user:7`, `training:12:remind:s2:user:7:1d` (s2: the schedule's version,
raised by a change of time or place), `training:12:offer:e40:q57:user:7`, `training:12:changed:s2:user:7`,
`training:12:cancelled:user:7`, `training:12:lapsed:e40:q57:user:7`, `training:12:feedback:user:7`,
`training:12:certificate:user:7` (`:r2` for an officer's re-send). Everything still pending for a
training starts with `training:12:`.
"""

from __future__ import annotations

from typing import Any

from handlers.agency import AgencyProfile
from handlers.capability import OutboxKind
from handlers.rules import region_name
from storage.models.trainings import Training

CERTIFICATE_BUILDER = "training.certificate"

#: The invitation to the owners a training targets, with its one-tap "Daftar".
ANNOUNCEMENT = OutboxKind(
    "training.announcement",
    quiet_hours=True,
    whatsapp_template="announcement",
    messages=("trainings/announcement",),
)
#: The day before at 09:00 and two hours before the start, to the confirmed.
REMINDER = OutboxKind(
    "training.reminder", quiet_hours=True, whatsapp_template="reminder", messages=("trainings/reminder",)
)
#: A freed seat held for the first person waiting, to accept by one tap. Its time counts from the end
#: of quiet hours (`rules.offer_until`).
OFFER = OutboxKind(
    "training.offer", quiet_hours=True, whatsapp_template="notice", messages=("trainings/offer",)
)
#: A change of time or place, a cancellation, an offer that ran out.
NOTICE = OutboxKind(
    "training.notice",
    quiet_hours=True,
    whatsapp_template="notice",
    messages=("trainings/changed", "trainings/cancelled", "trainings/offer_lapsed"),
)
#: After the end, to those who attended: a rating from 1 to 5.
FEEDBACK = OutboxKind(
    "training.feedback",
    quiet_hours=True,
    whatsapp_template="notice",
    messages=("trainings/feedback_request",),
)
#: The PDF certificate of attendance, built when sent.
CERTIFICATE = OutboxKind(
    "training.certificate",
    quiet_hours=True,
    whatsapp_template="notice",
    messages=("trainings/certificate_sent",),
    attachment=CERTIFICATE_BUILDER,
)
KINDS = (ANNOUNCEMENT, REMINDER, OFFER, NOTICE, FEEDBACK, CERTIFICATE)


def key(training_id: int, part: str = "") -> str:
    """Dedupe keys of a training's messages start with `training:12:`."""
    return f"training:{training_id}:{part}"


def reminder_prefix(training: Training, user_id: int | None = None) -> str:
    """The reminders of the training's current schedule (of one person)."""
    person = f"user:{user_id}:" if user_id is not None else ""
    return key(training.id, f"remind:s{training.schedule_version}:{person}")


def training_values(training: Training, agency: AgencyProfile) -> dict[str, Any]:
    """What training messages show (JSON-safe: outbox rows carry it, rendered in each recipient's
    language later). `topic` holds both names; templates show `topic[locale]`."""
    topic = agency.training_topic(training.topic)
    district = training.district_code
    return {
        "id": training.id,
        "title": training.title,
        "topic": {"id": topic.name_id, "en": topic.name_en}
        if topic
        else {"id": training.topic, "en": training.topic},
        "description": training.description,
        "starts_at": training.starts_at,
        "ends_at": training.ends_at,
        "deadline": training.signup_deadline,
        "venue": training.venue,
        "district": (region_name(district) or district) if district else None,
        "online_url": training.online_url,
        "capacity": training.capacity,
        "seats_left": max(0, training.capacity - training.seats_taken),
        "cancelled": training.status != "scheduled",
    }
