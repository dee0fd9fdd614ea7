"""Sample values for the officer commands' templates (messages/templates/<locale>/officer/)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from handlers.broadcasts.progress import Figures, progress_values
from tests.messages.refusal_samples import OFFICER_REFUSALS

FIGURES = Figures(total=10, sent=6, failed=1, unreachable=1, cancelled=0, waiting=2)
AUDIENCE = {"total": 12, "per_channel": [("telegram", 2), ("whatsapp", 10)]}
OFFICER_SAMPLES: dict[str, dict[str, Any]] = {
    "officer/broadcast/audience": AUDIENCE,
    "officer/broadcast/progress": progress_values(FIGURES, 4.0),
    "officer/broadcast/queued": {"id": 3},
    "officer/broadcast/status": {
        "id": 3,
        "template": None,
        "created_at": datetime(2026, 3, 1, 1, 30, tzinfo=UTC),
        "filters": [("kecamatan", "63.72.02")],
        **AUDIENCE,
        "progress": "[####] 60%",
        "errors": [("blocked", 2)],
    },
    "officer/nib_queue/count": {"count": 2},
    "officer/nib_queue/done": {"reg_no": "BJB-2026-000001"},
    "officer/owners/export_progress": {"count": 1000},
    "officer/owners/exported": {"count": 2, "path": "pelaku.xlsx"},
    "officer/export/format_differs": {"name": "data.csv", "format": "xlsx"},
    "officer/owners/listed": {"count": 2},
    "officer/owners/corrected": {"reg_no": "BJB-2026-000001", "status": "Tutup", "nib_verified": True},
    "officer/db/backed_up": {"path": "umkm-2026-11-25.sqlite3", "size": 12_345_678},
    "officer/db/restored": {"path": "umkm-2026-11-25.sqlite3"},
    "officer/import/missing_column": {"column": "NIK", "names": "nik, no nik, nomor nik"},
    "officer/import/unknown_sheet": {"sheet": "Data", "sheets": ["Sheet1", "UMKM"]},
    "officer/import/reason": {
        "key": "nik_registered",
        "values": {"reg_no": "BJB-2026-000001", "fields": ["KBLI"]},
    },
    "officer/import/progress": {"read": 10000},
    "officer/import/summary": {
        "read": 10,
        "added": 6,
        "updated": 1,
        "unchanged": 1,
        "rejected": 2,
        "dry_run": True,
        "report": "laporan.xlsx",
    },
    "officer/import/invited": {"reached": 12, "queued": 10, "dry_run": False},
    "officer/update_round/opened": {"id": 1, "deadline": date(2026, 3, 31), "invited": 40},
    "officer/update_round/stats_title": {"id": 1, "deadline": date(2026, 3, 31), "closed": False},
    "officer/update_round/summary": {
        "active": 3,
        "closed": 1,
        "no_response": 0,
        "waiting": 2,
        "names": {
            "active": "aktif",
            "closed": "tidak aktif",
            "no_response": "tidak merespons",
            "waiting": "belum menjawab",
        },
    },
}
# The refusals: the first case of each (tests/messages/test_officer_refusals.py renders them all).
OFFICER_SAMPLES.update({name: cases[0] for name, cases in OFFICER_REFUSALS.items()})
