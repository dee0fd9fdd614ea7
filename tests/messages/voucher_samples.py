"""Sample values for the voucher templates (owner, courier and officer)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from handlers.dashboard.charts import bar_chart

AT = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
PROGRAM = SimpleNamespace(
    id=1,
    name="Gratis Ongkir UMKM",
    quota=500,
    max_ongkir=25_000,
    per_owner=1,
    period="month",
    valid_days=30,
    pause_reason="pembaruan data",
)
VALID = {
    "code": "ONG-7KQ4M-9XTRH",
    "first_name": "Siti",
    "business": "Warung Bu Tini",
    "program": "Gratis Ongkir UMKM",
    "max_ongkir": 25_000,
}
REFUSED: dict[str, Any] = {
    "reason": "paused",
    "program": "Gratis Ongkir UMKM",
    "pause_reason": "pembaruan data",
    "status": "inactive",
    "allowed": ["micro"],
    "per_owner": 1,
    "next": date(2027, 1, 1),
}
REDEEM_REFUSED: dict[str, Any] = {
    "reason": "redeemed",
    "at": AT,
    "resi": "JNE123456",
    "void_reason": "x",
    "program": "P",
    "ongkir": 30_000,
    "max_ongkir": 25_000,
    "until": AT,
}
#: A line of *Voucher saya* (`owner._shown`), an active one unless changed.
MINE: dict[str, Any] = {
    "code": "ONG-7KQ4M-9XTRH",
    "program": "P",
    "until": date(2026, 12, 31),
    "used_at": None,
    "resi": None,
    "state": "active",
    "void_reason": "",
    "paused": False,
}
VOUCHER_SAMPLES: dict[str, dict[str, Any]] = {
    "vouchers/issued": {
        "code": "ONG-7KQ4M-9XTRH",
        "program": "Gratis Ongkir UMKM",
        "courier": "JNE Banjarbaru",
        "max_ongkir": 25_000,
        "until": date(2026, 12, 31),
    },
    "vouchers/refused": REFUSED,
    "vouchers/choice_show_qr": {"code": "ONG-7KQ4M-9XTRH"},
    "vouchers/mine": {
        "active": [
            {**MINE, "code": "ONG-7KQ4M-9XTRH", "paused": True},
            {**MINE, "code": "ONG-EEEEE-FFFFF"},
        ],
        "used": [{**MINE, "code": "ONG-AAAAA-BBBBB", "state": "redeemed", "used_at": AT, "resi": "JNE1"}],
        "expired": [
            {**MINE, "code": "ONG-CCCCC-DDDDD", "state": "voided", "void_reason": "pembaruan data"},
            {**MINE, "code": "ONG-GGGGG-HHHHH", "state": "voided"},
            {**MINE, "code": "ONG-JJJJJ-KKKKK", "state": "ended"},
            {**MINE, "code": "ONG-MMMMM-NNNNN", "state": "expired", "until": date(2026, 10, 31)},
        ],
    },
    "vouchers/used_notice": {
        "code": "ONG-7KQ4M-9XTRH",
        "resi": "JNE123",
        "at": AT,
        "paid": 25_000,
        "ongkir": 30_000,
    },
    "vouchers/expiring": {"code": "ONG-7KQ4M-9XTRH", "until": date(2026, 12, 31)},
    "vouchers/resumed": {"program": "Gratis Ongkir UMKM"},
    "vouchers/closed_notice": {"program": "Gratis Ongkir UMKM"},
    "vouchers/voided_notice": {"program": "Gratis Ongkir UMKM", "reason": "Kuota dialihkan ke program baru."},
    "vouchers/courier_linked": {"courier": "JNE Banjarbaru"},
    "vouchers/ask_resi": VALID,
    "vouchers/ask_owner_pays_rest": VALID,
    "vouchers/redeem_summary": {**VALID, "resi": "JNE123", "ongkir": 30_000, "owner_pays_rest": True},
    "vouchers/receipt": {"code": "ONG-7KQ4M-9XTRH", "resi": "JNE123", "ongkir": 18_000, "paid": 18_000},
    "vouchers/redeem_refused": REDEEM_REFUSED,
    "errors/voucher_refused": REDEEM_REFUSED,
    "officer/vouchers/program_added": {"id": 1, "name": "Gratis Ongkir UMKM"},
    "officer/vouchers/report_sheet": {"month": "2026-03"},
    "officer/vouchers/program_paused": {"id": 1, "voided": 3, "told": 2},
    "officer/vouchers/program_resumed": {"id": 1, "told": 12},
    "officer/vouchers/program_closed": {"id": 1, "told": 2},
    "officer/vouchers/program_line": {
        "program": PROGRAM,
        "status": "Berjalan",
        "courier": "JNE",
        "counts": {"issued": 3, "redeemed": 1, "active": 2},
    },
    "officer/vouchers/redeemed": {"code": "ONG-7KQ4M-9XTRH", "resi": "JNE123", "paid": 18_000},
    "officer/vouchers/report_written": {
        "path": "r.xlsx",
        "month": "2026-12",
        "totals": SimpleNamespace(redemptions=2, ongkir=40_000, paid=35_000),
    },
    "officer/vouchers/courier_code": {"courier": "JNE Banjarbaru", "code": "7Q2K9XMP"},
    "officer/vouchers/courier_removed": {"courier": "JNE Banjarbaru", "revoked": 2},
}

# The dashboard's Voucher pages and the courier's scan page ----------------------------------

COUNTS = {"issued": 4, "redeemed": 1, "voided": 0, "expired": 1, "ended": 1, "active": 1}
DASHBOARD_PROGRAM = SimpleNamespace(
    **vars(PROGRAM),
    status="paused",
    size_classes=["micro"],
    districts=["63.72.02"],
    requires_current_data=True,
    created_at=AT,
    created_by="dashboard:ani",
)
COURIER = SimpleNamespace(id=1, name="JNE Banjarbaru")
LAYOUT: dict[str, Any] = {
    "nav": [{"label": "Voucher", "href": "/dashboard/vouchers", "active": True}],
    "officer": SimpleNamespace(username="ani", role="admin", courier_name=None, is_admin=True),
    "csrf": "token",
    "notices": [],
}
STATUSES = {"open": "Berjalan", "paused": "Dihentikan sementara", "closed": "Berakhir"}
SIZES = {"micro": "Mikro", "small": "Kecil"}
SCAN: dict[str, Any] = {
    **LAYOUT,
    "state": "valid",
    "code": "ONG-7KQ4M-9XTRH",
    "voucher": VALID,
    "refusal": "Ongkir Rp30.000 di atas batas program Rp25.000.",
    "receipt": None,
    "form": {"resi": "JNE123", "ongkir": "30rb"},
    "owner_pays_rest": False,
    "errors": ["resi", "ongkir"],
}
VOUCHER_SAMPLES.update(
    {
        "dashboard/vouchers/programs": {
            **LAYOUT,
            "programs": [SimpleNamespace(program=DASHBOARD_PROGRAM, courier="JNE", counts=COUNTS)],
            "couriers": [(COURIER, 2)],
            "statuses": STATUSES,
            "sizes": SIZES,
            "size_order": ("micro", "small"),
            "districts": [("63.72.02", "Landasan Ulin")],
            "periods": ["month", "week", "program"],
            "month": "2026-12",
            "form": {
                "name": "Gratis Ongkir",
                "courier": "JNE Banjarbaru",
                "quota": "500",
                "per_owner": "1",
                "period": "month",
                "max_ongkir": "25rb",
                "valid_days": "30",
                "sizes": ["micro"],
                "kecamatan": ["63.72.02"],
                "requires_current_data": True,
            },
            "error": "Kuota minimal 1.",
        },
        "dashboard/vouchers/program": {
            **LAYOUT,
            "program": DASHBOARD_PROGRAM,
            "courier": "JNE Banjarbaru",
            "counts": COUNTS,
            "statuses": STATUSES,
            "sizes": SIZES,
            "districts": {"63.72.02": "Landasan Ulin"},
            "vouchers": [
                {
                    "code": "ONG-7KQ4M-9XTRH",
                    "district": "Landasan Ulin",
                    "size": "micro",
                    "issued_at": AT,
                    "valid_until": date(2026, 12, 31),
                    "redeemed_at": AT,
                    "resi": "JNE123",
                    "ongkir": 30_000,
                    "paid": 25_000,
                    "state": "redeemed",
                },
                {
                    "code": "ONG-AAAAA-BBBBB",
                    "district": "Landasan Ulin",
                    "size": "micro",
                    "issued_at": AT,
                    "valid_until": date(2026, 12, 31),
                    "redeemed_at": None,
                    "resi": None,
                    "ongkir": None,
                    "paid": None,
                    "state": "ended",
                },
            ],
            "redeemed_only": True,
            "first_page": "/dashboard/vouchers/1?show=redeemed",
            "next_page": "/dashboard/vouchers/1?show=redeemed&before=1",
            "month": "2026-12",
        },
        "dashboard/vouchers/courier_code": {**LAYOUT, "courier": "JNE Banjarbaru", "code": "7Q2K9XMP"},
        "dashboard/vouchers/scan": SCAN,
        "dashboard/panels/vouchers": {
            "programs": 2,
            "open": 1,
            "issued": 3,
            "redeemed_month": 1,
            "paid_month": 25_000,
            "chart": bar_chart([("Gratis Ongkir UMKM", [1, 1, 1])]),
        },
        "dashboard/panels/vouchers_export": {
            **LAYOUT,
            "couriers": [("1", "JNE Banjarbaru")],
            "month": "2026-12",
        },
        "dashboard/notices/voucher_error": {"code": "at_least_one", "field": "quota"},
        "dashboard/notices/program_added": {"id": 1, "name": "Gratis Ongkir UMKM"},
        "dashboard/notices/program_paused": {"id": 1, "voided": 3, "told": 2},
        "dashboard/notices/program_resumed": {"id": 1, "told": 12},
        "dashboard/notices/program_closed": {"id": 1, "told": 2},
        "dashboard/notices/courier_removed": {"courier": "JNE Banjarbaru", "revoked": 2},
    }
)
