"""Progress of an outbox job: counts, rate and ETA (pure); the officer template words it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from storage.models.outbox import CANCELLED, FAILED, LEASED, PENDING, SENT, UNREACHABLE

BAR_WIDTH = 24


@dataclass(frozen=True, slots=True)
class Figures:
    total: int
    sent: int
    failed: int
    unreachable: int
    cancelled: int
    waiting: int

    @classmethod
    def of(cls, counts: dict[str, int]) -> Figures:
        return cls(
            total=sum(counts.values()),
            sent=counts.get(SENT, 0),
            failed=counts.get(FAILED, 0),
            unreachable=counts.get(UNREACHABLE, 0),
            cancelled=counts.get(CANCELLED, 0),
            waiting=counts.get(PENDING, 0) + counts.get(LEASED, 0),
        )

    @property
    def done(self) -> bool:
        return self.waiting == 0


@dataclass
class RateMeter:
    """Messages per second over the last `window` seconds of samples."""

    window: float = 10.0
    _samples: deque[tuple[float, int]] = field(default_factory=deque)

    def add(self, at: float, sent: int) -> float | None:
        self._samples.append((at, sent))
        while len(self._samples) > 2 and at - self._samples[0][0] > self.window:
            self._samples.popleft()
        first_at, first_sent = self._samples[0]
        if at - first_at <= 0:
            return None
        return (sent - first_sent) / (at - first_at)


def duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_values(figures: Figures, rate: float | None) -> dict[str, Any]:
    """What the `broadcast/progress` officer template shows: a bar, counts, rate and ETA. The
    share done and the rate are numbers: the template writes them in the officer's language."""
    finished = figures.total - figures.waiting
    share = finished / figures.total if figures.total else 1.0
    filled = int(share * BAR_WIDTH)
    eta = duration(figures.waiting / rate) if rate and figures.waiting and rate > 0 else None
    return {
        "bar": "#" * filled + "-" * (BAR_WIDTH - filled),
        "share": share,
        "figures": figures,
        "rate": rate,
        "eta": eta,
    }
