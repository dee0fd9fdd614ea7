"""Flags an outbox row's payload carries for the send, beside the stored reply itself.

`SEND_AS_TEMPLATE`: send this row as the approved template for its kind, not as free-form
text. Set when Meta reports WhatsApp 131047 (outside the 24-hour window) for a send that was
accepted, and when the template itself was sent; a second 131047 then ends the row. The outbox
and the WhatsApp channel share it; storage only keeps the payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEND_AS_TEMPLATE = "send_as_template"


def sends_as_template(payload: Mapping[str, Any]) -> bool:
    """Whether the row goes (or went) as the approved template for its kind."""
    return bool(payload.get(SEND_AS_TEMPLATE))


def as_template(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload, flagged to go as the approved template for its kind."""
    return {**payload, SEND_AS_TEMPLATE: True}
