"""Sample values for every template that takes any, so each can be rendered in both locales.

A template that needs values and has none here fails `test_templates`: add its samples.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tests.messages.dashboard_samples import DASHBOARD_SAMPLES
from tests.messages.officer_samples import OFFICER_SAMPLES
from tests.messages.outbox_samples import OUTBOX_SAMPLES
from tests.messages.registration_samples import REGISTRATION_SAMPLES
from tests.messages.training_samples import TRAINING_SAMPLES
from tests.messages.voucher_samples import VOUCHER_SAMPLES

FORM_PAGE = {"page": 1, "pages": 2}
SAMPLES: dict[str, dict[str, Any]] = {
    "menu/main": {"greet": True, "has_draft": True},
    "form/pick_field": FORM_PAGE,
    "form/resume": {"form": "registration"},
    "errors/nik_province": {"code": "99"},
    "errors/business_name_format": {"problem": "symbol", "symbol": "<"},
    "errors/address_format": {"problem": "symbol", "symbol": "<"},
    "linking/offer": {"phone": "+6281234567890"},
}
SAMPLES.update(REGISTRATION_SAMPLES)
SAMPLES.update(OUTBOX_SAMPLES)
SAMPLES.update(OFFICER_SAMPLES)
SAMPLES.update(VOUCHER_SAMPLES)
SAMPLES.update(DASHBOARD_SAMPLES)
SAMPLES.update(TRAINING_SAMPLES)

# Values any template may be given on top of its own.
COMMON: dict[str, Any] = {
    "answers": {},
    "shown": {},
    "has_current": False,
    "page": 1,
    "pages": 1,
    "today": date(2026, 11, 22),
    "now": datetime(2026, 11, 22, 1, 0, tzinfo=UTC),
}
