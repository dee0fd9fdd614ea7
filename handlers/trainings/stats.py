"""A year of trainings in figures, per training, per topic and per kecamatan (of the venue; "daring"
for online ones), the year's attendance against the agency's target, and one training's ratings.
Anonymous: it counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

from handlers.agency import AgencyProfile
from handlers.trainings.kinds import key
from handlers.trainings.rules import RATINGS
from storage.models.trainings import SCHEDULED, Training
from storage.repositories import Transaction
from storage.repositories.training_reports import TrainingFigures

ONLINE = "online"


@dataclass(slots=True)
class Figures:
    """What the officer reads for one training or a group of them."""

    trainings: int = 0
    targeted: int = 0
    announced: int = 0
    signed_up: int = 0
    waiting: int = 0
    attended: int = 0
    no_shows: int = 0
    rating_sum: int = 0
    ratings: int = 0

    def add(self, other: Figures) -> None:
        for figure in fields(self):
            setattr(self, figure.name, getattr(self, figure.name) + getattr(other, figure.name))

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None


@dataclass(slots=True)
class YearStats:
    year: int
    target: int | None
    per_training: list[tuple[Training, Figures]] = field(default_factory=list)
    per_topic: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    per_district: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    total: Figures = field(default_factory=Figures)
    people_attended: int = 0
    cancelled: int = 0


def figures_of(training: Training, counted: TrainingFigures, announced: int, now: datetime) -> Figures:
    ended = training.ends_at <= now
    return Figures(
        trainings=1,
        targeted=training.targeted or 0,
        announced=announced,
        signed_up=counted.signed_up,
        waiting=counted.waiting,  # in the queue, as the list counts it (an offer holds a seat)
        attended=counted.attended,
        no_shows=counted.confirmed - counted.attended if ended else 0,
        rating_sum=counted.rating_sum,
        ratings=counted.ratings,
    )


#: The years the figures can be asked for: a typo (20266, 0, 9999) is refused, never read as
#: another year (nor as one the calendar cannot hold).
YEARS = range(2000, 2101)


def is_report_year(year: int) -> bool:
    return year in YEARS


async def _held(tx: Transaction, agency: AgencyProfile, year: int) -> tuple[list[Training], int]:
    """The year's trainings that were not cancelled (by their start, in the agency's time), and
    how many were."""
    zone = agency.time_zone
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    trainings = await tx.trainings.listing(starts_from=start, until=end)
    held = [t for t in trainings if t.status == SCHEDULED]
    return held, len(trainings) - len(held)


async def year_stats(tx: Transaction, agency: AgencyProfile, year: int, now: datetime) -> YearStats:
    stats = YearStats(year, agency.training_target)
    held, stats.cancelled = await _held(tx, agency, year)
    counted = await tx.trainings.figures([t.id for t in held])
    for training in held:
        # One count of the outbox per training, as long as its audience: for the statistics
        # page and command, not for the Ringkasan (`year_attendance`).
        announced = await tx.trainings.announced(key(training.id, "announce:"))
        figures = figures_of(training, counted[training.id], announced, now)
        stats.per_training.append((training, figures))
        stats.per_topic[training.topic].add(figures)
        stats.per_district[training.district_code or ONLINE].add(figures)
        stats.total.add(figures)
    stats.people_attended = await tx.trainings.people_attended([t.id for t in held])
    return stats


@dataclass(frozen=True, slots=True)
class Attendance:
    """The year's attendance against the target, as the Ringkasan shows it."""

    year: int
    target: int | None
    trainings: int  # held (not cancelled)
    attended: int  # check-ins, summed over the trainings
    people: int  # different people who attended


async def year_attendance(tx: Transaction, agency: AgencyProfile, year: int) -> Attendance:
    """`year_stats`' attendance figures alone: two grouped queries, whatever the announcements'
    audiences (`year_stats` counts each training's sent announcements in the outbox)."""
    held, _ = await _held(tx, agency, year)
    ids = [t.id for t in held]
    counted = await tx.trainings.figures(ids)
    attended = sum(figures.attended for figures in counted.values())
    return Attendance(
        year, agency.training_target, len(held), attended, await tx.trainings.people_attended(ids)
    )


@dataclass(frozen=True, slots=True)
class Ratings:
    """How many gave each rating (1-5) to one training."""

    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        return sum(r * n for r, n in self.counts.items()) / self.total if self.total else None

    def rows(self) -> list[tuple[int, int]]:
        """(rating, count) from 5 down to 1, zeros included."""
        return [(rating, self.counts.get(rating, 0)) for rating in reversed(RATINGS)]


async def ratings_of(tx: Transaction, training_id: int) -> Ratings:
    return Ratings(await tx.trainings.rating_counts(training_id))
