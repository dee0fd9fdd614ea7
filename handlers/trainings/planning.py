"""A training as an officer types it, read the same way by `umkm-bot training add|edit` and by the
dashboard's forms: times in agency time (`2026-03-14 09:00`, or a browser's `2026-03-14T09:00`),
a topic and sectors by their profile ids, kecamatan by code or name, size classes in Indonesian or
English (`mikro`, `small`; `handlers.rules.read_size_class`).

Every field is read on its own and every problem is kept (`PlanInvalid.problems`, each naming its
field), so a form can say what is wrong beside each field; the command says the first one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from handlers.agency import AgencyProfile
from handlers.registration.admin import UnknownDistrict, district_code
from handlers.rules import UnknownSizeClass, read_size_classes
from handlers.trainings.schedule import PlanInvalid, TrainingError

#: The most seats a training may have: far above any hall, far below what the database holds.
MOST_SEATS = 10_000
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True, slots=True)
class TypedPlan:
    """What the officer typed, field by field; None where a field was not given (an edit changes
    only the fields given). Lists are the items as typed (`--sector a,b`, or ticked boxes)."""

    title: str | None = None
    topic: str | None = None
    starts: str | None = None
    ends: str | None = None
    deadline: str | None = None
    capacity: str | int | None = None
    venue: str | None = None
    kecamatan: str | None = None
    online: str | None = None
    sectors: Sequence[str] | None = None
    size_classes: Sequence[str] | None = None
    target_kecamatan: Sequence[str] | None = None
    open_to_public: bool | None = None
    description: str | None = None


def items(text: str | None) -> list[str]:
    """`a, b,,c` -> ["a", "b", "c"]."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def local_time(text: str, agency: AgencyProfile) -> datetime | None:
    """`2026-03-14 09:00` (or `2026-03-14T09:00`) on the agency's clock, in UTC; None if not a time."""
    try:
        local = datetime.strptime(" ".join(text.replace("T", " ").split()), TIME_FORMAT)
    except ValueError:
        return None
    return local.replace(tzinfo=agency.time_zone).astimezone(UTC)


class _Reader:
    """Reads one field after another, keeping each problem instead of stopping at the first."""

    def __init__(self, agency: AgencyProfile) -> None:
        self.agency = agency
        self.problems: list[TrainingError] = []

    def refuse(self, message: str, code: str, field: str, **values: Any) -> None:
        self.problems.append(TrainingError(message, code, field=field, **values))

    def time(self, flag: str, field: str, text: str) -> datetime | None:
        found = local_time(text, self.agency)
        if found is None:
            self.refuse(f"{flag}: not a time like 2026-03-14 09:00: {text!r}", "time", field, text=text)
        return found

    def known(
        self,
        items: Sequence[str],
        allowed: Sequence[str],
        code: str,
        field: str,
        message: Callable[[str], str],
    ) -> tuple[str, ...]:
        """`items`, each one of `allowed` (the first that is not is the problem)."""
        unknown = [item for item in items if item not in allowed]
        if unknown:
            self.refuse(message(unknown[0]), code, field, word=unknown[0], known=list(allowed))
        return tuple(items)

    def kecamatan(self, flag: str, field: str, text: str) -> str | None:
        try:
            return district_code(self.agency, text)
        except UnknownDistrict:
            self.refuse(
                f"{flag}: unknown kecamatan {text!r} in the agency's area", "kecamatan", field, word=text
            )
            return None


def _text(value: str | None) -> str | None:
    """A text field: its words with single spaces; None when not given, or given empty."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def read_plan(agency: AgencyProfile, typed: TypedPlan, *, whole: bool) -> dict[str, Any]:
    """The `TrainingPlan` fields the officer gave, read and checked one by one: a training's
    fields for `create_training` (`whole`: exactly one of a venue or an online link is given), or
    the changes for `edit_training`. Raises `PlanInvalid` with every problem found."""
    read = _Reader(agency)
    changes: dict[str, Any] = {}
    if typed.title is not None:
        changes["title"] = " ".join(typed.title.split())
    if typed.topic is not None:
        if agency.training_topic(typed.topic) is None:
            topics = [t.id for t in agency.training_topics]
            read.refuse(
                f"--topic: unknown topic {typed.topic!r} (known: {', '.join(topics)})",
                "topic",
                "topic",
                word=typed.topic,
                known=topics,
            )
        changes["topic"] = typed.topic
    for flag, field, name in (
        ("--starts", "starts", "starts_at"),
        ("--ends", "ends", "ends_at"),
        ("--deadline", "deadline", "signup_deadline"),
    ):
        text = getattr(typed, field)
        if text is not None and (text.strip() or field != "deadline"):
            changes[name] = read.time(flag, field, text)
        elif text is not None:
            changes[name] = None  # an emptied deadline: sign-ups close at the start
    if typed.capacity is not None:
        capacity = typed.capacity if isinstance(typed.capacity, int) else _number(typed.capacity)
        if capacity is None or capacity < 1:
            read.refuse(f"--capacity: must be at least 1, not {typed.capacity}", "capacity", "capacity")
        elif capacity > MOST_SEATS:
            read.refuse(
                f"--capacity: at most {MOST_SEATS} seats, not {capacity}",
                "capacity_most",
                "capacity",
                most=MOST_SEATS,
            )
        changes["capacity"] = capacity
    online, venue = _text(typed.online), _text(typed.venue)
    if online is not None:
        if not online.startswith(("https://", "http://")):
            read.refuse(f"--online: not a link like https://…: {online!r}", "online", "online", text=online)
        changes.update(online_url=online, venue=None, district_code=None)
    if venue is not None:
        changes.update(venue=venue, online_url=None)
    if typed.kecamatan is not None and typed.kecamatan.strip() and online is None:
        changes["district_code"] = read.kecamatan("--kecamatan", "kecamatan", typed.kecamatan)
    if typed.sectors is not None:
        known = ", ".join(s.id for s in agency.sectors)
        changes["target_sectors"] = read.known(
            typed.sectors,
            [s.id for s in agency.sectors],
            "sector",
            "sectors",
            lambda word: f"--sector: unknown sector {word!r} (known: {known})",
        )
    if typed.size_classes is not None:
        try:
            changes["target_size_classes"] = tuple(read_size_classes(typed.size_classes))
        except UnknownSizeClass as exc:
            read.refuse(f"--size-class: {exc}", "size_class", "size_classes", word=exc.word)
    if typed.target_kecamatan is not None:
        changes["target_districts"] = tuple(
            read.kecamatan("--target-kecamatan", "target_kecamatan", item) for item in typed.target_kecamatan
        )
    if typed.open_to_public is not None:
        changes["open_to_public"] = typed.open_to_public
    if typed.description is not None:
        changes["description"] = typed.description.strip() or None
    if whole:
        _whole_place(read, venue, online, changes)
    if read.problems:
        raise PlanInvalid(read.problems)
    return changes


def _whole_place(read: _Reader, venue: str | None, online: str | None, changes: dict[str, Any]) -> None:
    """A new training (or a form's whole training) has a venue with its kecamatan, or a link."""
    if venue is None and online is None:
        read.refuse("give --venue TEXT --kecamatan CODE, or --online URL", "place_missing", "venue")
    if venue is not None and online is not None:
        read.refuse("--venue and --online exclude each other", "place_both", "online")
    changes.setdefault("venue", None)
    changes.setdefault("online_url", None)
    changes.setdefault("district_code", None)


def _number(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None
