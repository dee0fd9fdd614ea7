"""The officer's side of a training: schedule it, change it, cancel it, announce it.

Each function acts and writes the audit entry; `umkm-bot training …` and the dashboard's pages
only parse and show.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from handlers.outbox import queue_audience
from handlers.trainings.kinds import ANNOUNCEMENT, NOTICE, key, training_values
from handlers.trainings.rules import signups_open
from handlers.trainings.seats import JOIN, Seating, give_free_seats, subject
from handlers.types import Choice, Reply
from storage.models.trainings import ACTIVE, CANCELLED, SCHEDULED, Training
from storage.repositories import Transaction

PLACE_FIELDS = ("venue", "district_code", "online_url")
TIME_FIELDS = ("starts_at", "ends_at")


class TrainingError(ValueError):
    """The training cannot be scheduled or changed as asked. `code`, `field` (the form field, and
    the command's option, it is about, if one) and `values` name the officer's words: the
    dashboard's (`dashboard/notices/training_error`) and the command's (`officer/trainings/refused`);
    the message is for logs and tests. `problems` lists every reason found (one, unless it is a
    `PlanInvalid`)."""

    def __init__(self, message: str, code: str = "", *, field: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.values = values
        self.problems: list[TrainingError] = [self]


class PlanInvalid(TrainingError):
    """A training as typed or planned has one or more problems: the first is the message."""

    def __init__(self, problems: list[TrainingError]) -> None:
        first = problems[0]
        super().__init__(str(first), first.code, field=first.field, **first.values)
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class TrainingPlan:
    """A training as the officer describes it (times in UTC)."""

    title: str
    topic: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    venue: str | None = None
    district_code: str | None = None
    online_url: str | None = None
    signup_deadline: datetime | None = None
    target_sectors: tuple[str, ...] = ()
    target_size_classes: tuple[str, ...] = ()
    target_districts: tuple[str, ...] = ()
    open_to_public: bool = False
    description: str | None = None

    def problems(self) -> list[TrainingError]:
        """Why the plan cannot happen (empty: it can)."""
        found = []
        if not self.title.strip():
            found.append(TrainingError("the title is empty", "title_empty", field="title"))
        if self.ends_at <= self.starts_at:
            found.append(TrainingError("the training must end after it starts", "ends_before", field="ends"))
        if self.capacity < 1:
            found.append(TrainingError("the capacity must be at least 1", "capacity", field="capacity"))
        if (self.online_url is None) == (self.venue is None):
            found.append(
                TrainingError(
                    "give either a venue (with its kecamatan) or an online link",
                    "place_missing",
                    field="venue",
                )
            )
        if self.venue is not None and self.district_code is None:
            found.append(TrainingError("a venue needs its kecamatan", "venue_kecamatan", field="kecamatan"))
        if self.signup_deadline is not None and self.signup_deadline > self.starts_at:
            found.append(
                TrainingError(
                    "sign-ups must close before the training starts", "deadline_after", field="deadline"
                )
            )
        return found

    def check(self, now: datetime, *, past_start: str | None = None) -> None:
        """Raise `PlanInvalid` (every problem) for a plan that cannot happen; `past_start`, the
        message for a start that is not after `now`, checks that too."""
        found = self.problems()
        if past_start is not None and self.starts_at <= now:
            found.insert(0, TrainingError(past_start, "start_past", field="starts"))
        if found:
            raise PlanInvalid(found)


def plan_of(training: Training) -> TrainingPlan:
    """The stored training as a plan, to change some of its fields."""
    values: dict[str, Any] = {f.name: getattr(training, f.name) for f in fields(TrainingPlan)}
    for name in ("target_sectors", "target_size_classes", "target_districts"):
        values[name] = tuple(values[name] or ())
    return TrainingPlan(**values)


async def create_training(tx: Transaction, *, officer: str, plan: TrainingPlan, now: datetime) -> Training:
    plan.check(now, past_start="the start is in the past")
    values = {f.name: getattr(plan, f.name) for f in fields(TrainingPlan)}
    for name in ("target_sectors", "target_size_classes", "target_districts"):
        values[name] = list(values[name])
    training = await tx.trainings.add(
        Training(
            **values,
            seats_taken=0,
            tickets=0,
            status=SCHEDULED,
            schedule_version=1,
            secret=secrets.token_hex(16),
            created_by=officer,
            created_at=now,
            updated_at=now,
        )
    )
    await tx.audit.record(
        actor=officer,
        action="training.created",
        subject=subject(training.id),
        details={"topic": plan.topic, "capacity": plan.capacity, "public": plan.open_to_public},
    )
    return training


async def _scheduled(tx: Transaction, training_id: int) -> Training:
    training = await tx.trainings.get(training_id)
    if training is None:
        raise TrainingError(f"no training {training_id}", "no_training", id=training_id)
    if training.status != SCHEDULED:
        raise TrainingError(f"training {training_id} is cancelled", "cancelled", id=training_id)
    return training


async def _tell_everyone(tx: Transaction, training: Training, reply: Reply, part: str, now: datetime) -> int:
    """A notice to everyone signed up (confirmed, offered a seat, waiting)."""
    return await queue_audience(
        tx,
        NOTICE,
        reply,
        tx.trainings.enrolled_audience(training.id, ACTIVE),
        key_prefix=key(training.id, part),
        due_at=now,
        now=now,
    )


@dataclass(frozen=True, slots=True)
class Edited:
    training: Training
    changed: list[str]
    notified: int = 0
    offered: int = 0
    moved: bool = False


async def edit_training(
    tx: Transaction,
    seating: Seating,
    *,
    officer: str,
    training_id: int,
    changes: dict[str, Any],
    now: datetime,
) -> Edited:
    """Change a training. A new time or place re-plans its reminders and tells everyone signed up;
    more seats go to the waiting list (as offers); fewer than are taken is refused."""
    await tx.trainings.lock(training_id)
    training = await _scheduled(tx, training_id)
    before = plan_of(training)
    after = replace(before, **changes)
    changed = [f.name for f in fields(TrainingPlan) if getattr(before, f.name) != getattr(after, f.name)]
    after.check(now, past_start="the new start is in the past" if "starts_at" in changed else None)
    if not changed:
        return Edited(training, [])
    if "capacity" in changed and not await tx.trainings.set_capacity(training_id, after.capacity):
        raise TrainingError(
            f"{training.seats_taken} seats are taken; the capacity cannot go below that",
            "capacity_taken",
            field="capacity",
            taken=training.seats_taken,
        )
    for name in changed:
        if name != "capacity":
            value = getattr(after, name)
            setattr(training, name, list(value) if isinstance(value, tuple) else value)
    moved = any(name in changed for name in (*TIME_FIELDS, *PLACE_FIELDS))
    if moved:
        await tx.outbox.cancel(key(training_id, "remind:"), "the training moved")
        training.schedule_version += 1
    training.updated_at = now
    await tx.trainings.save(training)
    if "starts_at" in changed:
        await tx.trainings.cap_offers(training_id, after.starts_at)
    offered = len(await give_free_seats(tx, seating, training_id, now)) if "capacity" in changed else 0
    training = await _scheduled(tx, training_id)
    notified = 0
    if moved:
        reply = Reply(
            "trainings/changed", {"training": training_values(training, seating.agency), "changed": changed}
        )
        notified = await _tell_everyone(
            tx, training, reply, f"changed:s{training.schedule_version}:user:", now
        )
    await tx.audit.record(
        actor=officer,
        action="training.edited",
        subject=subject(training_id),
        details={"fields": changed, "notified": notified, "offered": offered},
    )
    return Edited(training, changed, notified, offered, moved)


async def cancel_training(
    tx: Transaction, seating: Seating, *, officer: str, training_id: int, reason: str, now: datetime
) -> tuple[Training, int]:
    """Cancel a training: what is still pending for it is dropped; everyone signed up, waiting
    or offered a seat is told, with the reason. Returns the training and how many were told."""
    await tx.trainings.lock(training_id)
    training = await _scheduled(tx, training_id)
    reason = " ".join(reason.split())
    if not reason:
        raise TrainingError("give the reason the participants will read", "reason_missing", field="reason")
    training.status, training.cancel_reason, training.updated_at = CANCELLED, reason[:300], now
    await tx.trainings.save(training)
    await tx.outbox.cancel(key(training_id), "training cancelled")
    reply = Reply(
        "trainings/cancelled", {"training": training_values(training, seating.agency), "reason": reason}
    )
    notified = await _tell_everyone(tx, training, reply, "cancelled:user:", now)
    await tx.audit.record(
        actor=officer,
        action="training.cancelled",
        subject=subject(training_id),
        details={"notified": notified},
    )
    return training, notified


def announcement(training: Training, seating: Seating) -> Reply:
    """The invitation, with its one-tap "Daftar" (and "DAFTAR 12" to type where buttons cannot go)."""
    return Reply(
        "trainings/announcement",
        {"training": training_values(training, seating.agency)},
        choices=[Choice(f"{JOIN}{training.id}", template="trainings/choice_join")],
    )


async def announcement_audience(tx: Transaction, training_id: int, now: datetime) -> dict[str, int]:
    """Who an announcement would reach now, per channel (a dry run)."""
    training = await _announceable(tx, training_id, now)
    return await tx.trainings.audience_counts(tx.trainings.announcement_audience(training))


async def _announceable(tx: Transaction, training_id: int, now: datetime) -> Training:
    training = await _scheduled(tx, training_id)
    if not signups_open(training, now):
        raise TrainingError(
            f"sign-ups for training {training_id} are closed", "signups_closed", id=training_id
        )
    return training


async def announce(
    tx: Transaction, seating: Seating, *, officer: str, training_id: int, now: datetime
) -> tuple[Training, int]:
    """Queue the announcement for every owner the training targets who is not signed up yet; an
    owner it reached before gets nothing new. Returns the training and how many were queued."""
    training = await _announceable(tx, training_id, now)
    queued = await queue_audience(
        tx,
        ANNOUNCEMENT,
        announcement(training, seating),
        tx.trainings.announcement_audience(training),
        key_prefix=key(training_id, "announce:user:"),
        due_at=now,
        now=now,
    )
    training.targeted = await tx.trainings.targeted_count(training)
    training.announced_at = now
    await tx.trainings.save(training)
    await tx.audit.record(
        actor=officer,
        action="training.announced",
        subject=subject(training_id),
        details={"queued": queued, "targeted": training.targeted},
    )
    return training, queued
