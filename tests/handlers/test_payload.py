"""A Reply stored in the outbox comes back the same."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from handlers.payload import reply_from_payload, reply_to_payload
from handlers.types import Attachment, Choice, Reply


def test_a_reply_round_trips_through_json() -> None:
    reply = Reply(
        "update_round/reminder",
        {"deadline": date(2026, 3, 31), "at": datetime(2026, 3, 2, 1, tzinfo=UTC), "n": 3, "names": ["a"]},
        choices=(Choice("ur:start", template="update_round/start_choice"), Choice("x", label="Lainnya")),
    )
    stored = json.loads(json.dumps(reply_to_payload(reply)))
    back = reply_from_payload(stored)
    assert back.template == reply.template
    assert dict(back.values) == dict(reply.values)
    assert list(back.choices) == list(reply.choices)


def test_values_json_cannot_hold_are_refused() -> None:
    with pytest.raises(TypeError):
        reply_to_payload(Reply("x", {"obj": object()}))
    with pytest.raises(TypeError):
        reply_to_payload(Reply("x", image=Attachment("a.png", b"", "image/png")))
    with pytest.raises(ValueError):
        reply_to_payload(Reply("x", {"naive": datetime(2026, 1, 1)}))
