"""Sample values for the outbox's templates: broadcasts and data-update rounds (pembaruan data)."""

from __future__ import annotations

from datetime import date
from typing import Any

SUMMARY = {
    "running": True,
    "reason": None,
    "street": "Jl. A. Yani km 33",
    "village_name": "Loktabat Utara",
    "district_name": "Banjarbaru Utara",
    "workers": 3,
    "annual_sales": 120_000_000,
    "capital": 25_000_000,
    "nib": None,
}

OUTBOX_SAMPLES: dict[str, dict[str, Any]] = {
    "broadcast/text": {"text": "Pelatihan pemasaran digital, Senin 9 Maret di aula Dinas."},
    "update_round/ask_still_running": {"deadline": date(2026, 3, 31)},
    "update_round/invitation": {"deadline": date(2026, 3, 31), "note": "Untuk program gratis ongkir 2026"},
    "update_round/reminder": {"deadline": date(2026, 3, 31)},
    "update_round/summary": SUMMARY,
}
