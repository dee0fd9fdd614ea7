"""Sample values for the registration templates (merged into `samples.SAMPLES`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

DETAILS: dict[str, Any] = {
    "full_name": "Siti Aminah",
    "nik_masked": "6372********0003",
    "phone": "0812-3456-7890",
    "business_name": "Warung Bu Tini",
    "sector_name": "Kuliner",
    "kbli": "56101",
    "district_name": "Landasan Ulin",
    "village_name": "Guntung Payung",
    "street": "Jl. A. Yani Km. 5",
    "year_started": 2019,
    "workers": 3,
    "annual_sales": 150_000_000,
    "capital": 20_000_000,
    "size_class": "micro",
    "nib": None,
    "nib_help": True,
}
REGISTRATION_SAMPLES: dict[str, dict[str, Any]] = {
    "registration/consent": {"version": "2026-11-v1", "confirming": True},
    "registration/confirm_greeting": {"full_name": "Siti Aminah", "business_name": "Warung Bu Tini"},
    "registration/confirmed": {"reg_no": "BJB-2026-000001", "changed": 1, "nib_help": True},
    "registration/ask_nik_confirm": {
        "nik_masked": "6372********0003",
        "province": "Kalimantan Selatan",
        "regency": "Kota Banjarbaru",
        "district": "Landasan Ulin",
        "region_unknown": True,
        "birth_date": date(1990, 1, 5),
        "sex": "P",
    },
    "registration/ask_phone": {"has_own": True},
    "registration/choice_own_phone": {"phone": "0812-3456-7890"},
    "registration/ask_village": {"district_name": "Landasan Ulin"},
    "registration/ask_large_ack": {"size_class": "large"},
    "registration/details": DETAILS,
    "registration/summary": DETAILS,
    "registration/profile": {
        **DETAILS,
        "nib": "1234567890123",
        "nib_verified": False,
        "status": "closed",
        "reg_no": "BJB-2026-000001",
        "registered_at": datetime(2026, 11, 22, 1, 0, tzinfo=UTC),
        "consent_at": datetime(2026, 11, 22, 1, 0, tzinfo=UTC),
    },
    "registration/done": {"reg_no": "BJB-2026-000001", "size_class": "micro", "nib_help": True},
    "registration/updated": {"reg_no": "BJB-2026-000001", "changed": 2, "nib_help": True},
    "registration/status_set": {"status": "closed", "reason": "Pindah usaha", "reg_no": "BJB-2026-000001"},
    "registration/nib_verified": {"nib": "1234567890123", "reg_no": "BJB-2026-000001"},
}
