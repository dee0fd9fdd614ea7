"""What the trainings' dashboard pages share: their paths, a training as a page shows it, the form
of a training (read by `planning.read_plan`, as the command reads its flags), and a refusal's
words (`dashboard/notices/training_error`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from handlers.pages import NotFound, PageContext, checked
from handlers.registration.admin import districts
from handlers.rules import SIZE_CLASSES, display_phone, region_name
from handlers.trainings.attendance import SELF, CheckInRefused
from handlers.trainings.kinds import training_values
from handlers.trainings.planning import TypedPlan
from handlers.trainings.reports import topic_name
from handlers.trainings.schedule import TrainingError
from storage.models.trainings import CANCELLED, Training
from storage.repositories import Transaction
from storage.repositories.training_reports import Participant

TRAININGS = "/dashboard/trainings"
DOWNLOAD = "/dashboard/downloads/trainings"
PAGE_SIZE = 50
#: The form's text fields (`TypedPlan`'s), and its ticked boxes: `<prefix><value>`.
TEXT_FIELDS = ("title", "topic", "starts", "ends", "deadline", "capacity", "venue", "kecamatan", "online")
BOXES = {"sectors": "sector-", "size_classes": "size-", "target_kecamatan": "target-"}
FORM_TIME = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> shows and sends


def here(training_id: int, part: str = "") -> str:
    return f"{TRAININGS}/{training_id}{part}"


def training_id(ctx: PageContext) -> int:
    return int(ctx.params["training_id"])


async def training_or_404(tx: Transaction, training_id: int) -> Training:
    training = await tx.trainings.get(training_id)
    if training is None:
        raise NotFound
    return training


def state(training: Training, now: datetime) -> str:
    """cancelled, ended, running (checked in from an hour before: see rules) or upcoming."""
    if training.status == CANCELLED:
        return "cancelled"
    if training.ends_at <= now:
        return "ended"
    return "running" if training.starts_at <= now else "upcoming"


def shown(ctx: PageContext, training: Training) -> dict[str, Any]:
    """A training as the pages show it: what its messages show, and its targeting in words."""
    sizes = ctx.labels("labels/size_class")
    sectors = {s.id: s.name(ctx.locale) for s in ctx.agency.sectors}
    return {
        **training_values(training, ctx.agency),
        "topic_name": topic_name(ctx, training.topic),
        "state": state(training, ctx.now()),
        "status": training.status,
        "cancel_reason": training.cancel_reason,
        "public": training.open_to_public,
        "sectors": [sectors.get(s, s) for s in training.target_sectors or []],
        "sizes": [sizes.get(s, s) for s in training.target_size_classes or []],
        "districts": [region_name(d) or d for d in training.target_districts or []],
        "announced_at": training.announced_at,
        "targeted": training.targeted,
        "created_at": training.created_at,
        "created_by": training.created_by,
    }


def people(ctx: PageContext, participants: Sequence[Participant]) -> list[dict[str, Any]]:
    """The rows of a list of participants (names and numbers: its view is audited)."""
    statuses = ctx.labels("trainings/participant_statuses")
    rows = []
    for participant in participants:
        enrolment = participant.enrolment
        district = enrolment.district_code
        rows.append(
            {
                "no": enrolment.queue_no,
                "name": enrolment.full_name or "-",
                "phone": display_phone(enrolment.phone) if enrolment.phone else "-",
                "reg_no": participant.reg_no,
                "public": enrolment.public,
                "district": (region_name(district) or district) if district else "-",
                "status": statuses.get(enrolment.status, enrolment.status),
                "position": participant.position,
                "offer_until": enrolment.offer_expires_at,
                "signed_up_at": enrolment.signed_up_at,
                "attended_at": enrolment.attended_at,
                "by_self": enrolment.checked_in_by == SELF,
                "rating": enrolment.rating,
            }
        )
    return rows


# The form of a training ---------------------------------------------------------


def typed(form: Mapping[str, str]) -> TypedPlan:
    """The posted form as typed: every field given (an empty text is an empty answer)."""
    texts: dict[str, Any] = {name: form.get(name, "") for name in (*TEXT_FIELDS, "description")}
    boxes: dict[str, Any] = {name: checked(form, prefix) for name, prefix in BOXES.items()}
    return TypedPlan(**texts, **boxes, open_to_public=form.get("open_to_public") == "1")


def kept(form: Mapping[str, str]) -> dict[str, Any]:
    """The posted form, to show again as it was typed."""
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in (*TEXT_FIELDS, "description")}
    values.update({name: checked(form, prefix) for name, prefix in BOXES.items()})
    values["open_to_public"] = form.get("open_to_public") == "1"
    return values


def empty_form() -> dict[str, Any]:
    return {
        **dict.fromkeys((*TEXT_FIELDS, "description"), ""),
        **{name: [] for name in BOXES},
        "open_to_public": False,
    }


def form_of(ctx: PageContext, training: Training) -> dict[str, Any]:
    """A stored training in its form, to edit."""

    def local(at: datetime | None) -> str:
        return ctx.local(at).strftime(FORM_TIME) if at is not None else ""

    return {
        "title": training.title,
        "topic": training.topic,
        "starts": local(training.starts_at),
        "ends": local(training.ends_at),
        "deadline": local(training.signup_deadline),
        "capacity": str(training.capacity),
        "venue": training.venue or "",
        "kecamatan": training.district_code or "",
        "online": training.online_url or "",
        "description": training.description or "",
        "sectors": list(training.target_sectors or []),
        "size_classes": list(training.target_size_classes or []),
        "target_kecamatan": list(training.target_districts or []),
        "open_to_public": training.open_to_public,
    }


def form_options(ctx: PageContext) -> dict[str, Any]:
    """The form's choices: topics, kecamatan, sectors, size classes."""
    return {
        "topics": [(t.id, t.name(ctx.locale)) for t in ctx.agency.training_topics],
        "district_options": districts(ctx.agency),
        "sector_options": [(s.id, s.name(ctx.locale)) for s in ctx.agency.sectors],
        "size_options": [(size, ctx.labels("labels/size_class").get(size, size)) for size in SIZE_CLASSES],
    }


def form_values(ctx: PageContext, form: dict[str, Any], exc: TrainingError | None = None) -> dict[str, Any]:
    """The form's values, choices, and each problem's words beside its field (`errors`; those
    about no field in `error`)."""
    errors: dict[str, str] = {}
    general = []
    for problem in exc.problems if exc is not None else []:
        text = refusal(ctx, problem)
        if problem.field is None:
            general.append(text)
        else:
            errors.setdefault(problem.field, text)
    return {"form": form, "errors": errors, "error": " ".join(general) or None, **form_options(ctx)}


# Refusals -----------------------------------------------------------------------------


def refusal_values(exc: TrainingError | CheckInRefused) -> dict[str, Any]:
    return {"code": exc.code, **exc.values}


def refusal(ctx: PageContext, exc: TrainingError | CheckInRefused) -> str:
    return ctx.renderer.render("dashboard/notices/training_error", ctx.locale, refusal_values(exc))


def notice_refusal(ctx: PageContext, exc: TrainingError | CheckInRefused) -> None:
    """The refusal as the next page's notice; a training that does not exist is a 404."""
    if exc.code == "no_training":
        raise NotFound from None
    ctx.notice("training_error", refusal_values(exc), error=True)
