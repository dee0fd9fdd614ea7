"""Sample values for the dashboard's pages (messages/templates/<locale>/dashboard/)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from handlers.broadcasts.progress import Figures
from handlers.dashboard.charts import bar_chart, column_chart
from handlers.pages import SignedIn
from handlers.update_round.report import OUTCOMES, RoundMessages, round_report
from storage.models import Broadcast, OfficerAccount, UpdateRound
from storage.repositories.update_rounds import StatsRow

AT = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
LAYOUT: dict[str, Any] = {
    "nav": [{"label": "Ringkasan", "href": "/dashboard", "active": True}],
    "officer": SignedIn(1, "admin", "admin"),
    "csrf": "token",
    "notices": [{"text": "Status diubah.", "error": False}],
}
SIZES = {"micro": "Mikro", "small": "Kecil", "medium": "Menengah"}
STATUSES = {"active": "Aktif", "inactive": "Tidak aktif", "closed": "Tutup", "unknown": "Belum diketahui"}
OPTIONS = {
    "districts": [("63.72.02", "Landasan Ulin")],
    "sectors": [("kuliner", "Kuliner")],
    "sizes": SIZES,
    "statuses": STATUSES,
    "size_order": ("micro", "small", "medium", "large"),
}
CHART = bar_chart([("Mikro", [10]), ("Kecil", [3])])
ROUND = UpdateRound(
    id=1, opened_at=AT, opened_by="officer:ani", deadline=date(2026, 3, 31), note="Mohon dijawab"
)
REPORT = round_report([StatsRow("active", "63.72.02", "micro", 3), StatsRow("waiting", None, None, 1)])
ROUND_FIGURES = {
    "round": ROUND,
    "report": REPORT,
    "messages": RoundMessages(invitations_sent=4, reminders_sent=2, waiting=1),
    "outcomes": OUTCOMES,
    "outcome_names": {
        "active": "aktif",
        "closed": "tutup",
        "no_response": "tak menjawab",
        "waiting": "menunggu",
    },
    "by_district": bar_chart([("63.72.02 Landasan Ulin", [3, 0, 0, 1])]),
    "by_size": bar_chart([("Mikro", [3, 0, 0, 1])]),
    "size_names": SIZES,
}
BROADCAST = Broadcast(id=3, created_at=AT, created_by="dashboard:ani", template=None, text="Halo", total=10)
COMPOSE = {
    "form": {
        "source": "text",
        "template": "",
        "text": "Halo",
        "kecamatan": "",
        "sector": "",
        "size": "",
        "status": "",
    },
    "templates": ["pembaruan_data"],
    **OPTIONS,
    "recent": [BROADCAST],
    "preview": {"counts": [("telegram", 2), ("whatsapp", 8)], "total": 10, "text": "Pengumuman"},
    "errors": {"text": "Teks pengumuman masih kosong."},
    "error": "Pilih isinya: teks sendiri atau templat.",
}
DASHBOARD_SAMPLES: dict[str, dict[str, Any]] = {
    "dashboard/layout": LAYOUT,
    "dashboard/login": {
        **LAYOUT,
        "login_csrf": "t",
        "error": "locked",
        "locked_until": AT,
        "next": "/dashboard",
        "username": "ani",
    },
    "dashboard/refused": {**LAYOUT, "csrf_missing": True},
    "dashboard/not_found": LAYOUT,
    "dashboard/overview": {**LAYOUT, "panels": ["<section>panel</section>"]},
    "dashboard/courier_home": {**LAYOUT, "courier_name": "JNE"},
    "dashboard/downloads": {**LAYOUT, "panels": []},
    "dashboard/accounts": {
        **LAYOUT,
        "roles": ("admin", "officer", "courier"),
        "role_names": {"admin": "admin", "officer": "petugas", "courier": "kurir"},
        "accounts": [
            OfficerAccount(username="ani", role="admin", courier_name=None, last_login_at=AT),
            OfficerAccount(username="kurir1", role="courier", courier_name="JNE", disabled_at=AT),
        ],
        "couriers": ["JNE"],
        "form": {"username": "kurir2", "role": "courier", "courier": "JNE"},
        "errors": {"password": "Kata sandi minimal 10 karakter."},
        "error": "Nama pengguna itu sudah dipakai.",
    },
    "dashboard/audit": {
        **LAYOUT,
        "entries": [
            {
                "at": AT,
                "actor": "dashboard:ani",
                "action": "Data pemilik dilihat",
                "subject": "owner:1",
                "details": [("rows", 2), ("public", True), ("comment", False)],
            }
        ],
        "filters": {"actor": "", "action": "owner.viewed", "subject": ""},
        "actions": [("owner.viewed", "Data pemilik dilihat")],
        "next_page": "/dashboard/audit?before=1",
        "first_page": "/dashboard/audit",
    },
    "dashboard/owners/list": {
        **LAYOUT,
        **OPTIONS,
        "owners": [
            {
                "id": 1,
                "reg_no": "BJB-2026-000001",
                "name": "Siti",
                "business": "Warung Siti",
                "district": "Landasan Ulin",
                "size": "micro",
                "status": "active",
                "registered_at": AT,
            }
        ],
        "total": 1,
        "filters": {"kecamatan": "", "sector": "kuliner", "size": "", "status": ""},
        "filtered": True,
        "search": "siti",
        "first_page": "/dashboard/owners",
        "next_page": "/dashboard/owners?before=1",
    },
    "dashboard/owners/detail": {
        **LAYOUT,
        **OPTIONS,
        "owner": {
            "id": 1,
            "reg_no": "BJB-2026-000001",
            "name": "Siti",
            "nik": "6372********0003",
            "nik_revealed": False,
            "phone": "0812-3456-7890",
            "registered_at": AT,
            "consent_at": AT,
        },
        "business": {
            "name": "Warung Siti",
            "sector": "Kuliner",
            "kbli": "56101",
            "district": "Landasan Ulin",
            "village": "Guntung Payung",
            "street": "Jl. A. Yani",
            "year_started": 2019,
            "workers": 2,
            "annual_sales": 90_000_000,
            "capital": 20_000_000,
            "size": "micro",
            "nib": "1234567890123",
            "nib_verified": False,
            "status": "active",
        },
        "nib_help_open": True,
        "officer_statuses": ["active", "inactive", "closed"],
        "status_form": {"status": "closed", "reason": "", "error": "Tulis alasannya dalam beberapa kata."},
    },
    "dashboard/owners/nib_queue": {
        **LAYOUT,
        "entries": [
            {
                "owner_id": 1,
                "reg_no": "BJB-2026-000001",
                "since": AT,
                "name": "Siti",
                "phone": "0812-3456-7890",
                "business": "Warung Siti",
                "district": "Landasan Ulin",
            }
        ],
        "total": 1,
        "first_page": None,
        "next_page": "/dashboard/nib-queue?after=1",
    },
    "dashboard/panels/registration": {
        "total": 13,
        "waiting_nib": 1,
        "by_size": CHART,
        "by_status": CHART,
        "by_sector": CHART,
        "by_district": CHART,
        "weekly": column_chart([("05/01", 3), ("12/01", 5)]),
        "weekly_total": 8,
    },
    "dashboard/panels/owners_export": {**LAYOUT, **OPTIONS, "can_export_nik": True},
    "dashboard/panels/update_round": ROUND_FIGURES,
    "dashboard/panels/update_round_export": {**LAYOUT, "rounds": [ROUND]},
    "dashboard/update_round/progress": ROUND_FIGURES,
    "dashboard/update_round/rounds": {
        **LAYOUT,
        "rounds": [ROUND],
        "current": None,
        "today": date(2026, 3, 1),
        "figures": ROUND_FIGURES,
    },
    "dashboard/broadcasts/compose": {**LAYOUT, **COMPOSE},
    "dashboard/broadcasts/progress": {
        **LAYOUT,
        "broadcast": BROADCAST,
        "figures": Figures(total=10, sent=6, failed=1, unreachable=1, cancelled=0, waiting=2),
        "share": 0.8,
        "rate": 4.0,
        "eta": "0:01",
        "errors": [("blocked", 1)],
        "filters": [("kecamatan", "63.72.02")],
        "audience": [("whatsapp", 10)],
    },
    "dashboard/notices/status_set": {"status": "Tutup"},
    "dashboard/notices/nib_help_done": {"reg_no": "BJB-2026-000001"},
    "dashboard/notices/round_opened": {"id": 1, "invited": 40},
    "dashboard/notices/no_such_round": {"round": "99"},
    "dashboard/notices/broadcast_queued": {"id": 3, "total": 10},
    "dashboard/notices/account_error": {"code": "password_short"},
    "dashboard/notices/broadcast_error": {"code": "text_long", "length": 4000, "most": 3500, "name": "x"},
    "dashboard/notices/account_added": {"username": "ani"},
    "dashboard/notices/account_disabled": {"username": "ani"},
    "dashboard/notices/password_reset": {"username": "ani"},
    "officer/accounts/count": {"count": 2},
    "officer/accounts/add": {"username": "ani", "role": "petugas"},
    "officer/accounts/disable": {"username": "ani"},
    "officer/accounts/reset_password": {"username": "ani"},
}
