"""Sample values for the trainings' templates (messages/templates/<locale>/trainings/ and
officer/trainings/)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

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
        "changed": ["starts_at", "capacity"],
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
    "officer/trainings/stats_summary": {
        "year": 2026,
        "attended": 140,
        "people": 120,
        "target": 500,
        "cancelled": 1,
    },
}
