"""A `Reply` as JSON, for messages stored before they are sent (the outbox).

Template values must be JSON-safe; dates and datetimes are allowed too and come
back as the same types (`{"$date": "2026-03-01"}`, `{"$datetime": "…+00:00"}`).
Attachments are not stored: an outbox message is text and choices, and at most a
`Deferred` attachment, the name of a builder that makes the file when the row is sent
(handlers/attachments.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from handlers.attachments import Deferred
from handlers.types import Choice, Reply


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a stored reply; use UTC-aware datetimes")
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a stored reply value must be JSON-safe, not {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$date"}:
            return date.fromisoformat(value["$date"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def encode_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Template values as JSON (dates and datetimes tagged), for anything stored between messages."""
    encoded: dict[str, Any] = _encode(dict(values))
    return encoded


def decode_values(stored: Mapping[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = _decode(dict(stored))
    return decoded


def reply_to_payload(reply: Reply, attachment: Deferred | None = None) -> dict[str, Any]:
    """The reply as a JSON-safe dict; raises TypeError for values JSON cannot hold. A file goes
    as a `Deferred` attachment (built when sent), never as bytes."""
    if reply.image is not None or reply.document is not None:
        raise TypeError("attachments cannot be stored in the outbox; queue a Deferred attachment")
    payload: dict[str, Any] = {"template": reply.template, "values": _encode(dict(reply.values))}
    if attachment is not None:
        payload["attachment"] = {"builder": attachment.builder, "args": _encode(dict(attachment.args))}
    if reply.choices:
        payload["choices"] = [
            {"id": c.id, "template": c.template, "values": _encode(dict(c.values)), "label": c.label}
            for c in reply.choices
        ]
    return payload


def reply_from_payload(payload: Mapping[str, Any]) -> Reply:
    choices = tuple(
        Choice(
            id=c["id"],
            template=c.get("template"),
            values=_decode(c.get("values") or {}),
            label=c.get("label"),
        )
        for c in payload.get("choices", ())
    )
    return Reply(str(payload["template"]), _decode(dict(payload.get("values") or {})), choices=choices)


def attachment_from_payload(payload: Mapping[str, Any]) -> Deferred | None:
    """The attachment a stored reply names, if any."""
    named = payload.get("attachment")
    if not named:
        return None
    return Deferred(str(named["builder"]), _decode(dict(named.get("args") or {})))
