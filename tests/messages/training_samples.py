"""Sample values for the trainings' templates (messages/templates/<locale>/trainings/ and
officer/trainings/)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from handlers.dashboard.charts import bar_chart
from handlers.trainings.stats import Ratings
from storage.repositories.training_reports import TrainingFigures

STARTS = datetime(2026, 3, 14, 1, 0, tzinfo=UTC)  # Sabtu 14 Maret 2026, 09.00 WITA
TRAINING: dict[str, Any] = {
    "id": 12,
    "title": "Sablon kaos untuk pemula",
    "topic": {"id": "Sablon", "en": "Screen printing"},
    "description": "Membuat desain dan menyablon kaos sendiri.",
    "starts_at": STARTS,
    "ends_at": datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
    "deadline": datetime(2026, 3, 12, 8, 0, tzinfo=UTC),
    "venue": "Aula Diskopumnaker",
    "district": "Banjarbaru Selatan",
    "online_url": None,
    "capacity": 30,
    "seats_left": 3,
    "cancelled": False,
    "open": True,
    "waiting": 0,
}
MINE = {
    "status": "waiting",
    "ended": None,
    "position": 3,
    "until": datetime(2026, 3, 13, 1, 0, tzinfo=UTC),
    "attended": False,
    "rating": None,
    "cancel_reason": None,
}
WITH_TRAINING = {"training": TRAINING}
SIGNUP = {"training": TRAINING, "mine": MINE, "outcome": "waiting"}
CHECKIN = {"training": TRAINING, "left": 3}

TRAINING_SAMPLES: dict[str, dict[str, Any]] = {
    "trainings/when_where": WITH_TRAINING,
    "trainings/status_line": {"mine": MINE},
    "trainings/ask_training": {"count": 4, "page": 1, "pages": 1},
    "trainings/choice_training": {"title": TRAINING["title"], "starts_at": STARTS},
    "trainings/details": {"training": TRAINING, "mine": MINE},
    "trainings/ask_district": {"page": 1, "pages": 2},
    "trainings/public_summary": {
        "title": TRAINING["title"],
        "full_name": "Siti Aminah",
        "phone": "0812-3456-7890",
        "district_name": "Landasan Ulin",
    },
    **{
        f"trainings/signup_{o}": SIGNUP
        for o in ("confirmed", "waiting", "already", "closed", "not_open", "phone_taken")
    },
    "trainings/ask_mine": {"page": 1, "pages": 1},
    "trainings/choice_mine": {
        "title": TRAINING["title"],
        "starts_at": STARTS,
        "status": "confirmed",
        "attended": False,
    },
    "trainings/my_details": {"training": TRAINING, "mine": MINE},
    "trainings/choice_withdraw": {"status": "waiting"},
    "trainings/choice_rating": {"rating": 4},
    **{
        f"trainings/{name}": WITH_TRAINING
        for name in (
            "kept",
            "withdrawn",
            "offer_accepted",
            "offer_gone",
            "offer_declined",
            "offer_none",
            "feedback_thanks",
            "offer_lapsed",
            "feedback_request",
            "certificate_sent",
        )
    },
    **{
        f"trainings/checkin_{o}": CHECKIN
        for o in ("checked_in", "wrong_code", "locked", "closed", "already", "not_confirmed", "none_open")
    },
    "trainings/ask_code": WITH_TRAINING,
    "errors/checkin_wrong_code": {"left": 2},
    "trainings/announcement": WITH_TRAINING,
    "trainings/reminder": {"training": TRAINING, "slot": "1d"},
    "trainings/offer": {"training": TRAINING, "until": datetime(2026, 3, 13, 1, 0, tzinfo=UTC)},
    "trainings/changed": {"training": TRAINING, "changed": ["starts_at", "ends_at"]},
    "trainings/cancelled": {"training": TRAINING, "reason": "Narasumber berhalangan"},
    "trainings/certificate": {
        "training": TRAINING,
        "name": "Siti Aminah",
        "number": "BJB-PLT12-57-K7QF",
        "issued": datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
    },
    # Officers
    "officer/trainings/added": WITH_TRAINING,
    "officer/trainings/edited": {
        "training": TRAINING,
        "changed": ["waktu mulai", "jumlah kursi"],
        "notified": 25,
        "offered": 2,
        "moved": True,
    },
    "officer/trainings/cancelled": {"training": TRAINING, "notified": 31},
    "officer/trainings/announced": {"training": TRAINING, "queued": 1200, "targeted": 1350},
    "officer/trainings/listed": {"count": 4},
    "officer/trainings/show": {
        "training": TRAINING,
        "topic_id": "sablon",
        "status": "scheduled",
        "cancel_reason": None,
        "public": True,
        "targeting": {"sectors": ["fesyen"], "size_classes": [], "districts": ["63.72.01"]},
        "counts": {"confirmed": 27, "waiting": 4},
        "attended": 0,
        "announced_at": datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        "targeted": 1350,
    },
    "officer/trainings/exported": {"count": 31, "path": "peserta.xlsx"},
    "officer/trainings/participants_sheet": {"id": 12},
    "officer/trainings/listed_participants": {"count": 31},
    "officer/trainings/checkin_code": {
        "training": TRAINING,
        "day": date(2026, 3, 14),
        "code": "4821",
        "opens": datetime(2026, 3, 14, 0, 0, tzinfo=UTC),
        "closes": datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
    },
    "officer/trainings/checked_in": {"id": 12, "name": "Siti Aminah", "who": "BJB-2026-000001"},
    "officer/trainings/certificate_resent": {"id": 12, "name": "Siti Aminah"},
    "officer/trainings/certificate_written": {"number": "BJB-PLT12-57-K7QF", "path": "sertifikat.pdf"},
    "officer/trainings/stats_title": {"year": 2026},
    "officer/trainings/year_out_of_range": {"year": 20266, "first": 2000, "last": 2100},
    "officer/trainings/average_rating": {"average": 4.25},
    "officer/trainings/stats_summary": {
        "year": 2026,
        "attended": 140,
        "people": 120,
        "target": 500,
        "cancelled": 1,
    },
}

# The dashboard's Pelatihan pages ---------------------------------------------------------------

LAYOUT: dict[str, Any] = {
    "nav": [{"label": "Pelatihan", "href": "/dashboard/trainings", "active": True}],
    "officer": SimpleNamespace(username="ani", role="officer", courier_name=None, is_admin=False),
    "csrf": "token",
    "notices": [],
}
SHOWN: dict[str, Any] = {
    **TRAINING,
    "topic_name": "Sablon",
    "state": "upcoming",
    "status": "scheduled",
    "cancel_reason": "Narasumber berhalangan",
    "public": True,
    "sectors": ["Kuliner"],
    "sizes": ["Mikro"],
    "districts": ["Landasan Ulin"],
    "announced_at": STARTS,
    "targeted": 120,
    "created_at": STARTS,
    "created_by": "dashboard:ani",
    "figures": TrainingFigures(12, 32, 27, 1, 4, 0, 0, 0, 0),
}
FORM: dict[str, Any] = {
    "title": "Sablon kaos",
    "topic": "sablon",
    "starts": "2026-03-14T09:00",
    "ends": "2026-03-14T16:00",
    "deadline": "",
    "capacity": "30",
    "venue": "Aula",
    "kecamatan": "63.72.02",
    "online": "",
    "description": "",
    "sectors": ["kuliner"],
    "size_classes": ["micro"],
    "target_kecamatan": ["63.72.02"],
    "open_to_public": True,
}
FORM_VALUES: dict[str, Any] = {
    "form": FORM,
    "errors": {"title": "Tulis judul pelatihan."},
    "error": "Pelatihan tidak ditemukan.",
    "topics": [("sablon", "Sablon")],
    "district_options": [("63.72.02", "Landasan Ulin")],
    "sector_options": [("kuliner", "Kuliner")],
    "size_options": [("micro", "Mikro")],
}
PERSON: dict[str, Any] = {
    "no": 3,
    "name": "Siti Aminah",
    "phone": "0812-3456-7890",
    "reg_no": None,
    "public": True,
    "district": "Landasan Ulin",
    "status": "antre",
    "position": 1,
    "offer_until": STARTS,
    "signed_up_at": STARTS,
    "attended_at": STARTS,
    "by_self": False,
    "rating": 5,
}
FIGURES = SimpleNamespace(
    trainings=2,
    targeted=40,
    announced=38,
    signed_up=30,
    waiting=2,
    attended=25,
    no_shows=3,
    average_rating=4.5,
)
PAGER = {"first_page": "/dashboard/trainings", "next_page": "/dashboard/trainings?after=3"}
TRAINING_SAMPLES.update(
    {
        "dashboard/trainings/list": {
            **LAYOUT,
            **FORM_VALUES,
            **PAGER,
            "trainings": [SHOWN],
            "past": True,
        },
        "dashboard/trainings/plan_fields": FORM_VALUES,
        "dashboard/trainings/edit": {**LAYOUT, **FORM_VALUES, "training": SHOWN},
        "dashboard/trainings/details": {"training": SHOWN},
        "dashboard/trainings/training": {
            **LAYOUT,
            **PAGER,
            "training": SHOWN,
            "counts": {"confirmed": 27, "waiting": 4},
            "attended": 0,
            "which": "waiting",
            "people": [PERSON],
        },
        "dashboard/trainings/announce": {
            **LAYOUT,
            "training": SHOWN,
            "per_channel": [("telegram", 2), ("whatsapp", 8)],
            "total": 10,
            "preview": "Pelatihan: Sablon",
        },
        "dashboard/trainings/checkin_code": {
            "training": SHOWN,
            "code": "4821",
            "today": date(2026, 3, 14),
            "days": None,
            "opens": STARTS,
            "refresh": 60,
        },
        "dashboard/trainings/attendance": {
            **LAYOUT,
            **PAGER,
            "training": SHOWN,
            "confirmed": 27,
            "attended": 20,
            "people": [PERSON],
            "opens": STARTS,
        },
        "dashboard/trainings/feedback": {
            **LAYOUT,
            **PAGER,
            "training": SHOWN,
            "ratings": Ratings({5: 3, 4: 1}),
            "chart": bar_chart([("5", [3]), ("4", [1])]),
            "comments": [(1, 5, "Sangat bermanfaat", STARTS)],
        },
        "dashboard/trainings/stats": {
            **LAYOUT,
            "year": 2026,
            "groups": [("training", {"12 Sablon": FIGURES}, bar_chart([("12 Sablon", [25, 3, 2])]))],
            "titles": {"training": "Pelatihan"},
            "total": FIGURES,
            "people": 24,
            "target": 500,
            "cancelled": 1,
        },
        "dashboard/panels/trainings": {
            "coming": 2,
            "held": 28,
            "capacity": 60,
            "waiting": 4,
            "year": 2026,
            "attended": 25,
            "people": 24,
            "target": 500,
            "chart": bar_chart([("Sablon", [27, 3, 4])]),
        },
        "dashboard/panels/trainings_export": {**LAYOUT, "trainings": [("12", "Sablon", STARTS)]},
        "dashboard/notices/training_error": {"code": "kecamatan", "word": "Gambut"},
        "dashboard/notices/training_added": {"id": 12, "title": "Sablon"},
        "dashboard/notices/training_edited": {
            "id": 12,
            "changed": ["venue"],
            "notified": 3,
            "offered": 1,
            "moved": True,
        },
        "dashboard/notices/training_cancelled": {"id": 12, "notified": 3},
        "dashboard/notices/training_announced": {"id": 12, "queued": 8, "targeted": 10},
        "dashboard/notices/checked_in": {"name": "Siti Aminah", "who": "BJB-2026-000001"},
        "dashboard/notices/certificate_resent": {"name": "Siti Aminah", "who": "BJB-2026-000001"},
    }
)
